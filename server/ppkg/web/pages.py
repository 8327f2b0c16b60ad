"""What an HTML resource page shows, built from a Description (no Flask, no store).

`build_page` turns the quads of a description into: a title, the types, one row per property with
each value and the sources that state it, the conflicting claims (rows of
queries/source-disagreements.rq), the resources that refer to this one, and the embedded JSON-LD.
Every IRI shown is public (IriMap); every link goes to this server when the IRI is under its base.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from ppkg.linked_data import jsonld
from ppkg.linked_data.describe import (ONTOLOGY_NS, Description, Vocabulary, local_name,
                                       pick_label)
from ppkg.linked_data.iris import IriMap
from ppkg.linked_data.rdf import sorted_triples
from ppkg.vocab import (LABEL_PROPERTIES, ONTOLOGY_IRI, RDF_LANG_STRING, RDF_TYPE, RDFS, SKOS,
                        XSD)

COMMENT_PROPERTIES = (RDFS + "comment",)
FIRST_PROPERTIES = LABEL_PROPERTIES + COMMENT_PROPERTIES


@dataclass
class Link:
    iri: str  # public IRI
    label: str
    href: str
    external: bool = False
    types: list["Link"] = field(default_factory=list)


@dataclass
class Value:
    text: str  # the literal's lexical form, or the linked resource's label
    link: Link | None = None
    datatype: str | None = None  # a short name (xsd:duration → "duration")
    language: str | None = None
    nested: list[tuple[str, str]] = field(default_factory=list)  # a blank node's properties
    sources: list[Link] = field(default_factory=list)


@dataclass
class Row:
    property: Link
    values: list[Value]
    disputed: bool = False


@dataclass
class Referrer:
    link: Link
    sources: list[Link]


@dataclass
class IncomingGroup:
    property: Link
    referrers: list[Referrer]
    heading: str = ""


# How to say "the resources whose <property> is this one", for the main properties (keys: local
# names in the ppkg ontology, or full IRIs).
INCOMING_HEADINGS = {
    RDF_TYPE: "Instances",
    SKOS + "inScheme": "Concepts in {label}",
    SKOS + "topConceptOf": "Top concepts of {label}",
    SKOS + "broader": "Narrower than {label}",
    RDFS + "subClassOf": "Subclasses of {label}",
    RDFS + "subPropertyOf": "Subproperties of {label}",
    RDFS + "domain": "Properties of {label}",
    RDFS + "range": "Properties whose values are {label}",
    "concerns": "Events concerning {label}",
    "agent": "Carried out by {label}",
    "participant": "With {label} taking part",
    "member": "Memberships and positions of {label}",
    "organization": "Members of {label}",
    "role": "Memberships in this role",
    "speaker": "Statements by {label}",
    "about": "Statements and reports about {label}",
    "issuedBy": "Documents issued by {label}",
    "document": "Issuance of {label}",
    "underDecree": "Releases under {label}",
    "partOf": "Part of {label}",
    "inConnectionWith": "In connection with {label}",
    "occasion": "Said on this occasion",
    "source": "Reported by {label}",
    "publisher": "Published by {label}",
    "charge": "Charges and sentences for {label}",
    "occupation": "People with this occupation",
    "location": "Events in {label}",
    "parent": "Children of {label}",
    "recognisedAs": "Recognitions as {label}",
    "alleges": "Allegations of {label}",
    "qualifier": "Figures qualified as {label}",
    "peopleReleased": "People released, in the figure of",
    "politicalPrisonersReleased": "Political prisoners released, in the figure of",
    "politicalPrisonersBefore": "Political prisoners before, in the figure of",
    "politicalPrisonersRemaining": "Political prisoners remaining, in the figure of",
    "participantCount": "Participants, in the figure of",
}


@dataclass
class Claim:
    value: str
    source: Link


@dataclass
class Conflict:
    property: Link
    claims: list[Claim]


@dataclass
class ContentsGroup:
    type: Link
    items: list[Link]


@dataclass
class Page:
    iri: str
    label: str
    types: list[Value]
    rows: list[Row]
    incoming: list[IncomingGroup]
    conflicts: list[Conflict]
    sources: list[Link]
    jsonld: dict
    truncated: bool = False
    contents: list[ContentsGroup] = field(default_factory=list)  # what a source's graph describes


class Linker:
    """Labels and local links for IRIs, from a description and the vocabulary."""

    def __init__(self, iri_map: IriMap, vocab: Vocabulary, root: str,
                 labels: dict[str, list[ox.Literal]] | None = None,
                 types: dict[str, list[str]] | None = None):
        self.iri_map = iri_map
        self.vocab = vocab
        self.root = root.rstrip("/")
        self.labels = labels or {}
        self.types = types or {}
        self._picked: dict[str, str] = {}

    def href(self, iri: str, as_type: bool = False) -> tuple[str, bool]:
        """(link target, external?) for a stored or public IRI."""
        data_iri = self.iri_map.data(iri)
        if data_iri.startswith(ONTOLOGY_NS):
            name = data_iri[len(ONTOLOGY_NS):]
            if as_type and self.vocab.is_class(data_iri):
                return f"{self.root}/classes/{name}", False
            if self.vocab.is_property(data_iri):
                return f"{self.root}/ontology#{name}", False
            return f"{self.root}/terms/{name}", False
        path = self.iri_map.path(data_iri)
        if path is not None:
            return f"{self.root}/{path}", False
        public = self.iri_map.public(iri)
        # Only web addresses become links: a submitted IRI may have any scheme (javascript:).
        return (public if public.split(":", 1)[0].lower() in ("http", "https") else ""), True

    def label(self, iri: str) -> str:
        """The resource's label (memoised: a country may carry thousands, one per source)."""
        picked = self._picked.get(iri)
        if picked is None:
            found = self.labels.get(iri)
            picked = self._picked[iri] = pick_label(found) if found else self.vocab.label(iri)
        return picked

    def link(self, iri: str, as_type: bool = False, with_types: bool = False) -> Link:
        href, external = self.href(iri, as_type)
        link = Link(self.iri_map.public(iri), self.label(iri), href, external)
        if with_types:
            link.types = [self.link(t, as_type=True) for t in sorted(set(self.types.get(iri, ())))]
        return link

    def source_iri(self, graph: str) -> Link:
        return self.source(ox.NamedNode(graph))

    def source(self, graph) -> Link:
        if isinstance(graph, ox.DefaultGraph) or graph is None:
            return Link("", "the default graph", "", True)
        if graph.value == ONTOLOGY_IRI:
            return Link(self.iri_map.public(ONTOLOGY_IRI), self.label(ONTOLOGY_IRI),
                        f"{self.root}/ontology")
        return self.link(graph.value)


