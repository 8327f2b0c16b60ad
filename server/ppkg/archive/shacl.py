"""SHACL validation against ppkg's shapes (shapes/*.ttl) and ontology (ontology/*.ttl), by pyshacl.

The data is validated as one graph, the union of all its named graphs, since a fact in one
source's graph points to resources described in another's. The ontology is merged into that
graph before validation: sh:targetClass and sh:class then follow rdfs:subClassOf, and the SKOS
concepts the data points to (offences, roles, statuses, figure qualifiers) are present and checked
too. (pyshacl's own ``ont_graph`` option copies only class and property axioms, not the concept
individuals, so it cannot be used for that.)

Validate files, not the contents of a pyoxigraph Store: the store rewrites literals of types
derived from xsd:integer to xsd:integer ("-1"^^xsd:nonNegativeInteger comes back as
"-1"^^xsd:integer), so ill-typed values are no longer seen as such. (Quads from
``pyoxigraph.parse`` keep their datatypes.)
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Iterable, Iterator

import pyshacl
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDFS, SH
from rdflib.term import Node

from ppkg.archive.rdf_input import parse_file, parse_files
from ppkg.archive.report import _SEVERITY_BY_IRI, Report, Result, path_text
from ppkg.files import rdf_files, shapes_files, shipped

# --------------------------------------------------------------------------------------------
# Shapes and ontology, cached per process and reloaded when their files change
# --------------------------------------------------------------------------------------------

_cache: dict[str, tuple[tuple, Graph]] = {}
_cache_lock = threading.Lock()


def _signature(files: list[Path]) -> tuple:
    return tuple((str(f), f.stat().st_mtime_ns, f.stat().st_size) for f in files)


def _cached(kind: str, files: list[Path]) -> Graph:
    signature = _signature(files)
    with _cache_lock:
        hit = _cache.get(kind)
        if hit and hit[0] == signature:
            return hit[1]
        graph = Graph()
        for f in files:
            parse_file(f, graph)
        if kind == "shapes":
            # pyshacl adds a couple of RDFS axioms to a shapes graph the first time it uses it;
            # let that happen here, under the lock, so the cached graph is not modified later
            # while other threads are reading it.
            pyshacl.validate(Graph(), shacl_graph=graph, inference="none")
        _cache[kind] = (signature, graph)
        return graph


def load_shapes() -> Graph:
    """The shipped SHACL shapes (ppkg.files.shapes_files()). Treat the graph as read-only."""
    return _cached("shapes", shapes_files())


def load_ontology() -> Graph:
    """The shipped ontology and concept schemes (ontology/*). Treat the graph as read-only."""
    return _cached("ontology", rdf_files([shipped("ontology")]))



# --------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------


def _parent_shapes(shapes: Graph) -> dict[Node, Node]:
    """Property shape → the named node shape that holds it (through sh:property)."""
    parents = {}
    for node_shape, prop in shapes.subject_objects(SH.property):
        if isinstance(node_shape, URIRef):
            parents[prop] = node_shape
    return parents


def _label(graph: Graph, node: Node) -> str | None:
    best = None
    for label in graph.objects(node, RDFS.label):
        if isinstance(label, Literal):
            if label.language in (None, "en"):
                return str(label)
            best = best or str(label)
    return best


def _results(report_graph: Graph, shapes: Graph) -> Iterator[Result]:
    parents = _parent_shapes(shapes)
    # Top-level results only: those nested under sh:detail (pyshacl's account of why an sh:node
    # failed) have the value node, not the resource, as focus node.
    for result in report_graph.objects(None, SH.result):
        value = report_graph.value
        severity = _SEVERITY_BY_IRI.get(value(result, SH.resultSeverity), "Violation")
        messages = [m for m in report_graph.objects(result, SH.resultMessage)]
        message = next((str(m) for m in messages if getattr(m, "language", None) in (None, "en")),
                       str(messages[0]) if messages else "")
        path = value(result, SH.resultPath)
        shape = value(result, SH.sourceShape)
        node_shape = shape if isinstance(shape, URIRef) else parents.get(shape)
        yield Result(
            severity=severity,
            focus_node=value(result, SH.focusNode),
            path=path_text(report_graph, path) if path is not None else None,
            value=value(result, SH.value),
            message=message,
            source_shape=shape,
            node_shape=node_shape,
            constraint=value(result, SH.sourceConstraintComponent),
        )


def validate_graph(data: Graph, focus_nodes: Iterable[str | URIRef] | None = None, *,
                   shapes: Graph | None = None, ontology: Graph | None = None,
                   include_ontology: bool = True, inplace: bool = False) -> Report:
    """Validate an rdflib graph (the union of the data's graphs) against ppkg's shapes.

    The shipped ontology (or ``ontology``) is merged into a copy of ``data``, unless
    ``include_ontology`` is false; with ``inplace`` it is merged into ``data`` itself, which
    saves a copy when the graph was parsed for this validation only (parse_data's result). With ``focus_nodes`` (IRIs), only those nodes are
    validated, against the shapes that target them; the rest of the data is still there for
    sh:class and the like to look at. (pyshacl ignores blank nodes among focus nodes.)
    """
    shapes = load_shapes() if shapes is None else shapes
    if inplace:
        merged = data
    else:
        merged = Graph()
        for triple in data:
            merged.add(triple)
    if include_ontology:
        for triple in (load_ontology() if ontology is None else ontology):
            merged.add(triple)
    focus = [URIRef(str(f)) for f in focus_nodes] if focus_nodes is not None else None
    if focus is not None and not focus:
        focus = None
    conforms, report_graph, _text = pyshacl.validate(
        merged,
        shacl_graph=shapes,
        inference="none",
        allow_warnings=True,
        inplace=True,  # merged is ours to use
        focus_nodes=focus,
    )
    results = list(_results(report_graph, shapes))
    labels: dict[Node, str] = {}
    context: dict[BNode, tuple[Node, Node]] = {}
    for r in results:
        for node in (r.focus_node, r.value):
            if node is None or node in labels or isinstance(node, Literal):
                continue
            label = _label(merged, node)
            if label is not None:
                labels[node] = label
            if isinstance(node, BNode) and node not in context:
                for s, p in merged.subject_predicates(node):
                    context[node] = (s, p)
                    label = _label(merged, s)
                    if label is not None:
                        labels[s] = label
                    break
    return Report(
        conforms=not any(r.severity == "Violation" for r in results),
        results=results,
        graph=report_graph,
        labels=labels,
        context=context,
        triples=len(merged),
    )


def validate_files(paths: Iterable[str | Path],
                   focus_nodes: Iterable[str | URIRef] | None = None) -> Report:
    """Parse the files (or folders) with pyoxigraph and validate their union.

    Raises FileNotFoundError for a missing path, ValueError for an unknown extension and
    ParseError (a ValueError) with file, line and column for a file that does not parse.
    """
    return validate_graph(parse_files(paths), focus_nodes, inplace=True)
