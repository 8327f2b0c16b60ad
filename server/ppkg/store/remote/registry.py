"""The registry graph in the remote store: ppkg's graphs, the changes applied, the version.

Every ppkg server in front of one store reads the same registry, so all agree on the graphs that
make the dataset and on its version (ETags).
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timezone
from typing import Iterable

from ppkg.store.remote.client import META_TIMEOUT, SparqlClient
from ppkg.store.remote.dialect import parse_results
from ppkg.vocab import XSD

REGISTRY = "urn:ppkg:store:registry"  # the graph that lists ppkg's graphs (not itself listed)
# A remote store's default graph is not ppkg's to fill (Virtuoso has none of its own: its default
# dataset is all graphs), so the default-graph triples of a TriG / N-Quads file go here: listed as
# a default graph of every query, never as a named one — as in the embedded store, `GRAPH ?g`
# does not see them.
DEFAULT_GRAPH = "urn:ppkg:store:default"
EMPTY_GRAPH = REGISTRY + ":none"  # a graph never written: an empty dataset, explicitly
# The union of ppkg's graphs, as a set: the default graph of every query without a dataset of its
# own (see the module docstring; like ppkg.store's materialised default graph). Not listed in the
# registry's graphs; the registry says `union` once it is complete (written by `ppkg load`).
UNION_GRAPH = "urn:ppkg:store:union"
_R = "urn:ppkg:store:"

def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


def registry_update(graphs_added: Iterable[str] = (), graphs_removed: Iterable[str] = (),
                     changes: Iterable[str] = (), union: bool = False) -> str:
    """Registry changes and a new version, as update operations."""
    reg = f"<{REGISTRY}>"
    ops = []
    for g in graphs_removed:
        ops.append(f"DELETE DATA {{ GRAPH {reg} {{ {reg} <{_R}graph> <{g}> }} }}")
    triples = [f"{reg} <{_R}graph> <{g}> ." for g in graphs_added]
    triples += [f"{reg} <{_R}change> {json.dumps(c)} ." for c in changes]
    if union:
        triples.append(f"{reg} <{_R}union> <{UNION_GRAPH}> .")
    ops.append(f"DELETE WHERE {{ GRAPH {reg} {{ {reg} <{_R}version> ?v }} }}")
    ops.append(f"DELETE WHERE {{ GRAPH {reg} {{ {reg} <{_R}modified> ?m }} }}")
    triples.append(f'{reg} <{_R}version> "{uuid.uuid4().hex[:16]}" .')
    triples.append(f'{reg} <{_R}modified> "{_now()}"^^<{XSD}dateTime> .')
    ops.append(f"INSERT DATA {{ GRAPH {reg} {{ {' '.join(triples)} }} }}")
    return " ;\n".join(ops)



def read_registry(client: SparqlClient) -> dict:
    """The registry graph: ppkg's graphs, the changes applied, the version, the union's state."""
    body = client.query(
        f"SELECT ?p ?o WHERE {{ GRAPH <{REGISTRY}> {{ <{REGISTRY}> ?p ?o }} }}",
        "application/sparql-results+json", META_TIMEOUT)
    info: dict = {"graphs": [], "changes": set(), "version": "", "modified": None,
                  "union": False}
    for p, o in parse_results(body)[1]:
        if p is None or o is None:
            continue
        if p.value == _R + "graph":
            info["graphs"].append(o.value)
        elif p.value == _R + "change":
            info["changes"].add(o.value)
        elif p.value == _R + "version":
            info["version"] = o.value
        elif p.value == _R + "modified":
            info["modified"] = o.value
        elif p.value == _R + "union":
            info["union"] = o.value == UNION_GRAPH
    info["graphs"].sort()
    return info
