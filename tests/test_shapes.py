"""The SHACL shapes (shapes/*.ttl): well-formed SHACL, one failing example per shape, a valid
example that conforms, the ontology's terms documented and covered, the shipped graph conforming."""

from __future__ import annotations

import pytest
from pyshacl.entrypoints import meta_validate
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH

from helpers_shapes import CASES, PREFIXES, Case, baseline, expand
from ppkg.files import rdf_files, shipped
from ppkg.store.embedded.dataset import load_dataset
from ppkg.archive.shacl import load_ontology, load_shapes, validate_files, validate_graph
from ppkg.archive.rdf_input import parse_files

PPKG = PREFIXES["ppkg"]


def _shapes() -> Graph:
    return load_shapes()


def _node_shapes(shapes: Graph) -> set[URIRef]:
    return {s for s in shapes.subjects(RDF.type, SH.NodeShape) if isinstance(s, URIRef)}


def _targeting_shapes(shapes: Graph) -> set[URIRef]:
    """Node shapes with a target (the helpers used through sh:node have none)."""
    targets = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
    return {s for s in _node_shapes(shapes) if any((s, t, None) in shapes for t in targets)}


def _superclasses(ontology: Graph, cls: URIRef) -> set[URIRef]:
    return set(ontology.transitive_objects(cls, RDFS.subClassOf))  # includes cls itself


def _ppkg_classes(ontology: Graph) -> set[URIRef]:
    return {c for c in ontology.subjects(RDF.type, OWL.Class) if str(c).startswith(PPKG)}


# ------------------------------------------------------------------------------------------------
# The shapes graph itself
# ------------------------------------------------------------------------------------------------


def test_shapes_files_are_shipped():
    assert [p.name for p in rdf_files([shipped("shapes")])] == ["ppkg-shapes.ttl"]


def test_shapes_pass_meta_shacl():
    conforms, _graph, text = meta_validate(_shapes())
    assert conforms, text


def test_every_shape_is_documented():
    shapes = _shapes()
    for shape in _node_shapes(shapes):
        assert shapes.value(shape, RDFS.label) is not None, f"{shape} has no rdfs:label"
        assert shapes.value(shape, RDFS.comment) is not None, f"{shape} has no rdfs:comment"


def test_every_constraint_has_a_message():
    """Every node shape with a target and every property shape carries a sh:message."""
    shapes = _shapes()
    for shape in _targeting_shapes(shapes):
        has_node_constraint = any(
            (shape, p, None) in shapes for p in (SH["or"], SH["and"], SH["not"], SH["class"], SH.node))
        if has_node_constraint:
            assert shapes.value(shape, SH.message) is not None, f"{shape} has no sh:message"
        for prop in shapes.objects(shape, SH.property):
            message = shapes.value(prop, SH.message)
            assert message is not None, f"a property shape of {shape} has no sh:message"
            assert isinstance(message, Literal) and message.language == "en"


def test_no_sparql_constraints():
    """Core constraints only: SPARQL-based ones make pyshacl ~10x slower."""
    shapes = _shapes()
    assert not list(shapes.subject_objects(SH.sparql))
    assert not list(shapes.subjects(RDF.type, SH.SPARQLConstraint))


def test_warnings_are_the_only_other_severity():
    shapes = _shapes()
    assert set(shapes.objects(None, SH.severity)) <= {SH.Warning}


# ------------------------------------------------------------------------------------------------
# A valid example conforms; each defect fails with its message
# ------------------------------------------------------------------------------------------------


def test_valid_example_conforms():
    report = validate_graph(baseline())
    assert report.conforms, report.to_text()
    assert report.results == [], report.to_text()


def test_valid_example_uses_every_class():
    """So that 'the valid example conforms' says something about every class."""
    used = set(baseline().objects(None, RDF.type))
    abstract = {URIRef(PPKG + "Agent"), URIRef(PPKG + "Event")}
    missing = _ppkg_classes(load_ontology()) - used - abstract
    assert not missing, sorted(missing)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_defect_is_reported(case: Case):
    data = case.graph()
    focus = case.focus_node(data)
    report = validate_graph(data)
    shapes = _shapes()
    matching = [r for r in report.results if r.focus_node == focus and case.message in r.message]
    assert matching, f"no result for {focus} with {case.message!r}:\n{report.to_text()}"
    result = matching[0]
    assert result.severity == case.severity, report.to_text()
    assert result.node_shape == expand(case.shape), report.to_text()
    assert (result.source_shape == result.node_shape
            or (result.node_shape, SH.property, result.source_shape) in shapes)
    # The defect is reported on its own resource only, and a warning alone still conforms.
    assert {r.focus_node for r in report.results} == {focus}, report.to_text()
    assert report.conforms is (case.severity != "Violation")
    assert report.counts[case.severity] >= 1