def datatype_name(datatype: str) -> str | None:
    if datatype in (XSD + "string", RDF_LANG_STRING):
        return None
    if datatype.startswith(XSD):
        return datatype[len(XSD):]
    return local_name(datatype)


def build_page(desc: Description, vocab: Vocabulary, iri_map: IriMap, root: str,
               conflict_rows: list[dict] | None = None) -> Page:
    me = ox.NamedNode(desc.iri)
    labels: dict[str, list[ox.Literal]] = {}
    types: dict[str, list[str]] = {}
    for q in desc.quads:
        if not isinstance(q.subject, ox.NamedNode):
            continue
        if q.predicate.value in LABEL_PROPERTIES and isinstance(q.object, ox.Literal):
            labels.setdefault(q.subject.value, []).append(q.object)
        elif q.predicate.value == RDF_TYPE and isinstance(q.object, ox.NamedNode):
            types.setdefault(q.subject.value, []).append(q.object.value)
    linker = Linker(iri_map, vocab, root, labels, types)

    # blank nodes: their own triples, to show inline
    blank: dict[str, list[ox.Quad]] = {}
    for q in desc.quads:
        if isinstance(q.subject, ox.BlankNode):
            blank.setdefault(q.subject.value, []).append(q)

    disputed = {row["property"].value for row in conflict_rows or () if "property" in row}

    # own triples, grouped by property then value, each with its sources
    by_property: dict[str, dict[tuple, Value]] = {}
    own_types: dict[str, list] = {}
    all_sources: dict[str, Link] = {}
    value_sources: dict[int, dict[str, Link]] = {}  # per Value: its sources by IRI, once each
    for q in desc.quads:
        if q.subject != me:
            continue
        source = linker.source(q.graph_name)
        all_sources.setdefault(source.iri, source)
        if q.predicate.value == RDF_TYPE and isinstance(q.object, ox.NamedNode):
            own_types.setdefault(q.object.value, []).append(source)
            continue
        values = by_property.setdefault(q.predicate.value, {})
        key = (type(q.object).__name__, str(q.object))
        value = values.get(key)
        if value is None:
            value = values[key] = _value(q.object, linker, blank)
        value_sources.setdefault(id(value), {}).setdefault(source.iri, source)
    for values in by_property.values():
        for value in values.values():
            value.sources = list(value_sources[id(value)].values())

    rows = []
    for prop, values in by_property.items():
        rows.append(Row(linker.link(prop), sorted(values.values(), key=lambda v: v.text),
                        prop in disputed))

    def row_order(row: Row):
        data_iri = iri_map.data(row.property.iri)
        first = FIRST_PROPERTIES.index(data_iri) if data_iri in FIRST_PROPERTIES else 99
        return (first, row.property.label.lower())
    rows.sort(key=row_order)

    type_values = []
    for t in sorted(own_types):
        link = linker.link(t, as_type=True)
        unique = {s.iri: s for s in own_types[t]}
        type_values.append(Value(link.label, link=link, sources=list(unique.values())))

    # incoming links, grouped by property
    incoming: dict[str, dict[str, Referrer]] = {}
    for q in desc.quads:
        if q.object != me or q.subject == me or not isinstance(q.subject, ox.NamedNode):
            continue
        source = linker.source(q.graph_name)
        all_sources.setdefault(source.iri, source)
        group = incoming.setdefault(q.predicate.value, {})
        ref = group.get(q.subject.value)
        if ref is None:
            ref = group[q.subject.value] = Referrer(linker.link(q.subject.value, with_types=True), [])
        if not any(s.iri == source.iri for s in ref.sources):
            ref.sources.append(source)
    title = linker.label(desc.iri)
    incoming_groups = []
    for prop, refs in incoming.items():
        link = linker.link(prop)
        data_prop = iri_map.data(prop)
        template = INCOMING_HEADINGS.get(data_prop[len(ONTOLOGY_NS):]) \
            if data_prop.startswith(ONTOLOGY_NS) else INCOMING_HEADINGS.get(data_prop)
        heading = template.format(label=title) if template else f"Linked here as “{link.label}”"
        incoming_groups.append(IncomingGroup(
            link, sorted(refs.values(), key=lambda r: r.link.label.lower()), heading))
    incoming_groups.sort(key=lambda g: (g.property.iri != iri_map.public(RDF_TYPE),
                                        g.property.label.lower()))

    conflicts = _conflicts(conflict_rows or [], linker)

    # a source: what its named graph describes, by type
    stated: dict[str, dict[str, Link]] = {}
    for q in desc.quads:
        if q.graph_name == me and q.subject != me and isinstance(q.subject, ox.NamedNode) \
                and q.predicate.value == RDF_TYPE and isinstance(q.object, ox.NamedNode):
            stated.setdefault(q.object.value, {})[q.subject.value] = linker.link(q.subject.value)
    contents = [ContentsGroup(linker.link(t, as_type=True),
                              sorted(items.values(), key=lambda l: l.label.lower()))
                for t, items in stated.items()]
    contents.sort(key=lambda g: g.type.label.lower())

    public_quads = [iri_map.quad(q) for q in desc.quads]
    document = jsonld.document(sorted_triples(public_quads, iri_map.public(desc.iri)),
                               iri_map.context, first=iri_map.public(desc.iri))
    return Page(iri=iri_map.public(desc.iri), label=title, types=type_values, rows=rows,
                incoming=incoming_groups, conflicts=conflicts,
                sources=sorted(all_sources.values(), key=lambda s: s.label.lower()),
                jsonld=document, truncated=desc.truncated, contents=contents)


