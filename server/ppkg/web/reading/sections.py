"""The parts of a reader's page other than the pictures: who or what the resource is, the roles
people hold, charges and sentences, quotes, an organisation's members, a decree's figures and the
people it freed — every value with the sources that state it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from ppkg.vocab import PPKG, RDFS, SKOS
from ppkg.web.pages import Link, Linker
from ppkg.web.reading.claims import Claim, Sources, claims, literal_text
from ppkg.web.reading.neighbourhood import Neighbourhood

NAMES = [(RDFS + "label", "Name"), (SKOS + "altLabel", "Also called")]
# What the top of a page lists, by kind: (property, heading).
PROFILE = {
    "person": NAMES + [("occupation", "Occupation"), ("knownFor", "Known for"),
                       ("parent", "Parent"), (RDFS + "comment", "Notes")],
    "organization": NAMES + [(RDFS + "comment", "Notes")],
    "event": [(RDFS + "label", "Called"), ("concerns", "Concerning"), ("agent", "By"),
              ("participant", "With"), ("concernsDescription", "Concerning, in the source's words"),
              ("agentDescription", "By, in the source's words"), ("location", "Where"),
              ("partOf", "Part of"), ("inConnectionWith", "In connection with"),
              ("underDecree", "Under"), ("document", "Document"), ("recognisedAs", "Recognised as"),
              ("expressedIn", "Expressed in"), ("alleges", "Alleges"), ("demand", "Demand"),
              ("hashtag", "Hashtag"), ("platform", "Platform"), ("ongoing", "Still going on"),
              (RDFS + "comment", "Notes")],
    "decree": [(RDFS + "label", "Called"), ("title", "Title"), ("issuedBy", "Issued by"),
               ("occasionDescription", "Occasion"), ("summary", "Summary"), ("status", "Status"),
               ("demand", "Demand"), (RDFS + "comment", "Notes")],
    "source": [(RDFS + "label", "Called"), ("title", "Title"), ("publisher", "Publisher"),
               ("openingWords", "Opening words"), ("corpusFile", "Corpus file"),
               (RDFS + "comment", "Notes")],
    "statement": [(RDFS + "label", "Called"), ("speaker", "Speaker"),
                  ("speakerDescription", "Speaker, in the source's words"),
                  ("occasion", "Occasion"), ("occasionDescription", "Occasion, in the source's words"),
                  ("about", "About"), ("source", "Reported by")],
}
PROFILE["document"] = PROFILE["decree"]
CASE = [("charge", "Charges"), ("sentenceLength", "Sentence"), ("maximumPenalty", "Maximum penalty"),
        ("timeServed", "Time served"), ("durationDescription", "In the source's words"),
        ("ongoing", "Still going on")]
FIGURES = [("peopleReleased", "People released"),
           ("politicalPrisonersReleased", "Political prisoners released"),
           ("politicalPrisonersBefore", "Political prisoners before"),
           ("politicalPrisonersRemaining", "Political prisoners remaining"),
           ("participantCount", "Participants")]
QUOTE_KINDS = {"Statement": "quote", "ReportedSpeech": "reported", "Characterisation": "judgement"}


@dataclass
class Facet:
    """One heading of a list: its claims, and whether the sources disagree on it."""

    name: str
    claims: list[Claim]
    disputed: bool = False


@dataclass
class Role:
    organization: Link
    role: str
    sources: list[Link]
    member: Link | None = None
    former: bool = False
    since: str = ""
    events: list[Link] = field(default_factory=list)  # what happened to the member


@dataclass
class CaseEvent:
    event: Link
    types: list[str]
    facets: list[Facet]


@dataclass
class Quote:
    kind: str  # "quote" (verbatim), "reported" (the source reports it), "judgement" (the source's own)
    link: Link
    texts: list[Claim]
    speakers: list[Claim] = field(default_factory=list)
    context: list[Claim] = field(default_factory=list)
    occasion: list[Claim] = field(default_factory=list)
    about: list[Claim] = field(default_factory=list)


@dataclass
class Freed:
    person: Link
    release: Link
    sources: list[Link]


@dataclass
class FigureClaim:
    text: str  # "more than 400"
    as_stated: str
    by: str
    source: Link
    figure: Link


@dataclass
class FigureRow:
    name: str
    claims: list[FigureClaim]
    disputed: bool = False


def facets(nb: Neighbourhood, linker: Linker, iri: str, props, disputes=()) -> list[Facet]:
    out = []
    for prop, name in props:
        prop = prop if ":" in prop else PPKG + prop
        found = claims(nb.values(iri, prop), linker.source_iri,
                       lambda o, g: _claim(nb, linker, o, g))
        if found:
            out.append(Facet(name, found, prop in disputes))
    return out


def _claim(nb: Neighbourhood, linker: Linker, term, graph: str) -> Claim | None:
    if isinstance(term, ox.Literal):
        return Claim(literal_text(term))
    if isinstance(term, ox.NamedNode):
        link = linker.link(term.value)
        link.label = nb.label(term.value, graph) or link.label
        return Claim(link.label, link=link)
    return None


def roles(nb: Neighbourhood, linker: Linker, iri: str, as_member: bool) -> list[Role]:
    """A person's memberships and positions (as_member), or an organisation's members."""
    found: dict[tuple, tuple[Role, Sources]] = {}
    link_prop, other_prop = ("member", "organization") if as_member else ("organization", "member")
    for membership, g in nb.subjects(link_prop, iri):
        for other, og in nb.iris(membership, other_prop):
            if og != g:
                continue
            role = ", ".join(sorted(linker.label(r) for r, rg in nb.iris(membership, "role")
                                    if rg == g)) or "member"
            former = g in nb.flag(membership, "former")
            since = ", ".join(literal_text(o) for o, sg in nb.literals(membership, "since") if sg == g)
            other_link = linker.link(other)
            other_link.label = nb.label(other, g) or other_link.label
            key = (other, role, former, since)
            if key not in found:
                found[key] = (Role(other_link if as_member else linker.link(iri), role, [],
                                   None if as_member else other_link, former, since), Sources())
            found[key][1].add(linker.source_iri(g))
    for role, sources in found.values():
        role.sources = sources.sorted()
    key = (lambda r: r.organization.label.lower()) if as_member else \
        (lambda r: r.member.label.lower())
    return sorted((role for role, _ in found.values()), key=key)


def case(nb: Neighbourhood, linker: Linker, events: list, disputes: dict[str, set]) -> list[CaseEvent]:
    """Charges, sentences and time served, event by event (in the timeline's order)."""
    out = []
    for e in events:
        iri = linker.iri_map.data(e.iri)
        found = facets(nb, linker, iri, CASE, disputes.get(iri, ()))
        if found:
            out.append(CaseEvent(linker.link(iri), e.types, found))
    return out


def quotes(nb: Neighbourhood, linker: Linker, iris) -> list[Quote]:
    out = []
    for iri in iris:
        kind = next((QUOTE_KINDS[t[len(PPKG):]] for t in nb.types(iri)
                     if t.startswith(PPKG) and t[len(PPKG):] in QUOTE_KINDS), None)
        if kind is None:
            continue

        def get(prop, _iri=iri):
            return claims(nb.values(_iri, PPKG + prop), linker.source_iri,
                          lambda o, g: _claim(nb, linker, o, g))

        texts = get("text")
        if not texts:
            continue
        speakers = get("speaker") or get("speakerDescription")
        link = linker.link(iri)
        link.label = nb.label(iri) or link.label
        out.append(Quote(kind, link, texts, speakers, get("context"),
                         get("occasion") + get("occasionDescription"), get("about")))
    order = {"quote": 0, "reported": 1, "judgement": 2}
    return sorted(out, key=lambda q: (order[q.kind], q.texts[0].sources[0].label if q.texts[0].sources
                                      else "", q.link.label))


def figures(nb: Neighbourhood, linker: Linker, iri: str, disputes=()) -> list[FigureRow]:
    rows = []
    for prop, name in FIGURES:
        found = []
        for figure, g in nb.iris(iri, prop):
            value = " ".join(o.value for o, fg in nb.literals(figure, "value") if fg == g)
            qualifier = " ".join(linker.label(q) for q, fg in nb.iris(figure, "qualifier") if fg == g)
            text = f"{qualifier} {value}".strip() if qualifier != "exactly" else value
            said = " ".join(o.value for o, fg in nb.literals(figure, "asStated") if fg == g)
            by = "; ".join(o.value for p in ("estimatedBy", "identifiedBy")
                           for o, fg in nb.literals(figure, p) if fg == g)
            found.append(FigureClaim(text, said, by, linker.source_iri(g), linker.link(figure)))
        if found:
            found.sort(key=lambda c: c.source.label.lower())
            rows.append(FigureRow(name, found, PPKG + prop in disputes))
    return rows


def freed(nb: Neighbourhood, linker: Linker, releases) -> list[Freed]:
    """The people the releases concern, each with their release and the sources saying so."""
    found: dict[str, tuple[Freed, Sources]] = {}
    for release in releases:
        for person, g in nb.iris(release, "concerns"):
            if person not in found:
                link = linker.link(person)
                link.label = nb.label(person, g) or link.label
                release_link = linker.link(release)
                release_link.label = nb.label(release, g) or release_link.label
                found[person] = (Freed(link, release_link, []), Sources())
            found[person][1].add(linker.source_iri(g))
    for freed_, sources in found.values():
        freed_.sources = sources.sorted()
    return sorted((f for f, _ in found.values()), key=lambda f: f.person.label.lower())
