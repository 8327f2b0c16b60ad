"""Linked data: request paths ↔ IRIs, what a resource's description holds, and its RDF forms.

Used by the linked-data pages (ppkg.web.linked_data), the dataset description and the dumps.
Every store access goes through the QueryService; nothing here touches a Store.

IRIs. The shipped files mint IRIs under DATA_BASE (`https://w3id.org/ppkg/`): resources under
`id/{kind}/{slug}`, terms under `ontology#`. A server answers for a public base IRI
(Config.base_iri, env PPKG_BASE_IRI): the request path `/id/person/x` names the IRI
`<base>id/person/x`. When the public base is not DATA_BASE (a mirror, a local test server),
IriMap rewrites IRIs on the way in (public → data, to query the store) and on the way out (data →
public, in every description, page and link), as Pubby rewrites its dataset base to its web
base; the SPARQL endpoint and the dumps keep the IRIs as stored.

A description of a resource (one SPARQL query, DESCRIBE_QUERY) holds, each quad in the named graph
(the source) that states it:
- the resource's own triples, and those of blank nodes reachable from it (a concise bounded
  description; ppkg's graph has no blank nodes, others may);
- the triples that point at it (the events that concern a person, the statements by them, their
  memberships), with the triples of blank-node subjects among them;
- the labels (rdfs:label, skos:prefLabel) and types of every resource it links to or is linked
  from, and the labels of the sources that state any of it;
- when the resource is a source (its IRI names a graph): the types and labels of every resource
  its graph describes, so that everything a source states can be reached from it.
"""

from __future__ import annotations

import re
import sys
import threading
from dataclasses import dataclass, field
from functools import cached_property
from typing import Iterable, Sequence

import pyoxigraph as ox

from ppkg.files import shipped
from ppkg.formats import RdfFormat

DATA_BASE = "https://w3id.org/ppkg/"
ONTOLOGY_PATH = "ontology"
ONTOLOGY_IRI = DATA_BASE + ONTOLOGY_PATH  # also the name of the ontology's graph
ONTOLOGY_NS = ONTOLOGY_IRI + "#"
RESOURCE_PATH = "id/"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
SCHEMA = "https://schema.org/"
DCTERMS = "http://purl.org/dc/terms/"
RDF_TYPE = RDF + "type"
LABEL_PROPERTIES = (SKOS + "prefLabel", RDFS + "label")

MAX_PATH_LENGTH = 1024  # characters of a request path naming a resource; longer: 414
UNLIMITED = sys.maxsize  # a row limit for queries that must not be cut (ontology, dumps)

# Names of well-known terms the ontology graph does not label.
KNOWN_LABELS = {
    RDF_TYPE: "type",
    RDFS + "label": "label",
    RDFS + "comment": "description",
    RDFS + "subClassOf": "subclass of",
    RDFS + "subPropertyOf": "subproperty of",
    RDFS + "domain": "domain",
    RDFS + "range": "range",
    RDFS + "seeAlso": "see also",
    OWL + "sameAs": "same as",
    OWL + "Class": "OWL class",
    OWL + "ObjectProperty": "object property",
    OWL + "DatatypeProperty": "datatype property",
    OWL + "FunctionalProperty": "functional property",
    OWL + "Ontology": "ontology",
    OWL + "versionInfo": "version",
    OWL + "versionIRI": "version IRI",
    SKOS + "prefLabel": "preferred label",
    SKOS + "altLabel": "also called",
    SKOS + "inScheme": "in scheme",
    SKOS + "topConceptOf": "top concept of",
    SKOS + "Concept": "concept",
    SKOS + "ConceptScheme": "concept scheme",
    SKOS + "broader": "broader",
    SKOS + "narrower": "narrower",
    DCTERMS + "title": "title",
    DCTERMS + "description": "description",
    DCTERMS + "license": "licence",
    DCTERMS + "creator": "creator",
    "http://purl.org/vocab/vann/preferredNamespacePrefix": "preferred namespace prefix",
    "http://purl.org/vocab/vann/preferredNamespaceUri": "preferred namespace URI",
    SCHEMA + "domainIncludes": "domain includes",
}