def _value(term, linker: Linker, blank: dict[str, list[ox.Quad]]) -> Value:
    if isinstance(term, ox.NamedNode):
        link = linker.link(term.value, with_types=False)
        return Value(link.label, link=link)
    if isinstance(term, ox.BlankNode):
        nested = []
        for q in blank.get(term.value, ()):
            obj = q.object
            text = linker.label(obj.value) if isinstance(obj, ox.NamedNode) else \
                obj.value if isinstance(obj, ox.Literal) else "[…]"
            nested.append((linker.vocab.label(q.predicate.value), text))
        return Value("", nested=sorted(nested))
    if isinstance(term, ox.Literal):
        return Value(term.value, datatype=datatype_name(term.datatype.value),
                     language=term.language)
    return Value(str(term))


def _conflicts(rows: list[dict], linker: Linker) -> list[Conflict]:
    grouped: dict[str, Conflict] = {}
    for row in rows:
        prop = row.get("property")
        if prop is None:
            continue
        conflict = grouped.get(prop.value)
        if conflict is None:
            conflict = grouped[prop.value] = Conflict(linker.link(prop.value), [])
        for value_key, source_key in (("value1", "source1"), ("value2", "source2")):
            value, source = row.get(value_key), row.get(source_key)
            if value is None or source is None:
                continue
            claim = Claim(value.value, linker.source(source))
            if not any(c.value == claim.value and c.source.iri == claim.source.iri
                       for c in conflict.claims):
                conflict.claims.append(claim)
    for conflict in grouped.values():
        conflict.claims.sort(key=lambda c: c.source.label.lower())
    return sorted(grouped.values(), key=lambda c: c.property.label.lower())

