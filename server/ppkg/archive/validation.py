"""Validating an upload with the published context it references, as RDF4J's ShaclSail does.

Not "upload ∪ whole graph" (pyshacl needs ~4 s per 100 k triples, so that cannot scale) but

- focus nodes: the upload's subjects (its blank nodes too, given temporary IRIs since pyshacl
  skips blank focus nodes), plus objects of predicates the shapes reach backwards
  (sh:targetObjectsOf, sh:inversePath);
- data: the upload ∪ the published context they reference, fetched with one CONSTRUCT through the
  query service: every triple of the focus nodes that already exist, the types and labels of what
  those triples point to (all the triples of a blank node they point to), and the triples of the
  resources the upload points to ∪ the ontology
  (class hierarchy and concept schemes, as `ppkg validate` does) ∪ one triple per resource the
  upload describes (each IRI subject, each blank node nothing in the upload points to) typing it
  ppkgsh:Submitted, so that the shapes for submissions (every resource names a source document
  the submission describes) apply to the upload and to nothing published.

So the work grows with the upload and the resources it touches, not with the published graph.
"""

from __future__ import annotations

import dataclasses
import hashlib
import threading
import time
from dataclasses import dataclass, field
from typing import Iterable

import pyoxigraph as ox
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import RDF, RDFS, SH
from rdflib.term import Node

from ppkg.archive.pyshacl_fix import focus_filter_at_top_level_only
from ppkg.archive.rdf_input import graph_from_quads
from ppkg.archive.report import Report
from ppkg.archive.shacl import load_shapes, validate_graph
from ppkg.archive.uploads import RESERVED_NAMESPACES, InputRefused, Upload, check_resource_iri
from ppkg.files import shapes_files
from ppkg.vocab import PPKGSH, RDF_TYPE, SKOLEM_BASE

CONTEXT_LIMIT = 2_000_000  # triples of context fetched for one upload
SUBMITTED = PPKGSH + "Submitted"  # the class the submission shapes target (shapes/ppkg-shapes.ttl)
_RDF_TYPE = ox.NamedNode(RDF_TYPE)


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
    if any(q.object.value == SUBMITTED for q in upload.quads if isinstance(q.object, ox.NamedNode)):
        raise InputRefused(f"The upload uses <{SUBMITTED}>: only the validator assigns that class "
                           "(to every resource a submission describes)")

    subjects: dict = {}
    objects: dict = {}
    for q in upload.quads:
        subjects.setdefault(q.subject, None)
        if q.predicate.value in backward and isinstance(q.object, (ox.NamedNode, ox.BlankNode)):
            if isinstance(q.object, ox.NamedNode):
                check_resource_iri(q.object.value)  # it becomes a focus node too
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
            raise InputRefused("The upload references too much published data to be validated "
                              f"(more than {CONTEXT_LIMIT} triples)", status=413)

    graph = Graph()
    graph_from_quads((_skolemize_quad(q) for q in upload.quads), graph, upload.name)
    graph_from_quads(context, graph, "<context>")
    mark_submitted(graph, upload.quads)
    focus = [URIRef(_skolem(t)) for t in subjects]
    try:
        with focus_filter_at_top_level_only():
            report = validate_graph(graph, focus_nodes=focus, inplace=True)
    except RecursionError:
        raise InputRefused("The upload cannot be validated: its structure is nested too deeply "
                           "(a very long rdfs:subClassOf or rdf:rest chain)", status=422) from None
    report, parents = _unskolemize(report, upload)
    depends_on = set(described) | set(referenced)
    depends_on.update(t.object.value for t in context if isinstance(t.object, ox.NamedNode))
    return Validation(report=report, upload=upload, focus_nodes=len(focus),
                      context_triples=len(context), shapes_version=shapes_version(),
                      seconds=time.perf_counter() - started, bnode_parents=parents,
                      depends_on=frozenset(depends_on))


def described_resources(quads) -> list:
    """The resources an upload describes: its IRI subjects, and its blank node subjects that no
    triple of the upload points to (a blank node pointed to belongs to the resource above it)."""
    pointed_to = {q.object for q in quads if isinstance(q.object, ox.BlankNode)}
    found = dict.fromkeys(q.subject for q in quads
                          if isinstance(q.subject, ox.NamedNode) or q.subject not in pointed_to)
    return list(found)


def mark_submitted(graph: Graph, quads) -> None:
    """Type each resource the upload describes ppkgsh:Submitted in `graph`, the data validated
    (blank nodes as their skolem IRIs, as the upload is put into that graph)."""
    marker = URIRef(SUBMITTED)
    for term in described_resources(quads):
        graph.add((URIRef(_skolem(term)), RDF.type, marker))


def context_query(described: Iterable[str], referenced: Iterable[str]) -> str:
    """The one CONSTRUCT that fetches an upload's context (see the module docstring)."""
    described, referenced = list(described), list(referenced)
    parts = []
    if described:
        values = " ".join(f"<{iri}>" for iri in described)
        # VALUES first in the same group as the patterns, so the engine looks each resource up
        # (a VALUES joined with a UNION of patterns makes pyoxigraph scan the whole store).
        # A blank node's own triples come along (one level: a figure given as a blank node in a
        # published submission), since a later upload cannot name it to have it fetched.
        parts.append(
            f"{{ VALUES ?s {{ {values} }}\n"
            "  ?s ?p ?o .\n"
            "  OPTIONAL { FILTER(isIRI(?o)) ?o a ?t }\n"
            "  OPTIONAL { FILTER(isIRI(?o)) ?o rdfs:label ?l }\n"
            "  OPTIONAL { FILTER(isBlank(?o)) ?o ?bp ?bo } }")
    if referenced:
        values = " ".join(f"<{iri}>" for iri in referenced)
        parts.append(f"{{ VALUES ?s {{ {values} }} ?s ?p ?o }}")
    return ("PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
            "CONSTRUCT { ?s ?p ?o . ?o a ?t . ?o rdfs:label ?l . ?o ?bp ?bo }\nWHERE {\n"
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

