"""Uploads: parsing what archivists send, safely, and validating it with the context it references.

Parsing (`parse_upload`) uses pyoxigraph only (never rdflib's parsers): JSON-LD remote contexts
are not fetched (pyoxigraph has no document loader), and before pyoxigraph sees them

- RDF/XML with a DTD (`<!DOCTYPE`, hence any entity, external or internal) is refused: external
  entities are never resolved and internal ones cannot expand exponentially ("billion laughs"),
  and elements nested deeper than MAX_DEPTH are refused (pyoxigraph's RDF/XML parser is quadratic
  in the nesting depth);
- JSON-LD nested deeper than MAX_DEPTH is refused (deep nesting overflows pyoxigraph's stack).

An upload is a set of triples: a named graph in TriG, N-Quads or JSON-LD is refused (400, naming
the graph), since an accepted submission becomes a graph of its own and must not write into a
source's graph, the ontology, the provenance graph or another submission. Subjects in reserved
namespaces (the ontology, the shapes, the provenance and submission records, RDF/RDFS/OWL/XSD/SHACL
terms) are refused too: a submission adds data, it cannot redefine the vocabulary the shapes rely
on. `owl:imports` and any shapes in the upload are plain data: validation uses the server's shapes
only, and pyshacl is never asked to follow imports.

Validation (`validate_upload`) follows RDF4J's ShaclSail: not "upload ∪ whole graph" (pyshacl
needs ~4 s per 100 k triples, so that cannot scale) but

- focus nodes: the upload's subjects (its blank nodes too, given temporary IRIs since pyshacl
  skips blank focus nodes), plus objects of predicates the shapes reach backwards
  (sh:targetObjectsOf, sh:inversePath);
- data: the upload ∪ the published context they reference, fetched with one CONSTRUCT through the
  QueryService: every triple of the focus nodes that already exist, the types and labels of what
  those triples point to, and the triples of the resources the upload points to ∪ the ontology
  (class hierarchy and concept schemes, as `ppkg validate` does).

So the work grows with the upload and the resources it touches, not with the published graph.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import threading
import time
import xml.parsers.expat
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterable

import pyoxigraph as ox
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import RDF, RDFS, SH
from rdflib.term import Node

from ppkg.store.changelog import SUBMISSION_GRAPH_BASE
from ppkg.files import shapes_files
from ppkg.formats import RdfFormat
from ppkg.archive.shacl import (ParseError, Report, _parse_error, graph_from_quads, load_shapes,
                                validate_graph)

MAX_TRIPLES = 25_000  # per upload: beyond this, validation would outlast a worker's time limit
MAX_DEPTH = 256  # JSON-LD / RDF/XML nesting
CONTEXT_LIMIT = 2_000_000  # triples of context fetched for one upload

ARCHIVIST_BASE = "https://w3id.org/ppkg/id/archivist/"
SKOLEM_BASE = "https://w3id.org/ppkg/.well-known/genid/"  # blank nodes, during validation only

RESERVED_NAMESPACES = (
    ("https://w3id.org/ppkg/ontology", "the ppkg ontology"),
    ("https://w3id.org/ppkg/shapes", "the ppkg shapes"),
    ("https://w3id.org/ppkg/graph/", "ppkg's graphs"),
    ("https://w3id.org/ppkg/.well-known/", "ppkg's reserved IRIs"),
    (SUBMISSION_GRAPH_BASE, "the submission records"),
    (ARCHIVIST_BASE, "the archivists of the provenance records"),
    ("http://www.w3.org/1999/02/22-rdf-syntax-ns#", "RDF"),
    ("http://www.w3.org/2000/01/rdf-schema#", "RDFS"),
    ("http://www.w3.org/2002/07/owl#", "OWL"),
    ("http://www.w3.org/2001/XMLSchema#", "XML Schema"),
    ("http://www.w3.org/ns/shacl#", "SHACL"),
)

_BAD_IRI_CHARS = re.compile(r"[<>\"{}|^`\\\x00-\x20]")
_RDF_TYPE = ox.NamedNode(str(RDF.type))
_DEFAULT_GRAPH = ox.DefaultGraph()


class UploadError(ValueError):
    """An upload refused before validation: `status` is the HTTP status that says why."""

    def __init__(self, message: str, status: int = 400, **details):
        super().__init__(message)
        self.message = message
        self.status = status
        self.details = details


@dataclass
class Upload:
    """A parsed upload: distinct triples, all in the default graph, blank nodes renamed apart."""

    quads: list  # pyoxigraph Quads
    format: RdfFormat
    name: str = "upload"

    @property
    def triples(self) -> int:
        return len(self.quads)

    def nquads_in(self, graph: str) -> str:
        """The upload as N-Quads in the named graph `graph` (as stored in the change log)."""
        g = ox.NamedNode(graph)
        return ox.serialize((ox.Quad(q.subject, q.predicate, q.object, g) for q in self.quads),
                            format=ox.RdfFormat.N_QUADS).decode()


# --------------------------------------------------------------------------------------------
# Parsing
# --------------------------------------------------------------------------------------------

def parse_upload(data: bytes, fmt: RdfFormat, name: str = "upload") -> Upload:
    """Parse an upload safely; raises ParseError (line, column) or UploadError (status)."""
    if fmt.name == "rdfxml":
        _check_xml(data)
    elif fmt.name == "jsonld":
        _check_json(data)
    try:
        quads = list(dict.fromkeys(ox.parse(data, format=fmt.oxigraph, rename_blank_nodes=True)))
    except SyntaxError as err:
        raise _parse_error(name, err) from None
    except UnicodeDecodeError as err:
        raise ParseError(name, f"not valid UTF-8: {err}") from None
    if not quads:
        raise UploadError("The upload holds no triples")
    if len(quads) > MAX_TRIPLES:
        raise UploadError(f"The upload holds {len(quads)} triples; the limit is {MAX_TRIPLES} "
                          "per upload: split it into several submissions", status=413)
    graphs = sorted({q.graph_name.value for q in quads if q.graph_name != _DEFAULT_GRAPH})
    if graphs:
        shown = ", ".join(f"<{g}>" for g in graphs[:5]) + (" ..." if len(graphs) > 5 else "")
        raise UploadError(
            f"The upload puts triples in the named graph {shown}: a submission is stored in a "
            "graph of its own and cannot write into another graph. Send the triples without a "
            "graph name (Turtle, N-Triples, RDF/XML, or TriG / N-Quads / JSON-LD with the default "
            "graph only).", graphs=graphs)
    _check_terms(quads)
    return Upload(quads=quads, format=fmt, name=name)


def _check_terms(quads: list) -> None:
    reserved: dict[str, str] = {}
    for q in quads:
        for term in (q.subject, q.predicate, q.object):
            if isinstance(term, ox.NamedNode) and _BAD_IRI_CHARS.search(term.value):
                raise UploadError(f"Invalid IRI in the upload: {term.value!r}")
            if isinstance(term, ox.Triple):
                raise UploadError("RDF 1.2 triple terms are not accepted")
        if isinstance(q.subject, ox.NamedNode):
            iri = q.subject.value
            for namespace, what in RESERVED_NAMESPACES:
                if iri.startswith(namespace):
                    reserved.setdefault(iri, what)
                    break
    if reserved:
        shown = "; ".join(f"<{iri}> ({what})" for iri, what in list(reserved.items())[:5])
        raise UploadError(
            f"The upload describes terms in reserved namespaces: {shown}. A submission adds "
            "data; it cannot change the ontology, the shapes, the vocabularies they use or the "
            "submission records.", subjects=sorted(reserved))


def _check_xml(data: bytes) -> None:
    """Refuse DTDs (so entities are never expanded or fetched) and over-deep nesting."""
    parser = xml.parsers.expat.ParserCreate()
    try:
        parser.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)
    except AttributeError:  # pragma: no cover
        pass
    depth = 0

    class Refused(Exception):
        pass

    def doctype(*_args):
        raise Refused("RDF/XML with a document type declaration (<!DOCTYPE ...>) is not accepted: "
                      "entities are never expanded or fetched; remove the DTD")

    def entity(*_args):
        raise Refused("XML entity declarations are not accepted")

    def start(*_args):
        nonlocal depth
        depth += 1
        if depth > MAX_DEPTH:
            raise Refused(f"XML elements nested more than {MAX_DEPTH} deep are not accepted")

    def end(*_args):
        nonlocal depth
        depth -= 1

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = entity
    parser.ExternalEntityRefHandler = lambda *a: 0
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        parser.Parse(data, True)
    except Refused as err:
        raise UploadError(str(err)) from None
    except xml.parsers.expat.ExpatError as err:
        raise ParseError("upload", f"not well-formed XML: {xml.parsers.expat.errors.messages.get(err.code, err)}",
                         err.lineno, err.offset + 1) from None


def _check_json(data: bytes) -> None:
    """Refuse JSON nested deeper than MAX_DEPTH (syntax errors are left to pyoxigraph)."""
    try:
        value = json.loads(data)
    except RecursionError:
        raise UploadError(f"JSON nested more than {MAX_DEPTH} deep is not accepted") from None
    except ValueError:
        return  # pyoxigraph reports the error with its position
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise UploadError(f"JSON nested more than {MAX_DEPTH} deep is not accepted")
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values() if isinstance(v, (dict, list)))
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node if isinstance(v, (dict, list)))


# --------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------

@dataclass
class Validation:
    """The outcome of validating one upload."""

    report: Report
    upload: Upload
    focus_nodes: int
    context_triples: int
    shapes_version: str  # "sha256:<hex>" of the shapes files used
    seconds: float
    bnode_parents: dict = field(default_factory=dict)  # BNode → (subject, predicate) in the upload
    # IRIs whose published description the outcome depends on: the resources the upload describes
    # or points to, and what their published triples point to. A later change that gives none of
    # them a new triple cannot change the outcome (ppkg.submissions uses this under its lock).
    depends_on: frozenset = frozenset()

    @property
    def conforms(self) -> bool:
        return self.report.conforms

    def to_json(self) -> dict:
        report = self.report
        labels = report.labels
        shape_labels = _shape_labels()
        results = []
        for rs in report.by_focus_node().values():
            for r in rs:
                item = r.to_json(labels)
                item["valueLabel"] = labels.get(r.value) if r.value is not None else None
                item["shapeLabel"] = shape_labels.get(r.node_shape) if r.node_shape is not None else None
                parent = self.bnode_parents.get(r.focus_node)
                if parent is not None:
                    item["focusParent"] = {"subject": _node_id(parent[0]),
                                           "predicate": str(parent[1]),
                                           "subjectLabel": labels.get(parent[0])}
                results.append(item)
        return {
            "conforms": report.conforms,
            "counts": report.counts,
            "triples": {"upload": self.upload.triples, "context": self.context_triples,
                        "validated": report.triples},
            "focusNodes": self.focus_nodes,
            "shapesVersion": self.shapes_version,
            "seconds": round(self.seconds, 3),
            "results": results,
        }


def validate_upload(upload: Upload, query, timeout: float | None = None) -> Validation:
    """Validate an upload with the context it references, fetched through `query` (QueryService).

    The context reflects the store as of the query (the query process catches up with the change
    log first), so under the writers' lock it is the current state.
    """
    started = time.perf_counter()
    shapes = load_shapes()
    backward = _backward_predicates(shapes)

    subjects: dict = {}
    objects: dict = {}
    for q in upload.quads:
        subjects.setdefault(q.subject, None)
        if q.predicate.value in backward and isinstance(q.object, (ox.NamedNode, ox.BlankNode)):
            subjects.setdefault(q.object, None)
    for q in upload.quads:
        if isinstance(q.object, ox.NamedNode) and q.object not in subjects and q.predicate != _RDF_TYPE:
            objects.setdefault(q.object, None)
    # (Ontology terms among them, such as the classes sh:targetObjectsOf rdf:type reaches, are
    # described by the ontology merged below, not fetched.)
    described = [t.value for t in subjects if isinstance(t, ox.NamedNode) and not _reserved(t.value)]
    referenced = [t.value for t in objects if not _reserved(t.value)]

    context = []
    if described or referenced:
        context = query.construct(context_query(described, referenced), limit=CONTEXT_LIMIT,
                                  timeout=timeout)
        if getattr(context, "truncated", False):
            raise UploadError("The upload references too much published data to be validated "
                              f"(more than {CONTEXT_LIMIT} triples)", status=413)

    graph = Graph()
    graph_from_quads((_skolemize_quad(q) for q in upload.quads), graph, upload.name)
    graph_from_quads(context, graph, "<context>")
    focus = [URIRef(_skolem(t)) for t in subjects]
    with _focus_filter_at_top_level_only():
        report = validate_graph(graph, focus_nodes=focus, inplace=True)
    report, parents = _unskolemize(report, upload)
    depends_on = set(described) | set(referenced)
    depends_on.update(t.object.value for t in context if isinstance(t.object, ox.NamedNode))
    return Validation(report=report, upload=upload, focus_nodes=len(focus),
                      context_triples=len(context), shapes_version=shapes_version(),
                      seconds=time.perf_counter() - started, bnode_parents=parents,
                      depends_on=frozenset(depends_on))


# pyshacl 0.40 applies its `focus_nodes` filter to every shape evaluation, nested ones included:
# the value nodes an sh:or / sh:and / sh:not / sh:xone / sh:node / sh:qualifiedValueShape checks
# (literals, or resources not in the list) are dropped, so those constraints silently pass (and
# sh:not fails). The filter belongs to the shapes that find their own targets only; while the
# context manager below is active (in this thread), a shape handed explicit focus nodes by another
# shape validates all of them. The wrapper is installed once and is inert outside it. It also
# makes pyshacl's membership test against the focus list a set lookup (it is a list scan, so
# quadratic in the upload's size).
_fix = threading.local()


class _FocusNodes(list):
    """pyshacl's list of focus nodes with a set's `in` (it tests every target against it)."""

    def __init__(self, items):
        super().__init__(items)
        self._set = frozenset(items)

    def __contains__(self, item) -> bool:
        return item in self._set


@contextmanager
def _focus_filter_at_top_level_only():
    _install_focus_fix()
    previous = getattr(_fix, "active", False)
    _fix.active = True
    try:
        yield
    finally:
        _fix.active = previous


def _install_focus_fix() -> None:
    from pyshacl.shape import Shape

    with _lock:
        if getattr(Shape.validate, "_ppkg_focus_fix", False):
            return
        original = Shape.validate

        def validate(self, executor, target_graph, focus=None, _evaluation_path=None):
            if (getattr(_fix, "active", False) and executor.focus_nodes
                    and not isinstance(executor.focus_nodes, _FocusNodes)):
                executor.focus_nodes = _FocusNodes(executor.focus_nodes)
            if focus is not None and getattr(_fix, "active", False) and executor.focus_nodes:
                saved = executor.focus_nodes
                executor.focus_nodes = None
                try:
                    return original(self, executor, target_graph, focus, _evaluation_path)
                finally:
                    executor.focus_nodes = saved
            return original(self, executor, target_graph, focus, _evaluation_path)

        validate._ppkg_focus_fix = True
        Shape.validate = validate


def context_query(described: Iterable[str], referenced: Iterable[str]) -> str:
    """The one CONSTRUCT that fetches an upload's context (see the module docstring)."""
    described, referenced = list(described), list(referenced)
    parts = []
    if described:
        values = " ".join(f"<{iri}>" for iri in described)
        # VALUES first in the same group as the patterns, so the engine looks each resource up
        # (a VALUES joined with a UNION of patterns makes pyoxigraph scan the whole store).
        parts.append(
            f"{{ VALUES ?s {{ {values} }}\n"
            "  ?s ?p ?o .\n"
            "  OPTIONAL { FILTER(isIRI(?o)) ?o a ?t }\n"
            "  OPTIONAL { FILTER(isIRI(?o)) ?o rdfs:label ?l } }")
    if referenced:
        values = " ".join(f"<{iri}>" for iri in referenced)
        parts.append(f"{{ VALUES ?s {{ {values} }} ?s ?p ?o }}")
    return ("PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
            "CONSTRUCT { ?s ?p ?o . ?o a ?t . ?o rdfs:label ?l }\nWHERE {\n"
            + "\nUNION\n".join(parts) + "\n}\n")


