"""Request paths and IRIs: which IRI a path names, and the public ↔ stored IRI mapping.

The shipped files mint IRIs under DATA_BASE (`https://w3id.org/ppkg/`): resources under
`id/{kind}/{slug}`, terms under `ontology#`. A server answers for a public base IRI
(Config.base_iri, env PPKG_BASE_IRI): the request path `/id/person/x` names the IRI
`<base>id/person/x`. When the public base is not DATA_BASE (a mirror, a local test server),
IriMap rewrites IRIs on the way in (public → data, to query the store) and on the way out (data →
public, in every description, page and link), as Pubby rewrites its dataset base to its web
base; the SPARQL endpoint and the dumps keep the IRIs as stored.
"""

from __future__ import annotations

import re
from functools import cached_property

import pyoxigraph as ox

from ppkg.vocab import DATA_BASE, JSONLD_CONTEXT_PREFIXES, resource_prefixes

MAX_PATH_LENGTH = 1024  # characters of a request path naming a resource; longer: 414


class BadPath(ValueError):
    """A request path that cannot name a resource; `status` is the HTTP answer (400, 404, 414)."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


class IriMap:
    """Between the public base IRI a server answers for and the IRIs stored (DATA_BASE)."""

    def __init__(self, base: str):
        self.base = base if base.endswith("/") else base + "/"
        self.identity = self.base == DATA_BASE

    def public(self, iri: str) -> str:
        if not self.identity and iri.startswith(DATA_BASE):
            return self.base + iri[len(DATA_BASE):]
        return iri

    def data(self, iri: str) -> str:
        if not self.identity and iri.startswith(self.base):
            return DATA_BASE + iri[len(self.base):]
        return iri

    def term(self, term):
        """A pyoxigraph term with its IRI made public (literals and blank nodes unchanged)."""
        if self.identity:
            return term
        if isinstance(term, ox.NamedNode):
            value = term.value
            return ox.NamedNode(self.public(value)) if value.startswith(DATA_BASE) else term
        if isinstance(term, ox.Triple):
            return ox.Triple(self.term(term.subject), self.term(term.predicate),
                             self.term(term.object))
        return term

    def quad(self, quad: ox.Quad) -> ox.Quad:
        if self.identity:
            return quad
        graph = quad.graph_name
        return ox.Quad(self.term(quad.subject), self.term(quad.predicate), self.term(quad.object),
                       graph if isinstance(graph, ox.DefaultGraph) else self.term(graph))

    def path(self, iri: str) -> str | None:
        """The server path ('id/person/x', 'ontology') of a public or stored IRI under the base."""
        iri = self.public(iri)
        if iri.startswith(self.base):
            return iri[len(self.base):]
        return None

    @cached_property
    def prefixes(self) -> dict[str, str]:
        return resource_prefixes(self.base)

    @cached_property
    def context(self) -> dict[str, str]:
        """The JSON-LD context: the ppkg, rdfs, skos, schema and xsd prefixes."""
        return {name: self.prefixes[name] for name in JSONLD_CONTEXT_PREFIXES}


# Characters a path segment of a ppkg IRI may hold once the server has percent-decoded it: IRI
# unreserved characters, sub-delimiters, ':' and '@', percent-encoded octets, and the non-ASCII
# characters RFC 3987 allows (ucschar): its ipchar.
_SEGMENT = re.compile(r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@\u00a0-\ud7ff\uf900-\ufdcf\ufdf0-\uffef"
                      r"\U00010000-\U000efffd]|%[0-9A-Fa-f]{2})+")


def check_path(path: str) -> list[str]:
    """The segments of a request path below the site root ('id/person/x'), or BadPath."""
    if len(path) > MAX_PATH_LENGTH:
        raise BadPath(f"The path is too long ({len(path)} characters; at most "
                      f"{MAX_PATH_LENGTH})", 414)
    segments = path.split("/")
    for segment in segments:
        if segment in (".", ".."):
            raise BadPath("'.' and '..' are not allowed in a resource path")
        if segment == "":
            raise BadPath("A resource path has no empty segments", 404)
        if not _SEGMENT.fullmatch(segment):
            bad = next((c for c in segment if c != "%" and not _SEGMENT.fullmatch(c)), "%")
            raise BadPath(f"The character {bad!r} cannot appear in a resource IRI")
    return segments
