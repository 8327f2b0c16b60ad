"""The shapes a kind's web form is drawn from (shacl-form), generated from ppkg's SHACL shapes.

For a kind, the root node shape `ppkgform:<kind>` has one field per column of the kind's table
description (ppkg.entry.kinds), in its order, named and described as the column is: its
constraints and its message are copied from the property shape that constrains that property
for the kind's class (or a superclass) in shapes/ppkg-shapes.ttl. So the form asks for what the
spreadsheet asks for, and checks it, as the user types, with the words the server will use. A
few constraints change form to suit a form field, none loosens what the server checks:

- a label's `sh:node ppkgsh:LabelText` becomes the pattern "\\S" (a text box, not a sub-form);
- a date's `sh:or` of xsd:date / gYearMonth / gYear becomes one pattern (2019, 2019-03 or
  2019-03-16: the server types the value by its precision, ppkg.entry.complete);
- a reference to an existing resource (`sh:class`, or an `sh:or` of classes) becomes "an IRI":
  the pick-list gives one, and the browser has no published types to check a class against
  (the server checks it, with the published graph).

The other property shapes on the same property, and the node-level `sh:or` checks ("a date, or
say the source gives none"), are copied whole into node shapes of their own with the same
target, which the browser validates but does not draw. The source document is a sub-form
(`ppkg:source`, drawn from the source kind's columns) with the two checks a submitted source
must pass (a title or opening words; one of url, publisher, date, archival reference).
"""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, XSD

from ppkg.archive.shacl import load_shapes
from ppkg.entry.kinds import ROW_SUBJECT, Kind, kind as kind_named
from ppkg.entry.lookup import subclasses
from ppkg.vocab import DATA_BASE, PPKG, PPKGSH

FORM = Namespace(DATA_BASE + "forms#")
OR = getattr(SH, "or")
LABEL_TEXT = URIRef(PPKGSH + "LabelText")
SUBMITTED = URIRef(PPKGSH + "Submitted")
SOURCE = URIRef(PPKG + "source")
FIELD_CONSTRAINTS = (SH.datatype, SH["class"], SH.nodeKind, SH.pattern, SH.minInclusive,
                     SH.maxInclusive, SH.message)


def _copy(src: Graph, node, dst: Graph):
    """The node and, for a blank node, everything below it (lists, nested shapes)."""
    if not isinstance(node, BNode):
        return node
    fresh = BNode()
    for p, o in src.predicate_objects(node):
        dst.add((fresh, p, _copy(src, o, dst)))
    return fresh


def _applicable(shapes: Graph, cls: str) -> list:
    """The named node shapes targeting `cls` or a class it specialises, most specific first."""
    chain, todo = [], [cls]
    from ppkg.archive.shacl import load_ontology
    ontology = load_ontology()
    while todo:
        current = todo.pop(0)
        if current not in chain:
            chain.append(current)
            todo += [str(o) for o in ontology.objects(URIRef(current), RDFS.subClassOf)
                     if isinstance(o, URIRef)]
    found = []
    for c in chain:
        found += [s for s in shapes.subjects(SH.targetClass, URIRef(c)) if s not in found]
    return found


def _field(shapes: Graph, source, graph: Graph, field: BNode) -> None:
    for p in FIELD_CONSTRAINTS:
        for o in shapes.objects(source, p):
            graph.add((field, p, _copy(shapes, o, graph)))
    if (source, SH.node, LABEL_TEXT) in shapes:
        graph.add((field, SH.pattern, Literal("\\S")))
    alternatives = shapes.value(source, OR)
    if alternatives is None:
        return
    options = list(Collection(shapes, alternatives))
    patterns = [shapes.value(o, SH.pattern) for o in options if shapes.value(o, SH.datatype)]
    if patterns and all(patterns):
        graph.add((field, SH.pattern, Literal("|".join(f"(?:{p})" for p in patterns))))
    elif any(shapes.value(o, SH["class"]) is not None for o in options):
        graph.add((field, SH.nodeKind, SH.IRI))


