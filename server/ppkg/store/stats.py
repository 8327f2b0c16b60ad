"""What a dataset holds, for `ppkg stats`: triples per named graph, instances per class, through
any store's query service."""

from __future__ import annotations

from dataclasses import dataclass

from ppkg.linked_data.describe import UNLIMITED
from ppkg.store import QueryBackend

CLASSES_PER_GRAPH = """
SELECT ?g ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s a ?c } }
GROUP BY ?g ?c ORDER BY ?g DESC(?n) ?c
"""
CLASSES = """
SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s a ?c } } GROUP BY ?c ORDER BY DESC(?n) ?c
"""


@dataclass
class Stats:
    triples: int
    graphs: dict[str, int]  # named graph → triples
    classes: dict[str, int]  # class IRI → distinct instances (all graphs)
    classes_per_graph: dict[str, dict[str, int]]  # graph → class IRI → instances


def compute(service: QueryBackend) -> Stats:
    counts = service.counts()
    classes = {c.value: int(n.value) for c, n in service.select(CLASSES, limit=UNLIMITED).rows}
    per_graph: dict[str, dict[str, int]] = {}
    for g, c, n in service.select(CLASSES_PER_GRAPH, limit=UNLIMITED).rows:
        per_graph.setdefault(g.value, {})[c.value] = int(n.value)
    return Stats(triples=counts.triples, graphs=counts.graphs, classes=classes,
                 classes_per_graph=per_graph)
