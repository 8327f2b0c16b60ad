"""What a change-log entry means, read once for both stores.

An entry (ppkg.store.changelog) is a JSON object: `{"kind": "add", "graph", "data": N-Quads,
"provenance": N-Quads, …}` puts a submission's triples into its own graph and its records into the
provenance graph; `{"kind": "withdraw", "graph", "provenance": …}` removes the submission's graph
and adds the records of the withdrawal. `read_change` checks that an entry writes nowhere else,
whatever the file says, and returns the triples; each store applies the Change its own way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from ppkg.store.changelog import LogError
from ppkg.vocab import PROVENANCE_GRAPH, SUBMISSION_GRAPH_BASE

KINDS = ("add", "withdraw")


@dataclass
class Change:
    kind: str  # "add" or "withdraw"
    graph: str  # the submission's graph
    data: list[ox.Triple] = field(default_factory=list)  # what "add" puts into `graph`
    provenance: list[ox.Triple] = field(default_factory=list)  # added to the provenance graph
    key: str = ""  # "add <graph>": how a remote store remembers that it applied the change

    def quads(self) -> list[ox.Quad]:
        """The data in its graph and the records in the provenance graph, as quads."""
        g, p = ox.NamedNode(self.graph), ox.NamedNode(PROVENANCE_GRAPH)
        return ([ox.Quad(t.subject, t.predicate, t.object, g) for t in self.data]
                + [ox.Quad(t.subject, t.predicate, t.object, p) for t in self.provenance])


def read_change(entry: dict, where: str | Path = "<entry>") -> Change:
    """The Change an entry makes; LogError when it is malformed or would write elsewhere."""
    kind = entry.get("kind")
    graph = entry.get("graph", "")
    if not isinstance(graph, str) or not graph.startswith(SUBMISSION_GRAPH_BASE):
        raise LogError(f"{where}: graph {graph!r} is not a submission graph")
    if kind not in KINDS:
        raise LogError(f"{where}: unknown entry kind {kind!r}")
    data = _triples_in(entry.get("data", ""), graph, where) if kind == "add" else []
    provenance = _triples_in(entry.get("provenance", ""), PROVENANCE_GRAPH, where)
    return Change(kind=kind, graph=graph, data=data, provenance=provenance, key=f"{kind} {graph}")


def _triples_in(text: str, expected: str, where) -> list[ox.Triple]:
    if not text:
        return []
    if not isinstance(text, str):
        raise LogError(f"{where}: quads are not text")
    try:
        quads = list(ox.parse(text.encode(), format=ox.RdfFormat.N_QUADS))
    except SyntaxError as err:
        raise LogError(f"{where}: {err}") from None
    graph = ox.NamedNode(expected)
    if any(q.graph_name != graph for q in quads):
        raise LogError(f"{where}: quads outside {expected}")
    return [q.triple for q in quads]