def _node(graph: Graph, shapes: Graph, kind: Kind, shape: URIRef, order_from: int,
          new_person: URIRef | None = None) -> None:
    applicable = _applicable(shapes, kind.cls)
    graph.add((shape, RDF.type, SH.NodeShape))
    graph.add((shape, SH.targetClass, URIRef(kind.cls)))
    graph.add((shape, RDFS.label, Literal(kind.title)))
    used = set()
    for order, column in enumerate(kind.template_columns, start=order_from):
        if column.property is None or column.subject != ROW_SUBJECT:
            continue
        path = URIRef(column.property)
        sources = [ps for ns in applicable for ps in shapes.objects(ns, SH.property)
                   if shapes.value(ps, SH.path) == path]
        field = BNode()
        graph.add((shape, SH.property, field))
        for p, o in ((SH.path, path), (SH.name, Literal(column.name.replace("_", " "))),
                     (SH.description, Literal(column.description)), (SH.order, Literal(order))):
            graph.add((field, p, o))
        if column.required:
            graph.add((field, SH.minCount, Literal(1)))
        if not column.separator:
            graph.add((field, SH.maxCount, Literal(1)))
        if sources:
            _field(shapes, sources[0], graph, field)
            used.update(sources[1:])
        if column.is_reference:
            # The browser has no published types to check sh:class against: it checks for an
            # IRI (the pick-list gives one), the server for the class, with the published graph.
            graph.remove((field, SH["class"], None))
            graph.set((field, SH.nodeKind, SH.IRI))
        if new_person is not None and URIRef(PPKG + "Person") in map(URIRef, column.refers_to):
            # Someone already in the graph, or a new person entered here with the record.
            graph.remove((field, SH.nodeKind, None))
            existing, new = BNode(), BNode()
            graph.add((existing, SH.nodeKind, SH.IRI))
            graph.add((existing, RDFS.label, Literal("a person already in the graph")))
            graph.add((new, SH.node, new_person))
            graph.add((new, RDFS.label, Literal("a new person")))
            graph.add((field, OR, Collection(graph, BNode(), [existing, new]).uri))
    checks = [ns for ns in applicable if shapes.value(ns, OR) is not None]
    for i, check in enumerate(checks + sorted(used, key=str)):
        copy = URIRef(f"{shape}-check-{i}")
        graph.add((copy, RDF.type, SH.NodeShape))
        graph.add((copy, SH.targetClass, URIRef(kind.cls)))
        if check in used:
            graph.add((copy, SH.property, _copy(shapes, check, graph)))
        else:
            graph.add((copy, OR, _copy(shapes, shapes.value(check, OR), graph)))
            graph.add((copy, SH.message, shapes.value(check, SH.message)))


def form_shapes(kind: Kind) -> Graph:
    shapes = load_shapes()
    graph = Graph()
    for prefix, ns in (("sh", SH), ("xsd", XSD), ("rdfs", RDFS), ("ppkg", PPKG),
                       ("ppkgform", FORM)):
        graph.bind(prefix, ns)
    root = FORM[kind.name]
    person = kind_named("person")
    new_person = FORM["new-person"] if kind.cites_source and kind is not person else None
    _node(graph, shapes, kind, root, 1, new_person)
    if new_person is not None:
        _node(graph, shapes, person, new_person, 1)
    if kind.cites_source:
        source = FORM["source-document"]
        _node(graph, shapes, kind_named("source"), source, 1)
        field = BNode()
        graph.add((root, SH.property, field))
        for p, o in ((SH.path, SOURCE), (SH.name, Literal("source document")),
                     (SH.description, Literal("The document this record comes from: every fact "
                                              "entered here must be one it states.")),
                     (SH.order, Literal(len(kind.template_columns) + 1)),
                     (SH.node, source), (SH.minCount, Literal(1)), (SH.maxCount, Literal(1))):
            graph.add((field, p, o))
        where = shapes.value(URIRef(PPKGSH + "SubmittedSourceShape"), OR)
        check = URIRef(f"{source}-check-submitted")
        graph.add((check, RDF.type, SH.NodeShape))
        graph.add((check, SH.targetClass, URIRef(PPKG + "Source")))
        graph.add((check, OR, _copy(shapes, where, graph)))
        graph.add((check, SH.message, shapes.value(URIRef(PPKGSH + "SubmittedSourceShape"),
                                                   SH.message)))
    return graph


def form_turtle(kind: Kind) -> str:
    return form_shapes(kind).serialize(format="turtle")


def reference_classes(kind: Kind) -> dict[str, list[str]]:
    """Property → the classes a pick-list offers, for the form's search (kind and source)."""
    kinds = [kind] + ([kind_named("source"), kind_named("person")] if kind.cites_source else [])
    return {c.property: subclasses(c.refers_to) for k in kinds for c in k.template_columns
            if c.is_reference and c.property}
