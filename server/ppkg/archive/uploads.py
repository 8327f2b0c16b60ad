"""Uploads: what archivists send, parsed safely (ppkg.archive.rdf_input) and checked.

An upload is a set of triples: a named graph in TriG, N-Quads or JSON-LD is refused (400, naming
the graph), since an accepted submission becomes a graph of its own and must not write into a
source's graph, the ontology, the provenance graph or another submission. Subjects in reserved
namespaces (the ontology, the shapes, the provenance and submission records, RDF/RDFS/OWL/XSD/SHACL
terms) are refused too: a submission adds data, it cannot redefine the vocabulary the shapes rely
on. `owl:imports` and any shapes in the upload are plain data: validation uses the server's shapes
only, and pyshacl is never asked to follow imports.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pyoxigraph as ox

from ppkg.archive.rdf_input import InputRefused, ParseError, check_json, check_xml, parse_error
from ppkg.formats import RdfFormat
from ppkg.vocab import (ARCHIVIST_BASE, DATA_BASE, ONTOLOGY_IRI, OWL, RDF, RDFS, SH, SHAPES_IRI,
                        SUBMISSION_GRAPH_BASE, XSD)


MAX_TRIPLES = 25_000  # per upload: beyond this, validation would outlast a worker's time limit
MAX_DEPTH = 256  # JSON-LD / RDF/XML nesting



RESERVED_NAMESPACES = (
    (ONTOLOGY_IRI, "the ppkg ontology"),
    (SHAPES_IRI, "the ppkg shapes"),
    (DATA_BASE + "graph/", "ppkg's graphs"),
    (DATA_BASE + ".well-known/", "ppkg's reserved IRIs"),
    (SUBMISSION_GRAPH_BASE, "the submission records"),
    (ARCHIVIST_BASE, "the archivists of the provenance records"),
    (RDF, "RDF"),
    (RDFS, "RDFS"),
    (OWL, "OWL"),
    (XSD, "XML Schema"),
    (SH, "SHACL"),
)

_BAD_IRI_CHARS = re.compile(r"[<>\"{}|^`\\\x00-\x20]")
_DEFAULT_GRAPH = ox.DefaultGraph()


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



def parse_upload(data: bytes, fmt: RdfFormat, name: str = "upload") -> Upload:
    """Parse an upload safely; raises ParseError (line, column) or InputRefused (status)."""
    if fmt.name == "rdfxml":
        check_xml(data)
    elif fmt.name == "jsonld":
        check_json(data)
    try:
        quads = list(dict.fromkeys(ox.parse(data, format=fmt.oxigraph, rename_blank_nodes=True)))
    except SyntaxError as err:
        raise parse_error(name, err) from None
    except UnicodeDecodeError as err:
        raise ParseError(name, f"not valid UTF-8: {err}") from None
    if not quads:
        raise InputRefused("The upload holds no triples")
    if len(quads) > MAX_TRIPLES:
        raise InputRefused(f"The upload holds {len(quads)} triples; the limit is {MAX_TRIPLES} "
                          "per upload: split it into several submissions", status=413)
    graphs = sorted({q.graph_name.value for q in quads if q.graph_name != _DEFAULT_GRAPH})
    if graphs:
        shown = ", ".join(f"<{g}>" for g in graphs[:5]) + (" ..." if len(graphs) > 5 else "")
        raise InputRefused(
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
                raise InputRefused(f"Invalid IRI in the upload: {term.value!r}")
            if isinstance(term, ox.Triple):
                raise InputRefused("RDF 1.2 triple terms are not accepted")
        if isinstance(q.subject, ox.NamedNode):
            iri = q.subject.value
            for namespace, what in RESERVED_NAMESPACES:
                if iri.startswith(namespace):
                    reserved.setdefault(iri, what)
                    break
    if reserved:
        shown = "; ".join(f"<{iri}> ({what})" for iri, what in list(reserved.items())[:5])
        raise InputRefused(
            f"The upload describes terms in reserved namespaces: {shown}. A submission adds "
            "data; it cannot change the ontology, the shapes, the vocabularies they use or the "
            "submission records.", subjects=sorted(reserved))


