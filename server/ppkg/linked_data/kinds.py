"""Which kind of thing a resource is, for readers: person, organization, event, statement,
document, source — from its rdf:type and the ontology's class hierarchy.

The hierarchy is read once per data version through the query service (the ontology graph's
rdfs:subClassOf pairs, closed here rather than with a property path, which Virtuoso 7.2.5 joins
wrongly with GRAPH patterns) and cached per process.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import pyoxigraph as ox

from ppkg.files import shipped
from ppkg.vocab import ONTOLOGY_IRI, PPKG, RDFS

# Kinds in the order a resource with several types is shown as (a membership page is rarer than
# a person's); each names the ontology classes it starts from.
KIND_ROOTS = {
    "person": ("Person",),
    "organization": ("Organization",),
    "event": ("Event",),
    "statement": ("Statement", "ReportedSpeech", "Characterisation"),
    "decree": ("Decree",),
    "document": ("Document",),
    "source": ("Source",),
    "membership": ("Membership",),
    "figure": ("Figure",),
}
SEARCHABLE = ("person", "organization", "event", "statement", "decree", "document", "source")

HIERARCHY_QUERY = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?class ?super WHERE { GRAPH <%s> { ?class rdfs:subClassOf ?super } }
""" % ONTOLOGY_IRI


@dataclass
class ClassKinds:
    """{class IRI: kind} for every ontology class under one of KIND_ROOTS (the nearest root's)."""

    kinds: dict[str, str] = field(default_factory=dict)

    def kind_of(self, types) -> str | None:
        """The kind of a resource with these rdf:types (the first in KIND_ROOTS order)."""
        found = {self.kinds[t] for t in types if t in self.kinds}
        return next((k for k in KIND_ROOTS if k in found), None)

    def classes(self, *kinds: str) -> list[str]:
        return sorted(c for c, k in self.kinds.items() if k in kinds)


def close(pairs: list[tuple[str, str]]) -> ClassKinds:
    """The kinds of every class, given (class, direct superclass) pairs."""
    parents: dict[str, set[str]] = {}
    for cls, sup in pairs:
        parents.setdefault(cls, set()).add(sup)
    roots = {PPKG + name: kind for kind, names in KIND_ROOTS.items() for name in names}
    out = ClassKinds()
    for cls in set(parents) | set(roots):
        seen, todo = set(), [cls]
        while todo:
            c = todo.pop()
            if c in seen:
                continue
            seen.add(c)
            todo.extend(parents.get(c, ()))
        matches = [roots[c] for c in seen if c in roots]
        if matches:
            # the most specific: decree before document (a decree is also a document)
            out.kinds[cls] = next(k for k in KIND_ROOTS if k in matches)
    return out


def shipped_hierarchy() -> list[tuple[str, str]]:
    """The shipped ontology's subclass pairs: ppkg's classes are what they are even when the
    store serves other files without the ontology (`ppkg serve data.trig`)."""
    pairs = []
    for path in sorted(shipped("ontology").glob("*.ttl")):
        for t in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
            if t.predicate.value == RDFS + "subClassOf" and isinstance(t.object, ox.NamedNode):
                pairs.append((t.subject.value, t.object.value))
    return pairs


_lock = threading.Lock()
_cache: dict[str, ClassKinds] = {}


def class_kinds(service, version: str) -> ClassKinds:
    """The ontology's classes by kind, read once per data version by this process."""
    with _lock:
        if version in _cache:
            return _cache[version]
    rows = service.select(HIERARCHY_QUERY, limit=1_000_000).rows
    pairs = [(c.value, s.value) for c, s in rows if isinstance(s, ox.NamedNode)]
    found = close(pairs or shipped_hierarchy())
    with _lock:
        _cache.clear()
        _cache[version] = found
    return found