def shapes_version() -> str:
    """SHA-256 of the shapes files (names and contents), as recorded in the provenance."""
    files = shapes_files()
    signature = tuple((str(f), f.stat().st_mtime_ns, f.stat().st_size) for f in files)
    with _lock:
        cached = _shapes_hash.get("v")
        if cached and cached[0] == signature:
            return cached[1]
        digest = hashlib.sha256()
        for f in files:
            digest.update(f.name.encode() + b"\0" + f.read_bytes())
        value = "sha256:" + digest.hexdigest()
        _shapes_hash["v"] = (signature, value)
        return value


_lock = threading.Lock()
_shapes_hash: dict = {}
_derived: dict = {}


def backward_predicates() -> frozenset:
    """Predicates (IRIs) whose objects the server's shapes target or reach by an inverse path."""
    return _backward_predicates(load_shapes())


def _backward_predicates(shapes: Graph) -> frozenset:
    """Predicates whose objects a shape targets or reaches by an inverse path."""
    with _lock:
        hit = _derived.get(("backward", id(shapes)))
        if hit is not None:
            return hit
        found = {str(p) for p in shapes.objects(None, SH.targetObjectsOf) if isinstance(p, URIRef)}
        found |= {str(p) for p in shapes.objects(None, SH.inversePath) if isinstance(p, URIRef)}
        value = frozenset(found)
        _derived[("backward", id(shapes))] = value
        return value


