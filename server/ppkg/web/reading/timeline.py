"""A timeline: events in the order their sources put them, each date with the source that gives it.

An event a source dates is placed at that date, as precise as the source is (a year stays a
year: drawn as a bar over the year, never as a day). An event no source dates is never given a
date; it is placed next to the event a source relates it to — part of a dated mass release, after
the charging it is "in connection with" — and says so, or else listed after the dated ones, with
whatever words its sources use for when it happened ("at the end of 2018"). Two sources that date
an event differently give two dates, each drawn in its source's lane.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ppkg.vocab import PPKG, RDF_TYPE
from ppkg.web.pages import Link, Linker
from ppkg.web.reading.claims import When, when
from ppkg.web.reading.neighbourhood import Neighbourhood

# The usual course of a case, to order events at the same date (or none).
COURSE = ["Arrest", "Charging", "Prosecution", "Sentencing", "Imprisonment", "HungerStrike",
          "Allegation", "Recognition", "SelfIdentification", "Protest", "Rally", "Campaign",
          "DocumentIssuance", "Release", "Interview", "Death"]


@dataclass
class DateClaim:
    source: Link
    when: When | None = None
    wording: str | None = None  # the source's own words for when (ppkg:dateDescription)
    unknown: bool = False  # the source says it does not date the event


@dataclass
class TimelineEvent:
    iri: str
    href: str
    label: str
    types: list[str]
    involvement: list[str]  # how the page's resource takes part: "concerns", "agent", …
    claims: list[DateClaim]
    sources: list[Link]
    placement: str = ""  # for an undated event: what places it, in words
    dated: bool = False
    disputed: bool = False  # sources give different dates
    related: bool = False  # not the page's own: a dated event one of its events is related to
    unplaced: bool = False  # undated, and related to no dated event
    rank: int = len(COURSE)


@dataclass
class Timeline:
    focus: Link | None
    events: list[TimelineEvent] = field(default_factory=list)
    lanes: list[Link] = field(default_factory=list)  # the sources that date something, in order
    truncated: bool = False
    total: int = 0  # events before any cut for size


def build(nb: Neighbourhood, linker: Linker, events: dict[str, list[str]],
          focus: Link | None, limit: int | None = None) -> Timeline:
    """The timeline of `events` ({event IRI: involvement}) as the neighbourhood states them."""
    items = {iri: _event(nb, linker, iri, how) for iri, how in events.items()}
    # The dated events the sources relate these to (the mass release a release was part of, the
    # protest a charging was in connection with) are shown too: they are what places the rest.
    for iri in list(items):
        for prop in ("partOf", "inConnectionWith"):
            for other, _ in nb.iris(iri, prop):
                if other not in items and nb.literals(other, "date"):
                    items[other] = _event(nb, linker, other, [])
                    items[other].related = True
    keys: dict[str, tuple] = {}
    for e in items.values():
        if e.dated:
            keys[e.iri] = (min(c.when.start for c in e.claims if c.when and c.when.start), 0)
    _place(nb, linker, items, keys)
    placed = sorted((e for e in items.values() if e.iri in keys),
                    key=lambda e: (keys[e.iri], e.rank, e.label.lower()))
    rest = sorted((e for e in items.values() if e.iri not in keys),
                  key=lambda e: (e.rank, e.label.lower()))
    for e in rest:
        e.unplaced = True
    ordered = placed + rest
    total = len(ordered)
    if limit is not None and total > limit:
        ordered = ordered[:limit]
    lanes: dict[str, Link] = {}
    for e in ordered:
        for c in e.claims:
            if c.when and c.when.start:
                lanes.setdefault(c.source.iri, c.source)
    return Timeline(focus, ordered, list(lanes.values()), nb.truncated or len(ordered) < total,
                    total)


def _event(nb: Neighbourhood, linker: Linker, iri: str, how: list[str]) -> TimelineEvent:
    graphs = sorted({g for _, g in nb.values(iri, RDF_TYPE)}
                    | {g for _, g in nb.literals(iri, "date")})
    claims = []
    for g in graphs:
        source = linker.source_iri(g)
        wording = next((o.value for o, gg in nb.literals(iri, "dateDescription") if gg == g), None)
        unknown = g in nb.flag(iri, "dateUnknown")
        dates = [when(o) for o, gg in nb.literals(iri, "date") if gg == g]
        for w in dates or [None]:
            claims.append(DateClaim(source, w, wording, unknown and w is None))
    types = nb.types(iri)
    names = [t[len(PPKG):] for t in types if t.startswith(PPKG)]
    rank = min((COURSE.index(n) for n in names if n in COURSE), default=len(COURSE))
    starts = {c.when.lexical for c in claims if c.when and c.when.start}
    link = linker.link(iri)
    return TimelineEvent(iri=link.iri, href=link.href, label=nb.label(iri) or link.label,
                         types=[linker.label(t) for t in types], involvement=how, claims=claims,
                         sources=_unique(c.source for c in claims), dated=bool(starts),
                         disputed=len(starts) > 1, rank=rank)


def _place(nb: Neighbourhood, linker: Linker, items: dict[str, TimelineEvent],
           keys: dict[str, tuple]) -> None:
    """Give undated events the place their sources' relations give them (never a date)."""
    for _ in range(len(items)):
        changed = False
        for iri, e in items.items():
            if iri in keys:
                continue
            found = _anchor(nb, linker, iri, items, keys)
            if found is not None:
                keys[iri], e.placement = found
                changed = True
        if not changed:
            return


def _anchor(nb, linker, iri, items, keys):
    """(sort key, words) placing an undated event by a related one, or None. A source that dates
    the related event is preferred to one that only relates them."""
    for prop, after in (("partOf", 0), ("inConnectionWith", 1)):
        related = [(other, g, _dates(nb, other, g)) for other, g in nb.iris(iri, prop)]
        related.sort(key=lambda r: not r[2])
        for other, g, dated in related:
            if other not in keys and not dated:
                continue
            key = keys.get(other) or (min(d.start for d in dated), 0)
            source = linker.source_iri(g).label
            if prop == "partOf":
                said = f", which {source} dates {dated[0].text}" if dated else ""
                return key, f"part of “{_label(nb, linker, other, g)}”{said}"
            return (key[0], key[1] + after), (f"after “{_label(nb, linker, other, g)}”, with "
                                              f"which {source} connects it")
    for later, g in nb.subjects("inConnectionWith", iri):
        if later in keys and later in items:
            key = keys[later]
            return (key[0], key[1] - 1), (f"before “{_label(nb, linker, later, g)}”, which "
                                          f"{linker.source_iri(g).label} connects with it")
    return None


def _dates(nb: Neighbourhood, iri: str, graph: str) -> list[When]:
    found = [when(o) for o, g in nb.literals(iri, "date") if g == graph]
    return [w for w in found if w.start]


def _label(nb: Neighbourhood, linker: Linker, iri: str, graph: str) -> str:
    return nb.label(iri, graph) or linker.label(iri)


def _unique(links) -> list[Link]:
    out: dict[str, Link] = {}
    for link in links:
        out.setdefault(link.iri, link)
    return list(out.values())
