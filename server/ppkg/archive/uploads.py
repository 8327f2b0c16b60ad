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

from ppkg.archive.rdf_input import InputRefused, ParseError, check_safe, parse_error
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

RESOURCE_SCHEMES = ("http", "https", "urn", "file")
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
    check_safe(data, fmt, name)
    distinct: dict = {}
    try:
        for quad in ox.parse(data, format=fmt.oxigraph, rename_blank_nodes=True):
            distinct[quad] = None
            if len(distinct) > MAX_TRIPLES:  # stop reading: the rest is not needed to refuse
                raise InputRefused(f"The upload holds more than {MAX_TRIPLES} triples, the limit "
                                   "per upload: split it into several submissions", status=413)
    except SyntaxError as err:
        raise parse_error(name, err) from None
    except UnicodeDecodeError as err:
        raise ParseError(name, f"not valid UTF-8: {err}") from None
    return checked_upload(list(distinct), fmt, name)


def checked_upload(quads: list, fmt: RdfFormat, name: str = "upload",
                   max_triples: int = MAX_TRIPLES) -> Upload:
    """Quads parsed here or made by ppkg.entry, as an Upload once they pass the same checks."""
    if not quads:
        raise InputRefused("The upload holds no triples")
    if len(quads) > max_triples:
        raise InputRefused(f"The upload holds {len(quads)} triples, more than the limit of "
                           f"{max_triples} per upload: split it into several submissions",
                           status=413)
    graphs = sorted({q.graph_name.value for q in quads if q.graph_name != _DEFAULT_GRAPH})
    if graphs:
        shown = ", ".join(f"<{g}>" for g in graphs[:5]) + (" ..." if len(graphs) > 5 else "")
        raise InputRefused(
            f"The upload puts triples in the named graph {shown}: a submission is stored in a "
            "graph of its own and cannot write into another graph. Send the triples without a "
            "graph name (Turtle, N-Triples, RDF/XML, or TriG / N-Quads / JSON-LD with the default "
            "graph only).", graphs=graphs)
    _check_terms(quads)
    check_blank_nodes(quads)
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
            check_resource_iri(iri)
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




def check_resource_iri(iri: str) -> None:
    """A resource an upload describes has an http(s), urn or file IRI. (pyshacl takes a focus
    node of any other scheme for a prefixed name — `ppkg:x` would be validated as
    <…/ontology#x>, and `mailto:` failed with a TypeError.)"""
    scheme = iri.split(":", 1)[0].lower()
    if scheme not in RESOURCE_SCHEMES:
        raise InputRefused(f"<{iri}> cannot be described here: the resources of the graph have "
                           "http(s) or urn IRIs (use it as a value instead)")


def check_blank_nodes(quads: list) -> None:
    """Blank nodes nest: each is the value of at most one triple, and none leads back to itself.

    Shared or circular blank nodes cost canonical labelling (RDFC-1.0, for stable dumps and
    ETags) time exponential in their symmetries: an 8-node clique made a resource's page take 8 s
    and larger ones would have made it unanswerable for good. Such structures need IRIs.
    """
    parents: dict = {}
    for q in quads:
        if isinstance(q.object, ox.BlankNode):
            if q.object in parents:
                raise InputRefused(f"The blank node _:{q.object.value} is the value of more than "
                                   "one triple: give it an IRI (a blank node is nested under "
                                   "one parent)")
            parents[q.object] = q.subject
    rooted: set = set()  # blank nodes whose chain of parents ends at an IRI or a root
    for node in parents:
        path, current = [], node
        while isinstance(current, ox.BlankNode) and current not in rooted:
            if current in path:
                raise InputRefused(f"The blank node _:{current.value} leads back to itself "
                                   "through other blank nodes: give one of them an IRI")
            path.append(current)
            current = parents.get(current)
        rooted.update(path)
