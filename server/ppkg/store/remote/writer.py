"""Writing to the remote store: `ppkg load`, accepted changes, and the union graph.

Every write replaces a graph all-or-nothing (a staging graph, then MOVE), so two servers applying
the same change end with the same quads, and a failure leaves the target untouched.
"""

from __future__ import annotations

import logging
import time
import uuid
from typing import Mapping

import pyoxigraph as ox

from ppkg.errors import QueryError
from ppkg.store.entries import Change
from ppkg.store.remote.client import SparqlClient
from ppkg.store.remote.dialect import stored_triple
from ppkg.store.remote.registry import (
    _R,
    DEFAULT_GRAPH,
    UNION_GRAPH,
    read_registry,
    registry_update,
)
from ppkg.store.sources import source_files
from ppkg.vocab import PROVENANCE_GRAPH

log = logging.getLogger("ppkg.remote")

BATCH = 5000  # triples per INSERT DATA
UNION_BATCH = 100_000  # triples per update that copies graphs into the union


def _has_blank(t) -> bool:
    return isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode)


def _insert_batches(client: SparqlClient, graphs: list[str], triples: list) -> None:
    """INSERT the triples into each of `graphs` (one blank node label: one node in all)."""
    # Virtuoso 7.2.5 refuses blank nodes in INSERT DATA ("SP031: Blank node '_:b1' is not
    # allowed in a constant clause"), though SPARQL 1.1 allows them. Triples with blank nodes
    # go in one INSERT { ... } WHERE {} instead (one solution: each label is one fresh node, the
    # same across the whole request, so none may be split over two requests).
    plain = [t for t in triples if not _has_blank(t)]
    blank = [t for t in triples if _has_blank(t)]
    def template(chunk):
        body = "\n".join(stored_triple(t) for t in chunk)
        return " ".join(f"GRAPH <{g}> {{\n{body}\n}}" for g in graphs)

    for start in range(0, len(plain), BATCH):
        client.update(f"INSERT DATA {{ {template(plain[start:start + BATCH])} }}", timeout=300.0)
    if blank:
        client.update(f"INSERT {{ {template(blank)} }} WHERE {{}}", timeout=300.0)


def _replace(client: SparqlClient, target: str, fill) -> None:
    """Replace `target` with what `fill(staging)` writes into a fresh staging graph, then MOVE.

    A failure on the way drops the staging graph; the target is untouched until the MOVE.
    """
    staging = f"{_R}staging:{uuid.uuid4().hex}"
    try:
        fill(staging)
        client.update(f"MOVE SILENT GRAPH <{staging}> TO GRAPH <{target}>", timeout=300.0)
    except BaseException:
        try:
            client.update(f"DROP SILENT GRAPH <{staging}>")
        except QueryError:
            log.warning("could not drop the staging graph %s", staging)
        raise


def write_graph(client: SparqlClient, graph: str, triples: list) -> None:
    """Replace `graph` with `triples`, all-or-nothing (_replace)."""
    if not triples:  # MOVE drops the target first; an empty source would leave no graph at all
        client.update(f"DROP SILENT GRAPH <{graph}>")
    elif client.gsp_url:
        _replace(client, graph, lambda staging: client.put_graph(staging, _ntriples(triples)))
    else:
        _replace(client, graph, lambda staging: _insert_batches(client, [staging], triples))


def _ntriples(triples: list) -> bytes:
    return "".join(stored_triple(t) + "\n" for t in triples).encode()


def _copy_into(client: SparqlClient, target: str, graphs: list[str]) -> None:
    """Add the triples of `graphs` to `target` (a graph holds a triple once: a set union)."""
    listed = " ".join(f"<{g}>" for g in graphs)
    client.update(f"INSERT {{ GRAPH <{target}> {{ ?s ?p ?o }} }} "
                  f"WHERE {{ VALUES ?g {{ {listed} }} GRAPH ?g {{ ?s ?p ?o }} }}", timeout=300.0)


def _remove_from_union(client: SparqlClient, graph: str, others: list[str]) -> None:
    """Take out of the union the triples of `graph` that none of `others` states."""
    others = [g for g in others if g != graph]
    kept = (f"FILTER NOT EXISTS {{ GRAPH ?other {{ ?s ?p ?o }} "
            f"FILTER (?other IN ({', '.join(f'<{g}>' for g in others)})) }}" if others else "")
    client.update(f"DELETE {{ GRAPH <{UNION_GRAPH}> {{ ?s ?p ?o }} }} "
                  f"WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} {kept} }}", timeout=300.0)


def apply_change(client: SparqlClient, change: Change, *, graphs: list[str]) -> None:
    """Write one change to the remote store; `graphs`: the registry's graphs (the union of the
    others is kept when a graph is withdrawn)."""
    graph = change.graph
    if change.kind == "add":
        write_graph(client, graph, change.data)
        _copy_into(client, UNION_GRAPH, [graph])
        added, removed = [graph, PROVENANCE_GRAPH], []
    else:
        _remove_from_union(client, graph, graphs)  # before the drop, which forgets the triples
        client.update(f"DROP SILENT GRAPH <{graph}>")
        added, removed = [PROVENANCE_GRAPH], [graph]
    # Only now that the data is in place: the provenance, then the registry and the version.
    _insert_batches(client, [PROVENANCE_GRAPH, UNION_GRAPH], change.provenance)
    client.update(registry_update(added, removed, [change.key]))


def load_files(client: SparqlClient, paths=None, echo=None) -> dict[str, int]:
    """`ppkg load`: replace each graph of the files in the remote store; returns graph → triples.

    The files are parsed first (a bad file changes nothing), into the graphs the embedded store
    uses (ppkg.store.sources); each graph is then replaced all-or-nothing (write_graph), so
    loading twice leaves the same quads.
    """
    graphs: dict[str, list] = {}
    for source in source_files(paths):
        for quad in source.quads():
            g = DEFAULT_GRAPH if isinstance(quad.graph_name, ox.DefaultGraph) else quad.graph_name.value
            graphs.setdefault(g, []).append(quad.triple)
    sizes = {}
    for g, triples in graphs.items():
        unique = list(dict.fromkeys(triples))
        started = time.monotonic()
        write_graph(client, g, unique)
        sizes[g] = len(unique)
        if echo:
            echo(f"{g}: {len(unique)} triples ({time.monotonic() - started:.1f} s)")
    everything = sorted(set(graphs) | set(read_registry(client)["graphs"]))
    started = time.monotonic()
    build_union(client, everything, sizes)
    if echo:
        echo(f"{UNION_GRAPH} (the union, the default graph): "
             f"{time.monotonic() - started:.1f} s")
    client.update(registry_update(graphs_added=sorted(graphs), union=True))
    return sizes


def build_union(client: SparqlClient, graphs: list[str], sizes: Mapping[str, int]) -> None:
    """Fill UNION_GRAPH with the union of `graphs`, all-or-nothing (_replace).

    Copied some graphs at a time, about UNION_BATCH triples (`sizes`; a graph not in it counts
    as BATCH): one request per graph took minutes for the 3,785 graphs of the 1 M benchmark
    graph, and Virtuoso keeps each update in one transaction, so not all at once either.
    """
    def fill(staging):
        batch, weight = [], 0
        for graph in graphs:
            batch.append(graph)
            weight += sizes.get(graph, BATCH)
            if weight >= UNION_BATCH or len(batch) >= 1000:
                _copy_into(client, staging, batch)
                batch, weight = [], 0
        if batch:
            _copy_into(client, staging, batch)

    _replace(client, UNION_GRAPH, fill)
