"""Triple counts of the embedded store: per named graph, of the union, of the default graph alone."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox


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
