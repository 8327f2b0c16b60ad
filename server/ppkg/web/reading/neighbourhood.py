"""What a reader's page is built from: the quads around one resource, each in the graph (the
source) that states it, fetched through the query service.

The linked-data description (ppkg.linked_data.describe) gives the resource's own triples, those
pointing at it, and the labels and types of its neighbours. NEIGHBOURHOOD_QUERY adds, for each
neighbour, what the source linking it to the resource says about it (an event's dates and the
people it concerns, a membership's organisation and role, a statement's text) and the labels,
types and dates of what that points to, in the same source (the organisation's name, the mass
release an event was part of). Keeping to the linking source bounds the answer: a country
labelled by thousands of sources is read once per source that links it here, not from all of them.

An organisation's page adds MEMBER_EVENTS_QUERY (what happened to its members), a source's page
SOURCE_GRAPH_QUERY (everything its graph states).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from ppkg.linked_data.describe import pick_label
from ppkg.linked_data.kinds import ClassKinds
from ppkg.vocab import LABEL_PROPERTIES, PPKG, RDF_TYPE

PREFIXES = """PREFIX rdf:  <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX ppkg: <https://w3id.org/ppkg/ontology#>
"""

# Labels, types and the when of a resource two steps away.
SECOND_HOP = ("rdfs:label, skos:prefLabel, rdf:type, ppkg:date, ppkg:dateDescription, "
              "ppkg:dateUnknown")

# One branch per way of being linked, each one join inside one graph, and FILTER ... IN rather
# than VALUES: so pyoxigraph looks up the few resources linked to ?r instead of reading every
# label in the store (see DESCRIBE_QUERY).
NEIGHBOURHOOD_QUERY = PREFIXES + """
SELECT DISTINCT ?r ?g ?s ?p ?o WHERE {
  { GRAPH ?g { ?r ?p0 ?s . ?s ?p ?o }
    FILTER (isIRI(?s) && !sameTerm(?s, ?r) && !sameTerm(?p0, rdf:type)) }
  UNION
  { GRAPH ?g { ?s ?p0 ?r . ?s ?p ?o } FILTER (!sameTerm(?s, ?r)) }
  UNION
  { GRAPH ?g { ?r ?p0 ?x . ?x ?p1 ?s . ?s ?p ?o }
    FILTER (isIRI(?x) && isIRI(?s) && !sameTerm(?x, ?r) && !sameTerm(?s, ?r)
            && !sameTerm(?p0, rdf:type) && !sameTerm(?p1, rdf:type) && ?p IN (%(hop)s)) }
  UNION
  { GRAPH ?g { ?x ?p0 ?r . ?x ?p1 ?s . ?s ?p ?o }
    FILTER (isIRI(?s) && !sameTerm(?x, ?r) && !sameTerm(?s, ?r) && !sameTerm(?p1, rdf:type)
            && ?p IN (%(hop)s)) }
}
""" % {"hop": SECOND_HOP}

# The events concerning an organisation's members (as any source states them), with their when,
# and the when of the events those are part of or in connection with (what places them).
MEMBER_EVENTS_QUERY = PREFIXES + """
SELECT DISTINCT ?r ?g ?s ?p ?o WHERE {
  { GRAPH ?gm { ?m ppkg:organization ?r ; ppkg:member ?member }
    GRAPH ?g { ?s ppkg:concerns ?member . ?s ?p ?o }
    FILTER (?p IN (rdfs:label, rdf:type, ppkg:concerns, ppkg:date, ppkg:dateDescription,
                   ppkg:dateUnknown, ppkg:partOf, ppkg:inConnectionWith, ppkg:underDecree)) }
  UNION
  { GRAPH ?gm { ?m ppkg:organization ?r ; ppkg:member ?member }
    GRAPH ?g { ?e ppkg:concerns ?member . ?e ?link ?s . ?s ?p ?o }
    FILTER (?link IN (ppkg:partOf, ppkg:inConnectionWith) && ?p IN (%s)) }
}
""" % SECOND_HOP

SOURCE_GRAPH_QUERY = "SELECT ?r ?g ?s ?p ?o WHERE { GRAPH ?r { ?s ?p ?o } BIND (?r AS ?g) }"


def fetch(service, query: str, iri: str, limit: int | None = None) -> tuple[list[ox.Quad], bool]:
    """The quads a query of this module answers for one resource, and whether they were cut.
    (?r is projected: pyoxigraph substitutes only projected variables.)"""
    result = service.select(query, substitutions={"r": ox.NamedNode(iri)}, limit=limit)
    quads = [ox.Quad(s, p, o, g) for _, g, s, p, o in result.rows
             if g is not None and s is not None and p is not None and o is not None]
    return quads, result.truncated


@dataclass
class Neighbourhood:
    """The quads around `iri`, indexed both ways; every answer keeps the graph that states it."""

    iri: str
    quads: list[ox.Quad]
    kinds: ClassKinds
    truncated: bool = False
    out: dict = field(default_factory=lambda: defaultdict(list), repr=False)
    inc: dict = field(default_factory=lambda: defaultdict(list), repr=False)
    by_subject: dict = field(default_factory=lambda: defaultdict(list), repr=False)

    def __post_init__(self) -> None:
        seen = set()
        for q in self.quads:
            if q in seen or isinstance(q.graph_name, ox.DefaultGraph):
                continue
            seen.add(q)
            self.by_subject[q.subject.value].append(q)
            s, p, o, g = q.subject.value, q.predicate.value, q.object, q.graph_name.value
            self.out[(s, p)].append((o, g))
            if isinstance(q.object, ox.NamedNode):
                self.inc[(o.value, p)].append((s, g))

    def values(self, s: str, p: str) -> list[tuple[object, str]]:
        """(object term, graph) for subject `s` and property `p` (a full IRI or a ppkg name)."""
        return self.out.get((s, _iri(p)), [])

    def iris(self, s: str, p: str) -> list[tuple[str, str]]:
        return [(o.value, g) for o, g in self.values(s, p) if isinstance(o, ox.NamedNode)]

    def literals(self, s: str, p: str) -> list[tuple[ox.Literal, str]]:
        return [(o, g) for o, g in self.values(s, p) if isinstance(o, ox.Literal)]

    def subjects(self, p: str, o: str) -> list[tuple[str, str]]:
        """(subject, graph) of the triples `?s p o`."""
        return self.inc.get((o, _iri(p)), [])

    def types(self, iri: str) -> list[str]:
        return sorted({t for t, _ in self.iris(iri, RDF_TYPE)})

    def kind(self, iri: str) -> str | None:
        return self.kinds.kind_of(self.types(iri))

    def is_a(self, iri: str, kind: str) -> bool:
        return any(self.kinds.kinds.get(t) == kind for t in self.types(iri))

    def label(self, iri: str, graph: str | None = None) -> str:
        """The label `graph` gives `iri` (any source's when it gives none); '' when unlabelled."""
        found = [o for p in LABEL_PROPERTIES for o, g in self.literals(iri, p)
                 if graph is None or g == graph]
        if not found and graph is not None:
            return self.label(iri)
        return pick_label(found)

    def flag(self, s: str, p: str) -> list[str]:
        """The graphs that say `s p true`."""
        return [g for o, g in self.literals(s, p) if o.value in ("true", "1")]


def _iri(p: str) -> str:
    return p if ":" in p else PPKG + p