def _shape_labels() -> dict:
    shapes = load_shapes()
    with _lock:
        hit = _derived.get(("labels", id(shapes)))
        if hit is not None:
            return hit
        labels = {}
        for shape, label in shapes.subject_objects(RDFS.label):
            if isinstance(shape, URIRef) and (shape not in labels or getattr(label, "language", None) == "en"):
                labels[shape] = str(label)
        _derived[("labels", id(shapes))] = labels
        return labels


def _reserved(iri: str) -> bool:
    return any(iri.startswith(ns) for ns, _ in RESERVED_NAMESPACES[:5])


def _skolem(term) -> str:
    if isinstance(term, ox.BlankNode):
        return SKOLEM_BASE + term.value
    return term.value


def _skolemize_term(term):
    return ox.NamedNode(SKOLEM_BASE + term.value) if isinstance(term, ox.BlankNode) else term


def _skolemize_quad(q):
    return ox.Triple(_skolemize_term(q.subject), q.predicate, _skolemize_term(q.object))


def _unskolemize_node(node: Node | None) -> Node | None:
    if isinstance(node, URIRef) and str(node).startswith(SKOLEM_BASE):
        return BNode(str(node)[len(SKOLEM_BASE):])
    return node


def _unskolemize(report: Report, upload: Upload) -> tuple[Report, dict]:
    """The report with the upload's blank nodes back, and where each of them hangs."""
    m = _unskolemize_node
    results = [dataclasses.replace(r, focus_node=m(r.focus_node), value=m(r.value))
               for r in report.results]
    graph = Graph()
    for prefix, namespace in report.graph.namespaces():
        graph.bind(prefix, namespace)
    for s, p, o in report.graph:
        graph.add((m(s), p, m(o)))
    labels = {m(k): v for k, v in report.labels.items()}
    parents: dict = {}
    wanted = {r.focus_node for r in results if isinstance(r.focus_node, BNode)}
    wanted |= {r.value for r in results if isinstance(r.value, BNode)}
    if wanted:
        for q in upload.quads:
            if isinstance(q.object, ox.BlankNode):
                node = BNode(q.object.value)
                if node in wanted and node not in parents:
                    subject = (BNode(q.subject.value) if isinstance(q.subject, ox.BlankNode)
                               else URIRef(q.subject.value))
                    parents[node] = (subject, URIRef(q.predicate.value))
        for s, _p in parents.values():
            if s not in labels:
                for q in upload.quads:
                    if (q.predicate.value == str(RDFS.label) and isinstance(q.object, ox.Literal)
                            and _term_equals(q.subject, s)):
                        labels[s] = q.object.value
                        break
    context = {node: parent for node, parent in parents.items()}
    report = dataclasses.replace(report, results=results, graph=graph, labels=labels,
                                 context=context)
    return report, parents


def _term_equals(term, node: Node) -> bool:
    if isinstance(term, ox.BlankNode):
        return isinstance(node, BNode) and str(node) == term.value
    return isinstance(node, URIRef) and str(node) == term.value


def _node_id(node: Node) -> str:
    return f"_:{node}" if isinstance(node, BNode) else str(node)

