"""The provenance records of submissions (PROV-O), in the graph <https://w3id.org/ppkg/graph/provenance>.

    <…/submission/ID> a prov:Entity ;
        rdfs:label "Submission ID" ;
        dcterms:description "the mandatory summary" ;
        prov:wasAttributedTo <…/archivist/NAME> ;        # who submitted it (the token's name)
        dcterms:dateSubmitted "…"^^xsd:dateTime ;
        prov:generatedAtTime "…"^^xsd:dateTime ;         # when it was accepted and published
        void:triples 42 ;
        dcterms:conformsTo <https://w3id.org/ppkg/shapes> ;
        prov:wasGeneratedBy <…/submission/ID#review> .
    <…#review> a prov:Activity ; rdfs:label "Review and acceptance of submission ID" ;
        prov:wasAssociatedWith <…/archivist/REVIEWER> ;  # the submitter too when self-reviewed
        prov:endedAtTime "…"^^xsd:dateTime ; dcterms:description "the reviewer's note" ;
        prov:used <…#shapes> ; prov:generated <…#report> .
    <…#shapes> prov:specializationOf <https://w3id.org/ppkg/shapes> ;
        dcterms:identifier "sha256:…" .                  # the shapes' version
    <…#report> a sh:ValidationReport ; sh:conforms true ; sh:result <…#result-1> … # warnings
    # after a withdrawal:
    <…/submission/ID> prov:invalidatedAtTime "…"^^xsd:dateTime ;
        prov:wasInvalidatedBy <…#withdrawal> .
    <…#withdrawal> prov:wasAssociatedWith <…/archivist/NAME> ; dcterms:description "the note" .

The record names no resource of the submission: a withdrawn submission's resources must leave
the published graph with its data, and a record pointing to them would keep their pages alive.

Submissions accepted before reviews existed have a `#validation` activity, associated with the
submitter, in place of `#review`: they were published by their own archivist, as self-reviewed
ones are now.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pyoxigraph as ox

from ppkg.sparql.results import term_from_json
from ppkg.vocab import (ARCHIVIST_BASE, DCTERMS, PROV, PROVENANCE_GRAPH, RDF, RDFS, SH,
                        SHAPES_IRI, SUBMISSION_GRAPH_BASE, VOID, XSD)


def graph_iri(submission_id: str) -> str:
    return SUBMISSION_GRAPH_BASE + submission_id


def agent_iri(name: str) -> str:
    return ARCHIVIST_BASE + name


class _Quads:
    def __init__(self):
        self.graph = ox.NamedNode(PROVENANCE_GRAPH)
        self.quads: list = []

    def add(self, s, p: str, o) -> None:
        self.quads.append(ox.Quad(s if not isinstance(s, str) else ox.NamedNode(s),
                                  ox.NamedNode(p), o, self.graph))

    def nquads(self) -> str:
        return ox.serialize(self.quads, format=ox.RdfFormat.N_QUADS).decode()


def _lit(value, datatype: str | None = None):
    if datatype:
        return ox.Literal(str(value), datatype=ox.NamedNode(datatype))
    return ox.Literal(str(value))


@dataclass
class Acceptance:
    """What the record of an accepted submission says (see the module docstring)."""

    submission_id: str
    submitter: str
    submitted: str  # xsd:dateTime
    summary: str
    reviewer: str
    accepted: str  # xsd:dateTime
    note: str | None
    report: dict  # ppkg.archive.validation.Validation.to_json() of the validation at acceptance


def provenance_of_acceptance(a: Acceptance) -> str:
    g = graph_iri(a.submission_id)
    q = _Quads()
    n = ox.NamedNode
    for name in dict.fromkeys((a.submitter, a.reviewer)):
        q.add(agent_iri(name), RDF + "type", n(PROV + "Agent"))
        q.add(agent_iri(name), RDFS + "label", _lit(name))
    q.add(g, RDF + "type", n(PROV + "Entity"))
    q.add(g, RDFS + "label", _lit(f"Submission {a.submission_id}"))
    q.add(g, DCTERMS + "description", _lit(a.summary))
    q.add(g, PROV + "wasAttributedTo", n(agent_iri(a.submitter)))
    q.add(g, DCTERMS + "dateSubmitted", _lit(a.submitted, XSD + "dateTime"))
    q.add(g, PROV + "generatedAtTime", _lit(a.accepted, XSD + "dateTime"))
    q.add(g, VOID + "triples", _lit(a.report["triples"]["upload"], XSD + "integer"))
    q.add(g, DCTERMS + "conformsTo", n(SHAPES_IRI))
    activity, shapes, report = g + "#review", g + "#shapes", g + "#report"
    q.add(g, PROV + "wasGeneratedBy", n(activity))
    q.add(activity, RDF + "type", n(PROV + "Activity"))
    what = "Self-review" if a.reviewer == a.submitter else "Review"
    q.add(activity, RDFS + "label", _lit(f"{what} and acceptance of submission {a.submission_id}"))
    q.add(activity, PROV + "wasAssociatedWith", n(agent_iri(a.reviewer)))
    q.add(activity, PROV + "endedAtTime", _lit(a.accepted, XSD + "dateTime"))
    if a.note:
        q.add(activity, DCTERMS + "description", _lit(a.note))
    q.add(activity, PROV + "used", n(shapes))
    q.add(activity, PROV + "generated", n(report))
    version = a.report["shapesVersion"]
    q.add(shapes, RDF + "type", n(PROV + "Entity"))
    q.add(shapes, RDFS + "label", _lit(f"ppkg shapes, {version}"))
    q.add(shapes, PROV + "specializationOf", n(SHAPES_IRI))
    q.add(shapes, DCTERMS + "identifier", _lit(version))
    q.add(report, RDF + "type", n(SH + "ValidationReport"))
    q.add(report, SH + "conforms", _lit("true", XSD + "boolean"))
    for i, r in enumerate(a.report["results"], 1):
        _result(q, report, f"{g}#result-{i}", r)
    return q.nquads()


def _result(q: _Quads, report: str, node: str, r: dict) -> None:
    n = ox.NamedNode
    q.add(report, SH + "result", n(node))
    q.add(node, RDF + "type", n(SH + "ValidationResult"))
    q.add(node, SH + "resultSeverity", n(SH + r["severity"]))
    focus = r["focusNode"]
    q.add(node, SH + "focusNode", ox.BlankNode(focus[2:]) if focus.startswith("_:") else n(focus))
    path = r.get("path")
    if path and re.fullmatch(r"<[^<>\s]+>", path):
        q.add(node, SH + "resultPath", n(path[1:-1]))
    elif path:
        q.add(node, RDFS + "comment", _lit(f"path: {path}"))
    value = term_from_json(r.get("value"))
    if value is not None:
        q.add(node, SH + "value", value)
    q.add(node, SH + "resultMessage", _lit(r["message"]))
    if r.get("nodeShape"):
        q.add(node, SH + "sourceShape", n(r["nodeShape"]))
    if r.get("constraint"):
        q.add(node, SH + "sourceConstraintComponent", n(r["constraint"]))


def provenance_of_withdrawal(submission_id: str, archivist: str, when: str, note: str) -> str:
    g = graph_iri(submission_id)
    agent = agent_iri(archivist)
    activity = g + "#withdrawal"
    q = _Quads()
    n = ox.NamedNode
    q.add(agent, RDF + "type", n(PROV + "Agent"))
    q.add(agent, RDFS + "label", _lit(archivist))
    q.add(g, PROV + "invalidatedAtTime", _lit(when, XSD + "dateTime"))
    q.add(g, PROV + "wasInvalidatedBy", n(activity))
    q.add(activity, RDF + "type", n(PROV + "Activity"))
    q.add(activity, RDFS + "label", _lit(f"Withdrawal of submission {submission_id}"))
    q.add(activity, PROV + "wasAssociatedWith", n(agent))
    q.add(activity, PROV + "endedAtTime", _lit(when, XSD + "dateTime"))
    q.add(activity, DCTERMS + "description", _lit(note))
    return q.nquads()


