"""The provenance records of submissions (PROV-O), in the graph <https://w3id.org/ppkg/graph/provenance>.

    <…/submission/ID> a prov:Entity ;
        rdfs:label "Submission ID" ;
        dcterms:description "the mandatory summary" ;
        prov:wasAttributedTo <…/archivist/NAME> ;        # the token's name
        prov:generatedAtTime "…"^^xsd:dateTime ;
        void:triples 42 ;
        dcterms:conformsTo <https://w3id.org/ppkg/shapes> ;
        prov:wasGeneratedBy <…/submission/ID#validation> .
    <…#validation> a prov:Activity ; prov:used <…#shapes> ; prov:generated <…#report> ; …
    <…#shapes> prov:specializationOf <https://w3id.org/ppkg/shapes> ;
        dcterms:identifier "sha256:…" .                  # the shapes' version
    <…#report> a sh:ValidationReport ; sh:conforms true ; sh:result <…#result-1> … # warnings
    # after a withdrawal:
    <…/submission/ID> prov:invalidatedAtTime "…"^^xsd:dateTime ;
        prov:wasInvalidatedBy <…#withdrawal> .
"""

from __future__ import annotations

import re

import pyoxigraph as ox

from ppkg.archive.tokens import Token
from ppkg.archive.validation import Validation
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


def provenance_of_add(submission_id: str, token: Token, summary: str, generated: str,
                      validation: Validation) -> str:
    g = graph_iri(submission_id)
    agent = agent_iri(token.name)
    q = _Quads()
    n = ox.NamedNode
    q.add(agent, RDF + "type", n(PROV + "Agent"))
    q.add(agent, RDFS + "label", _lit(token.name))
    q.add(g, RDF + "type", n(PROV + "Entity"))
    q.add(g, RDFS + "label", _lit(f"Submission {submission_id}"))
    q.add(g, DCTERMS + "description", _lit(summary))
    q.add(g, PROV + "wasAttributedTo", n(agent))
    q.add(g, PROV + "generatedAtTime", _lit(generated, XSD + "dateTime"))
    q.add(g, VOID + "triples", _lit(validation.upload.triples, XSD + "integer"))
    q.add(g, DCTERMS + "conformsTo", n(SHAPES_IRI))
    activity, shapes, report = g + "#validation", g + "#shapes", g + "#report"
    q.add(g, PROV + "wasGeneratedBy", n(activity))
    q.add(activity, RDF + "type", n(PROV + "Activity"))
    q.add(activity, RDFS + "label", _lit(f"Validation and acceptance of submission {submission_id}"))
    q.add(activity, PROV + "wasAssociatedWith", n(agent))
    q.add(activity, PROV + "endedAtTime", _lit(generated, XSD + "dateTime"))
    q.add(activity, PROV + "used", n(shapes))
    q.add(activity, PROV + "generated", n(report))
    q.add(shapes, RDF + "type", n(PROV + "Entity"))
    q.add(shapes, RDFS + "label", _lit(f"ppkg shapes, {validation.shapes_version}"))
    q.add(shapes, PROV + "specializationOf", n(SHAPES_IRI))
    q.add(shapes, DCTERMS + "identifier", _lit(validation.shapes_version))
    q.add(report, RDF + "type", n(SH + "ValidationReport"))
    q.add(report, SH + "conforms", _lit("true", XSD + "boolean"))
    results = validation.to_json()["results"]
    for i, r in enumerate(results, 1):
        node = f"{g}#result-{i}"
        q.add(report, SH + "result", n(node))
        q.add(node, RDF + "type", n(SH + "ValidationResult"))
        q.add(node, SH + "resultSeverity", n(SH + r["severity"]))
        focus = r["focusNode"]
        q.add(node, SH + "focusNode",
              ox.BlankNode(focus[2:]) if focus.startswith("_:") else n(focus))
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
    return q.nquads()


def provenance_of_withdrawal(submission_id: str, token: Token, when: str,
                             reason: str | None) -> str:
    g = graph_iri(submission_id)
    agent = agent_iri(token.name)
    activity = g + "#withdrawal"
    q = _Quads()
    n = ox.NamedNode
    q.add(agent, RDF + "type", n(PROV + "Agent"))
    q.add(agent, RDFS + "label", _lit(token.name))
    q.add(g, PROV + "invalidatedAtTime", _lit(when, XSD + "dateTime"))
    q.add(g, PROV + "wasInvalidatedBy", n(activity))
    q.add(activity, RDF + "type", n(PROV + "Activity"))
    q.add(activity, RDFS + "label", _lit(f"Withdrawal of submission {submission_id}"))
    q.add(activity, PROV + "wasAssociatedWith", n(agent))
    q.add(activity, PROV + "endedAtTime", _lit(when, XSD + "dateTime"))
    if reason:
        q.add(activity, DCTERMS + "description", _lit(reason))
    return q.nquads()


