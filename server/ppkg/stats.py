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


def compute(store: ox.Store) -> Stats:
    graphs = {g.value: int(n.value) for g, n in _rows(
        store, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g")}
    default = int(next(iter(_rows(store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))[0].value)
    classes = {c.value: int(n.value) for c, n in _rows(
        store,
        "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s a ?c } } GROUP BY ?c ORDER BY DESC(?n) ?c")}
    per_graph: dict[str, dict[str, int]] = {}
    for g, c, n in _rows(
        store,
        "SELECT ?g ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s a ?c } } GROUP BY ?g ?c ORDER BY ?g DESC(?n) ?c"):
        per_graph.setdefault(g.value, {})[c.value] = int(n.value)
    return Stats(triples=default + sum(graphs.values()), graphs=graphs, classes=classes,
                 classes_per_graph=per_graph)