def prefixes(base: str) -> dict[str, str]:
    """Prefixes for Turtle, TriG, RDF/XML and the JSON-LD context, under a public base IRI."""
    out = {
        "ppkg": base + ONTOLOGY_PATH + "#",
        "rdf": RDF,
        "rdfs": RDFS,
        "owl": OWL,
        "skos": SKOS,
        "schema": SCHEMA,
        "xsd": XSD,
        "dcterms": DCTERMS,
    }
    for kind in RESOURCE_KINDS:
        out[KIND_PREFIXES.get(kind, kind)] = base + RESOURCE_PATH + kind + "/"
    return out


RESOURCE_KINDS = ("person", "organization", "membership", "event", "document", "figure",
                  "statement", "reported-speech", "source", "offence", "role", "occupation",
                  "violation")
# The prefixes the graph files use (graph/*.trig).
KIND_PREFIXES = {"source": "src", "organization": "orgn", "membership": "mem", "document": "doc",
                 "figure": "fig", "statement": "st", "reported-speech": "rs", "offence": "off",
                 "violation": "vio", "occupation": "occ"}
JSONLD_CONTEXT_PREFIXES = ("ppkg", "rdfs", "skos", "schema", "xsd")


# --- IRIs and request paths ---------------------------------------------------------------------

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
        return prefixes(self.base)

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


def split_extension(last_segment: str, extensions: dict[str, str]) -> tuple[str, str | None]:
    """('slug', 'turtle') for 'slug.ttl' when the extension is one of `extensions` (ext → name)."""
    stem, dot, ext = last_segment.rpartition(".")
    if dot and stem and "." + ext.lower() in extensions:
        return stem, extensions["." + ext.lower()]
    return last_segment, None


# --- queries ------------------------------------------------------------------------------------

DESCRIBE_QUERY = """
PREFIX rdf:  <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?r ?g ?s ?p ?o WHERE {
  {
    # The resource's own triples.
    GRAPH ?g { ?r ?p ?o } BIND (?r AS ?s)
  } UNION {
    # Blank nodes reachable from it through blank nodes (any predicate: the path below).
    GRAPH ?g { ?r ?p0 ?b0 . ?b0 (<urn:ppkg:any>|!<urn:ppkg:any>)* ?s . ?s ?p ?o }
    FILTER (isBlank(?b0) && isBlank(?s))
  } UNION {
    # Triples that point at it.
    GRAPH ?g { ?s ?p ?r } BIND (?r AS ?o)
  } UNION {
    # The rest of a blank node that points at it.
    GRAPH ?g0 { ?s ?p0 ?r } FILTER (isBlank(?s))
    GRAPH ?g { ?s ?p ?o }
  } UNION {
    # Labels and types of the resources it links to and is linked from, labels of the sources.
    { GRAPH ?g0 { ?r ?p0 ?s } } UNION { GRAPH ?g0 { ?s ?p0 ?r } }
    UNION { GRAPH ?s { ?r ?p0 ?o0 } } UNION { GRAPH ?s { ?s0 ?p0 ?r } }
    FILTER (isIRI(?s) && !sameTerm(?s, ?r))
    VALUES ?p { rdfs:label skos:prefLabel rdf:type }
    GRAPH ?g { ?s ?p ?o }
  } UNION {
    # When the resource names a graph (a source): the types and labels of what that graph
    # describes, so a client can reach everything the source states from the source.
    GRAPH ?r { ?s ?p ?o }
    FILTER (!sameTerm(?s, ?r))
    VALUES ?p { rdfs:label skos:prefLabel rdf:type }
    BIND (?r AS ?g)
  }
}
"""

# Labels and kinds of the ontology's own terms (classes, properties, schemes), for headings.
VOCABULARY_QUERY = """
PREFIX rdf:  <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl:  <http://www.w3.org/2002/07/owl#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?term ?p ?o WHERE {
  GRAPH <%s> {
    ?term ?p ?o
    VALUES ?p { rdfs:label skos:prefLabel rdf:type rdfs:comment }
  }
}
""" % ONTOLOGY_IRI

ONTOLOGY_QUERY = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <%s> { ?s ?p ?o } }" % ONTOLOGY_IRI

INSTANCES_QUERY = """
PREFIX rdf:  <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?class ?x ?type ?g ?lp ?label ?lg ?glabel WHERE {
  ?type rdfs:subClassOf* ?class .
  GRAPH ?g { ?x rdf:type ?type }
  OPTIONAL { GRAPH ?lg { ?x ?lp ?label } VALUES ?lp { rdfs:label skos:prefLabel } }
  OPTIONAL { GRAPH ?g { ?g rdfs:label ?glabel } }
}
"""

