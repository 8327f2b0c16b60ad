"""A network: the people, organisations, events, statements and documents around a resource, and
how its sources link them.

Nodes are the resource, what links to it or from it, and what those link to (two steps). A
membership is drawn as a line from the member to the organisation, named by the role; figures,
concepts and classes are not nodes. Every line lists the sources that state it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from ppkg.vocab import RDF_TYPE
from ppkg.web.pages import Link, Linker
from ppkg.web.reading.claims import Sources
from ppkg.web.reading.neighbourhood import Neighbourhood

NODE_KINDS = ("person", "organization", "event", "statement", "decree", "document", "source")
# Links that only say where a statement comes from: every statement has one; not drawn unless
# the page is the source's.
SOURCE_LINKS = ("https://w3id.org/ppkg/ontology#source",)
MAX_NODES = 150


@dataclass
class Node:
    id: str  # the public IRI
    label: str
    kind: str
    href: str
    focus: bool = False
    distance: int = 2


@dataclass
class Edge:
    source: str
    target: str
    label: str
    sources: list[Link] = field(default_factory=list)


@dataclass
class Network:
    focus: Link | None
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    truncated: bool = False
    total: int = 0  # nodes before the cut at MAX_NODES


def build(nb: Neighbourhood, linker: Linker, focus: str, whole_graph: bool = False) -> Network:
    """The network around `focus` (every node of the neighbourhood when `whole_graph`)."""
    kinds: dict[str, str] = {}

    def kind(iri: str) -> str | None:
        if iri not in kinds:
            kinds[iri] = nb.kind(iri) or ""
        return kinds[iri] or None

    edges: dict[tuple[str, str, str], Sources] = {}

    def add(s: str, label: str, o: str, graph: str) -> None:
        edges.setdefault((s, label, o), Sources()).add(linker.source_iri(graph))

    for q in nb.quads:
        if not isinstance(q.object, ox.NamedNode) or not isinstance(q.subject, ox.NamedNode) \
                or isinstance(q.graph_name, ox.DefaultGraph):
            continue
        s, p, o, g = q.subject.value, q.predicate.value, q.object.value, q.graph_name.value
        if p == RDF_TYPE or (p in SOURCE_LINKS and not whole_graph) or s == o:
            continue
        if kind(s) == "membership" and p.endswith("#member"):
            for org, og in nb.iris(s, "organization"):
                if og == g:
                    add(o, _role(nb, linker, s, g), org, g)
            continue
        if kind(s) in NODE_KINDS and kind(o) in NODE_KINDS:
            add(s, linker.label(p), o, g)

    distance = {focus: 0}
    for s, _, o in edges:
        if focus in (s, o):
            distance.setdefault(o if s == focus else s, 1)
    ids = {focus} | {s for s, _, _ in edges} | {o for _, _, o in edges}
    if not whole_graph:  # two steps at most: an edge must touch the focus or one of its neighbours
        reach, ids = set(distance), set(distance)
        for s, _, o in edges:
            if s in reach:
                ids.add(o)
            if o in reach:
                ids.add(s)
    ranked = sorted(ids, key=lambda i: (distance.get(i, 2), nb.label(i) or i))
    kept = set(ranked[:MAX_NODES])
    nodes = []
    for iri in ranked[:MAX_NODES]:
        link = linker.link(iri)
        nodes.append(Node(link.iri, nb.label(iri) or link.label, kind(iri) or "other", link.href,
                          iri == focus, distance.get(iri, 2)))
    public = {iri: linker.link(iri).iri for iri in kept}
    kept_edges = [Edge(public[s], public[o], label, sources.sorted())
                  for (s, label, o), sources in edges.items() if s in kept and o in kept]
    kept_edges.sort(key=lambda e: (e.source != public.get(focus), e.label, e.target, e.source))
    return Network(linker.link(focus) if focus else None, nodes, kept_edges,
                   len(ids) > len(kept) or nb.truncated, len(ids))


def _role(nb: Neighbourhood, linker: Linker, membership: str, graph: str) -> str:
    roles = [linker.label(r) for r, g in nb.iris(membership, "role") if g == graph]
    former = "former " if graph in nb.flag(membership, "former") else ""
    return former + (roles[0] if roles else "member") + " of"
