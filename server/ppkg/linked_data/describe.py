"""What a resource's description holds, and the ontology's labels for showing it.

Used by the linked-data pages (ppkg.web.linked_data), the dataset description and the dumps.
Every store access goes through the query service; nothing here touches a Store.

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
from typing import Iterable

import pyoxigraph as ox

from ppkg.files import shipped
from ppkg.vocab import (DCTERMS, ONTOLOGY_IRI, OWL, PPKG, RDF, RDF_TYPE, RDFS,
                        SCHEMA, SKOS, VANN)

ONTOLOGY_NS = PPKG

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
    VANN + "preferredNamespacePrefix": "preferred namespace prefix",
    VANN + "preferredNamespaceUri": "preferred namespace URI",
    SCHEMA + "domainIncludes": "domain includes",
}




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
  }
  # Labels and types of the resources it links to and is linked from, labels of the sources.
  # One branch per way of being linked, each a join of its own: pyoxigraph then looks the
  # labels up per linked resource, where a UNION joined with the label pattern (or a VALUES
  # block) made it read every label in the store (seconds at a million triples).
  UNION {
    GRAPH ?g0 { ?r ?p0 ?s } GRAPH ?g { ?s ?p ?o }
    FILTER (isIRI(?s) && !sameTerm(?s, ?r) && ?p IN (rdfs:label, skos:prefLabel, rdf:type))
  } UNION {
    GRAPH ?g0 { ?s ?p0 ?r } GRAPH ?g { ?s ?p ?o }
    FILTER (isIRI(?s) && !sameTerm(?s, ?r) && ?p IN (rdfs:label, skos:prefLabel, rdf:type))
  } UNION {
    GRAPH ?s { ?r ?p0 ?o0 } GRAPH ?g { ?s ?p ?o }
    FILTER (isIRI(?s) && !sameTerm(?s, ?r) && ?p IN (rdfs:label, skos:prefLabel, rdf:type))
  } UNION {
    GRAPH ?s { ?s0 ?p0 ?r } GRAPH ?g { ?s ?p ?o }
    FILTER (isIRI(?s) && !sameTerm(?s, ?r) && ?p IN (rdfs:label, skos:prefLabel, rdf:type))
  } UNION {
    # When the resource names a graph (a source): the types and labels of what that graph
    # describes, so a client can reach everything the source states from the source.
    GRAPH ?r { ?s ?p ?o }
    FILTER (!sameTerm(?s, ?r) && ?p IN (rdfs:label, skos:prefLabel, rdf:type))
    BIND (?r AS ?g)
  }
}
"""

# What a description cannot do without: the resource's own triples and those pointing at it,
# its names first (what its page is titled by), then the rest of its own.
CORE_QUERY = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?r ?g ?s ?p ?o WHERE {
  { GRAPH ?g { ?r ?p ?o } BIND (?r AS ?s) } UNION { GRAPH ?g { ?s ?p ?r } BIND (?r AS ?o) }
}
ORDER BY DESC(sameTerm(?s, ?r) && ?p IN (rdfs:label, skos:prefLabel)) DESC(sameTerm(?s, ?r))
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
    """One SPARQL query through the QueryService: see DESCRIBE_QUERY.

    When the row limit cut it (a resource thousands of sources link to), what was kept is
    whatever the engine answered first — labels of sources, say, and none of the resource's own
    triples, which read as "unknown" (404). The resource's own triples and those pointing at it
    are then asked for on their own and come first.
    """
    node = ox.NamedNode(iri)
    result = service.select(DESCRIBE_QUERY, substitutions={"r": node}, limit=limit)
    quads = [ox.Quad(s, p, o, g) for _, g, s, p, o in result.rows]
    if result.truncated:
        core = service.select(CORE_QUERY, substitutions={"r": node}, limit=limit)
        first = [ox.Quad(s, p, o, g) for _, g, s, p, o in core.rows]
        kept = set(first)
        quads = first + [q for q in quads if q not in kept]
    return Description(iri, quads, result.truncated)


def conflicts(service, iri: str, quads: Iterable[ox.Quad] | None = None,
              vocab: "Vocabulary | None" = None) -> list[dict]:
    """The rows of queries/source-disagreements.rq about one subject.

    Given the subject's own quads (its description) and the vocabulary, the query is only asked
    when it can find something — two sources giving the subject different values of one
    single-valued property or different labels — since it costs tens of milliseconds at a
    million triples and most subjects have no such pair.
    """
    if quads is not None and vocab is not None and not may_disagree(iri, quads, vocab):
        return []
    result = service.select(disagreements_query(), substitutions={"subject": ox.NamedNode(iri)},
                            limit=UNLIMITED)
    return result.dicts()


def may_disagree(iri: str, quads: Iterable[ox.Quad], vocab: "Vocabulary") -> bool:
    """Whether two graphs give `iri` different values of a functional property or of rdfs:label
    (what every branch of the disagreement query needs)."""
    node = ox.NamedNode(iri)
    values: dict[str, set] = {}
    graphs: dict[str, set] = {}
    for q in quads:
        if q.subject != node or isinstance(q.graph_name, ox.DefaultGraph):
            continue
        p = q.predicate.value
        if p == RDFS + "label" or vocab.is_functional(p):
            values.setdefault(p, set()).add(q.object)
            graphs.setdefault(p, set()).add(q.graph_name)
    return any(len(values[p]) > 1 and len(graphs[p]) > 1 for p in values)


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