CLASSES_QUERY = """
PREFIX rdf:  <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl:  <http://www.w3.org/2002/07/owl#>
SELECT ?class (COUNT(DISTINCT ?x) AS ?instances) WHERE {
  GRAPH <%s> { ?class rdf:type owl:Class }
  OPTIONAL { ?type rdfs:subClassOf* ?class . ?x rdf:type ?type }
}
GROUP BY ?class
""" % ONTOLOGY_IRI


def disagreements_query() -> str:
    """The query catalog's own rule for which facts sources disagree on (reused, not copied)."""
    return _read_query("source-disagreements.rq")


_queries: dict[str, str] = {}


def _read_query(name: str) -> str:
    if name not in _queries:
        _queries[name] = (shipped("queries") / name).read_text(encoding="utf-8")
    return _queries[name]


# --- descriptions -------------------------------------------------------------------------------

@dataclass
class Description:
    """The quads that describe `iri` (stored IRIs), each in the graph that states it."""

    iri: str
    quads: list[ox.Quad]
    truncated: bool = False

    @property
    def empty(self) -> bool:
        """No triple has the resource as subject or object: the IRI is unknown."""
        node = ox.NamedNode(self.iri)
        return not any(q.subject == node or q.object == node for q in self.quads)


def describe(service, iri: str, limit: int | None = None) -> Description:
    """One SPARQL query through the QueryService: see DESCRIBE_QUERY."""
    node = ox.NamedNode(iri)
    result = service.select(DESCRIBE_QUERY, substitutions={"r": node}, limit=limit)
    quads = [ox.Quad(s, p, o, g) for _, g, s, p, o in result.rows]
    return Description(iri, quads, result.truncated)


def conflicts(service, iri: str) -> list[dict]:
    """The rows of queries/source-disagreements.rq about one subject."""
    result = service.select(disagreements_query(), substitutions={"subject": ox.NamedNode(iri)},
                            limit=UNLIMITED)
    return result.dicts()


@dataclass
class Vocabulary:
    """Labels, types and comments of the ontology's terms (per data version, per process)."""

    labels: dict[str, list[ox.Literal]] = field(default_factory=dict)
    types: dict[str, set[str]] = field(default_factory=dict)
    comments: dict[str, list[ox.Literal]] = field(default_factory=dict)

    def is_class(self, iri: str) -> bool:
        return OWL + "Class" in self.types.get(iri, ())

    def is_property(self, iri: str) -> bool:
        return bool(self.types.get(iri, set()) & {OWL + "ObjectProperty", OWL + "DatatypeProperty",
                                                   RDF + "Property"})

    def is_functional(self, iri: str) -> bool:
        return OWL + "FunctionalProperty" in self.types.get(iri, ())

    def label(self, iri: str) -> str:
        found = self.labels.get(iri)
        if found:
            return pick_label(found)
        return KNOWN_LABELS.get(iri) or local_name_label(iri)


_vocabulary_lock = threading.Lock()
_vocabulary_cache: dict[str, Vocabulary] = {}


def vocabulary(service, version: str) -> Vocabulary:
    """The ontology's labels, read once per data version by this process."""
    with _vocabulary_lock:
        cached = _vocabulary_cache.get(version)
        if cached is not None:
            return cached
    result = service.select(VOCABULARY_QUERY, limit=UNLIMITED)
    vocab = Vocabulary()
    for term, p, o in result.rows:
        if not isinstance(term, ox.NamedNode):
            continue
        key = term.value
        if p.value == RDF_TYPE:
            vocab.types.setdefault(key, set()).add(o.value)
        elif p.value == RDFS + "comment":
            vocab.comments.setdefault(key, []).append(o)
        elif isinstance(o, ox.Literal):
            vocab.labels.setdefault(key, []).append(o)
    with _vocabulary_lock:
        _vocabulary_cache.clear()
        _vocabulary_cache[version] = vocab
    return vocab


def pick_label(labels: Iterable[ox.Literal]) -> str:
    """One label, the same every time: English or untagged first, then the shortest, then A–Z."""
    def rank(lit: ox.Literal):
        lang = (lit.language or "").lower()
        return (0 if lang in ("", "en") or lang.startswith("en-") else 1, len(lit.value), lit.value)
    found = sorted(labels, key=rank)
    return found[0].value if found else ""


