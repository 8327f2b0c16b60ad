"""Pages people read: what a person, organisation, event, decree, statement or source page shows
above the raw facts — who or what it is, a timeline, charges and sentences, quotes, members,
figures, who was freed, and a network — each value with the sources that state it.

`read(...)` builds a Reading from the linked-data description and the queries of
`neighbourhood` (all through the query service); no Flask here. The pictures' JSON twins
(ppkg.web.pictures) are `Reading.timeline` and `Reading.network` as data.
"""

from __future__ import annotations

from dataclasses import dataclass, field, is_dataclass

import pyoxigraph as ox

from ppkg.linked_data import describe as ld
from ppkg.linked_data.kinds import ClassKinds
from ppkg.vocab import LABEL_PROPERTIES, RDF_TYPE
from ppkg.web.pages import Link, Linker
from ppkg.web.reading import network as networks
from ppkg.web.reading import sections
from ppkg.web.reading import timeline as timelines
from ppkg.web.reading.neighbourhood import (
    MEMBER_EVENTS_QUERY,
    NEIGHBOURHOOD_QUERY,
    SOURCE_GRAPH_QUERY,
    Neighbourhood,
    fetch,
)

# The kinds of resource whose pages open with what a reader looks for.
READER_KINDS = ("person", "organization", "event", "decree", "document", "statement", "source")
# How an event involves the page's resource, by the property that links them.
INVOLVEMENT = ("concerns", "agent", "participant", "partOf", "inConnectionWith", "underDecree",
               "document", "ongoingAfter", "location", "occasion", "about")
MAX_TIMELINE = 500  # events on one page's timeline (a big organisation's members have more)


@dataclass
class Reading:
    kind: str
    focus: Link
    profile: list = field(default_factory=list)  # sections.Facet
    roles: list = field(default_factory=list)  # a person's memberships; an organisation's members
    case: list = field(default_factory=list)  # sections.CaseEvent
    quotes: list = field(default_factory=list)  # by the person or organisation; in the source
    said_about: list = field(default_factory=list)  # statements and judgements about it
    figures: list = field(default_factory=list)  # sections.FigureRow
    freed: list = field(default_factory=list)  # sections.Freed
    timeline: timelines.Timeline | None = None
    network: networks.Network | None = None
    # The published submissions that state something about it, newest first (ppkg.archive.records
    # Record), filled by the page's view.
    history: list = field(default_factory=list)
    truncated: bool = False


def as_data(value):
    """A picture (or any part of a Reading) as plain data for JSON: what dataclasses.asdict
    gives, without its deep copy of every value (a tenth of a page's time)."""
    if is_dataclass(value):
        return {name: as_data(getattr(value, name)) for name in value.__dataclass_fields__}
    if isinstance(value, list):
        return [as_data(v) for v in value]
    if isinstance(value, dict):
        return {k: as_data(v) for k, v in value.items()}
    return value


def around(service, iri: str, own_quads: list[ox.Quad], kinds: ClassKinds,
                  kind: str | None) -> Neighbourhood:
    """The quads a page of this kind is built from (see ppkg.web.reading.neighbourhood)."""
    if kind == "source":
        quads, cut = fetch(service, SOURCE_GRAPH_QUERY, iri)
    else:
        quads, cut = fetch(service, NEIGHBOURHOOD_QUERY, iri)
    if kind == "organization":
        more, cut_more = fetch(service, MEMBER_EVENTS_QUERY, iri)
        quads, cut = quads + more, cut or cut_more
    return Neighbourhood(iri, own_quads + quads, kinds, cut)


def linker_for(nb: Neighbourhood, vocab, iri_map, root: str) -> Linker:
    labels: dict[str, list] = {}
    types: dict[str, list] = {}
    for q in nb.quads:
        if q.predicate.value in LABEL_PROPERTIES and isinstance(q.object, ox.Literal):
            labels.setdefault(q.subject.value, []).append(q.object)
        elif q.predicate.value == RDF_TYPE and isinstance(q.object, ox.NamedNode):
            types.setdefault(q.subject.value, []).append(q.object.value)
    return Linker(iri_map, vocab, root, labels, types)