def test_every_shape_has_a_failing_case():
    covered = {expand(c.shape) for c in CASES}
    missing = _targeting_shapes(_shapes()) - covered
    assert not missing, sorted(missing)


def test_focus_nodes_limit_the_report():
    data = baseline()
    data.remove((expand("t:alice"), RDFS.label, None))
    data.remove((expand("t:statement"), expand("ppkg:text"), None))
    everything = validate_graph(data)
    assert {r.focus_node for r in everything.results} == {expand("t:alice"), expand("t:statement")}
    only_alice = validate_graph(data, focus_nodes=[str(expand("t:alice"))])
    assert {r.focus_node for r in only_alice.results} == {expand("t:alice")}
    assert not only_alice.conforms


def test_validate_graph_leaves_its_input_alone():
    data = baseline()
    before = len(data)
    validate_graph(data)
    assert len(data) == before


# ------------------------------------------------------------------------------------------------
# The ontology and the shipped graph
# ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped_graph() -> Graph:
    return parse_files([shipped("graph")])


def test_every_ontology_term_has_label_and_comment():
    ontology = load_ontology()
    terms = {s for s in ontology.subjects(RDF.type, None) if isinstance(s, URIRef)}
    assert len(terms) > 50
    missing = [(str(t), p) for t in sorted(terms) for p in ("label", "comment")
               if ontology.value(t, RDFS[p]) is None]
    assert not missing, missing


def test_every_ontology_class_is_targeted_by_a_shape():
    ontology, shapes = load_ontology(), _shapes()
    targeted = set(shapes.objects(None, SH.targetClass))
    untargeted = [c for c in _ppkg_classes(ontology) if not _superclasses(ontology, c) & targeted]
    assert not untargeted, sorted(untargeted)


def test_every_ontology_property_is_constrained_by_a_shape():
    """Each ppkg property is the sh:path of some property shape, so its values are checked."""
    ontology, shapes = load_ontology(), _shapes()
    properties = {p for kind in (OWL.ObjectProperty, OWL.DatatypeProperty)
                  for p in ontology.subjects(RDF.type, kind) if str(p).startswith(PPKG)}
    assert properties
    unconstrained = properties - set(shapes.objects(None, SH.path))
    assert not unconstrained, sorted(unconstrained)


def test_shipped_graph_is_not_empty(shipped_graph):
    assert len(shipped_graph) > 0, "graph/ holds no data"


def test_classes_used_in_graph_are_declared_and_targeted(shipped_graph):
    ontology, shapes = load_ontology(), _shapes()
    declared = _ppkg_classes(ontology)
    targeted = set(shapes.objects(None, SH.targetClass))
    used = {c for c in shipped_graph.objects(None, RDF.type) if str(c).startswith(PPKG)}
    assert used, "graph/ types nothing with a ppkg class"
    assert not used - declared, f"undeclared classes: {sorted(used - declared)}"
    untargeted = [c for c in used if not _superclasses(ontology, c) & targeted]
    assert not untargeted, f"classes no shape targets: {sorted(untargeted)}"


def test_properties_used_in_graph_are_declared(shipped_graph):
    ontology = load_ontology()
    declared = {p for p in ontology.subjects(RDF.type, None)
                if (p, RDF.type, OWL.ObjectProperty) in ontology
                or (p, RDF.type, OWL.DatatypeProperty) in ontology
                or (p, RDF.type, RDF.Property) in ontology}
    used = {p for p in shipped_graph.predicates() if str(p).startswith(PPKG)}
    assert used, "graph/ uses no ppkg property"
    assert not used - declared, f"undeclared properties: {sorted(used - declared)}"


def test_shipped_graph_conforms():
    """The files the server loads (ontology/ and graph/), validated as their union."""
    files = load_dataset().files
    assert any(f.parent.name == "graph" for f in files), "graph/ holds no files"
    report = validate_files(files)
    assert report.triples > len(load_ontology()), "graph/ holds no data"
    assert report.conforms, report.to_text()