def local_name(iri: str) -> str:
    for sep in ("#", "/"):
        if sep in iri:
            tail = iri.rsplit(sep, 1)[1]
            if tail:
                return tail
    return iri


def local_name_label(iri: str) -> str:
    """'timeServed' → 'time served': a readable fallback when nothing labels a term."""
    name = local_name(iri)
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).replace("_", " ").replace("-", " ")
    return spaced[:1].lower() + spaced[1:] if spaced[1:2].islower() else spaced


# --- RDF output -------------------------------------------------------------------------------

def _term_key(term) -> tuple:
    if term is None or isinstance(term, ox.DefaultGraph):
        return (0, "")
    kind = 1 if isinstance(term, ox.NamedNode) else 2 if isinstance(term, ox.BlankNode) else 3
    return (kind, str(term))


def used_prefixes(names: dict[str, str], quads: Sequence[ox.Quad]) -> dict[str, str]:
    """The prefixes some IRI of the quads (or a literal's datatype) starts with."""
    iris = set()
    for q in quads:
        for term in (q.subject, q.predicate, q.object, q.graph_name):
            if isinstance(term, ox.NamedNode):
                iris.add(term.value)
            elif isinstance(term, ox.Literal):
                iris.add(term.datatype.value)
    return {name: ns for name, ns in names.items()
            if any(iri.startswith(ns) and len(iri) > len(ns) for iri in iris)}


def canonical(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    """The quads with blank nodes relabelled by RDFC-1.0 (c14n0, c14n1 …), so the same data
    always gives the same bytes whatever labels a store gave its blank nodes on loading."""
    quads = list(quads)
    if not any(isinstance(t, ox.BlankNode) for q in quads
               for t in (q.subject, q.object, q.graph_name)):
        return quads
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return list(dataset)


def sorted_quads(quads: Iterable[ox.Quad], first: str | None = None) -> list[ox.Quad]:
    """Unique quads in a stable order: by graph, then the resource's own triples first."""
    def key(q: ox.Quad):
        own = 0 if first is not None and isinstance(q.subject, ox.NamedNode) \
            and q.subject.value == first else 1
        return (_term_key(q.graph_name), own, _term_key(q.subject), _term_key(q.predicate),
                _term_key(q.object))
    return sorted(set(quads), key=key)


def sorted_triples(quads: Iterable[ox.Quad], first: str | None = None) -> list[ox.Triple]:
    """The quads merged into one graph: unique triples, the resource's own first."""
    triples = {ox.Triple(q.subject, q.predicate, q.object) for q in quads}

    def key(t: ox.Triple):
        own = 0 if first is not None and isinstance(t.subject, ox.NamedNode) \
            and t.subject.value == first else 1
        return (own, _term_key(t.subject), _term_key(t.predicate), _term_key(t.object))
    return sorted(triples, key=key)


def serialize_quads(quads: Sequence[ox.Quad | ox.Triple], fmt: RdfFormat, iri_map: IriMap,
                    first: str | None = None, graphs: bool = False,
                    extra_prefixes: dict[str, str] | None = None) -> bytes:
    """Quads (stored IRIs; triples count as default-graph quads) in a format, with public IRIs.

    TriG and N-Quads keep each quad in its graph (the source); Turtle, N-Triples and RDF/XML get
    the merged triples; JSON-LD (compact, ppkg context) keeps the graphs only when `graphs`.
    """
    from ppkg.linked_data import jsonld

    public = canonical(iri_map.quad(q if isinstance(q, ox.Quad) else
                                    ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()))
                       for q in quads)
    first_public = iri_map.public(first) if first else None
    names = used_prefixes(dict(iri_map.prefixes, **(extra_prefixes or {})), public)
    if fmt.name == "jsonld":
        context = dict(iri_map.context, **(extra_prefixes or {}))
        return jsonld.dumps(sorted_quads(public, first_public) if graphs
                            else sorted_triples(public, first_public),
                            context, first=first_public)
    if fmt.name in ("trig", "nquads"):
        items = sorted_quads(public, first_public)
        kwargs = {"prefixes": names} if fmt.name == "trig" else {}
        return ox.serialize(items, format=fmt.oxigraph, **kwargs)
    items = sorted_triples(public, first_public)
    kwargs = {"prefixes": names} if fmt.name in ("turtle", "rdfxml") else {}
    return ox.serialize(items, format=fmt.oxigraph, **kwargs)
