"""Counts of what a dataset holds: triples per named graph, instances per class."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox


@dataclass
class Stats:
    triples: int
    graphs: dict[str, int]  # named graph → triples
    classes: dict[str, int]  # class IRI → distinct instances (all graphs)
    classes_per_graph: dict[str, dict[str, int]]  # graph → class IRI → instances


def _rows(store: ox.Store, query: str):
    return [tuple(s) for s in store.query(query)]


def _count(store: ox.Store, query: str) -> int:
    return int(_rows(store, query)[0][0].value)


@dataclass
class TripleCounts:
    graphs: dict[str, int]  # named graph → triples
    union: int  # distinct triples of the default graph, the union of all graphs
    default_only: int  # triples the default graph holds that no named graph does

    @property
    def dataset(self) -> int:
        """The quads of the dataset: the named graphs' and those only in the default graph."""
        return sum(self.graphs.values()) + self.default_only


def triple_counts(store: ox.Store) -> TripleCounts:
    """Counts of a ppkg store, whose default graph holds the union (ppkg.store.materialize_union)."""
    graphs = {g.value: int(n.value) for g, n in _rows(
        store, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g")}
    return TripleCounts(
        graphs=graphs,
        union=_count(store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"),
        default_only=_count(store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o "
                                   "FILTER NOT EXISTS { GRAPH ?g { ?s ?p ?o } } }"))


def compute(store: ox.Store) -> Stats:
    counts = triple_counts(store)
    classes = {c.value: int(n.value) for c, n in _rows(
        store,
        "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s a ?c } } GROUP BY ?c ORDER BY DESC(?n) ?c")}
    per_graph: dict[str, dict[str, int]] = {}
    for g, c, n in _rows(
        store,
        "SELECT ?g ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s a ?c } } GROUP BY ?g ?c ORDER BY ?g DESC(?n) ?c"):
        per_graph.setdefault(g.value, {})[c.value] = int(n.value)
    return Stats(triples=counts.dataset, graphs=counts.graphs, classes=classes,
                 classes_per_graph=per_graph)