def events_of(nb: Neighbourhood, iri: str, kind: str | None) -> dict[str, list[str]]:
    """{event: how it involves the resource}: the events the page's timeline shows."""
    found: dict[str, list[str]] = {}
    if kind == "source":
        for (s, _), _values in list(nb.out.items()):
            if nb.is_a(s, "event"):
                found.setdefault(s, [])
        return found
    if nb.is_a(iri, "event"):
        found[iri] = ["this event"]
    for how in INVOLVEMENT:
        linked = [e for e, _ in nb.subjects(how, iri)] + [e for e, _ in nb.iris(iri, how)]
        for e in linked:
            if nb.is_a(e, "event") and e != iri:
                hows = found.setdefault(e, [])
                if how not in hows:
                    hows.append(how)
    if kind == "organization":
        members = {m for membership, _ in nb.subjects("organization", iri)
                   for m, _ in nb.iris(membership, "member")}
        for member in members:
            for e, _ in nb.subjects("concerns", member):
                if nb.is_a(e, "event"):
                    found.setdefault(e, ["concerns a member"])
    return found


def kind_of(iri: str, own_quads: list[ox.Quad], kinds: ClassKinds) -> str | None:
    """The resource's kind, from the types its description gives it."""
    node = ox.NamedNode(iri)
    return kinds.kind_of([q.object.value for q in own_quads
                          if q.subject == node and q.predicate.value == RDF_TYPE])


def read(service, iri: str, own_quads: list[ox.Quad], vocab, kinds: ClassKinds, iri_map,
         root: str, conflict_rows: list[dict], pictures_only: bool = False) -> Reading:
    """What a reader's page shows about `iri` (a stored IRI); `own_quads` is its description."""
    kind = kind_of(iri, own_quads, kinds) or ""
    nb = around(service, iri, own_quads, kinds, kind)
    linker = linker_for(nb, vocab, iri_map, root)
    focus = linker.link(iri)
    focus.label = nb.label(iri) or focus.label
    reading = Reading(kind, focus, truncated=nb.truncated)
    reading.timeline = timelines.build(nb, linker, events_of(nb, iri, kind), focus, MAX_TIMELINE)
    reading.network = networks.build(nb, linker, iri, whole_graph=kind == "source")
    if pictures_only:
        return reading
    disputes = {row["property"].value for row in conflict_rows if "property" in row}
    reading.profile = sections.facets(nb, linker, iri, sections.PROFILE.get(kind, sections.NAMES),
                                      disputes)
    if kind == "person":
        reading.roles = sections.roles(nb, linker, iri, as_member=True)
    elif kind == "organization":
        reading.roles = sections.roles(nb, linker, iri, as_member=False)
        _member_events(nb, linker, reading.roles)
    event_iris = [iri_map.data(e.iri) for e in reading.timeline.events]
    case_disputes = {}
    for event in event_iris:
        rows = ld.conflicts(service, event, nb.by_subject.get(event, []), vocab)
        case_disputes[event] = {row["property"].value for row in rows if "property" in row}
    reading.case = sections.case(nb, linker, reading.timeline.events, case_disputes)
    if kind == "source":
        statements = [s for s, _ in nb.out if nb.is_a(s, "statement")]
    elif kind == "statement":
        statements = [iri]
    else:
        statements = [s for s, _ in nb.subjects("speaker", iri)]
    reading.quotes = sections.quotes(nb, linker, dict.fromkeys(statements))
    spoken = set(statements)
    reading.said_about = sections.quotes(
        nb, linker, dict.fromkeys(s for s, _ in nb.subjects("about", iri) if s not in spoken))
    reading.figures = sections.figures(nb, linker, iri, disputes)
    if kind == "decree":
        reading.freed = sections.freed(nb, linker, dict.fromkeys(
            r for r, _ in nb.subjects("underDecree", iri)))
    elif kind == "event":
        reading.freed = sections.freed(nb, linker, dict.fromkeys(
            r for r, _ in nb.subjects("partOf", iri) if _is_release(nb, r)))
    return reading


def _is_release(nb: Neighbourhood, iri: str) -> bool:
    return any(t.endswith("#Release") for t in nb.types(iri))


def _member_events(nb: Neighbourhood, linker: Linker, members) -> None:
    for role in members:
        person = linker.iri_map.data(role.member.iri)
        seen = {}
        for e, g in nb.subjects("concerns", person):
            if nb.is_a(e, "event") and e not in seen:
                link = linker.link(e)
                link.label = nb.label(e, g) or link.label
                seen[e] = link
        role.events = sorted(seen.values(), key=lambda link: link.label.lower())
