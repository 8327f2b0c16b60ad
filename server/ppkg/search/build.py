"""Filling the search index: from the published graph through the query service when the app is
built, then from each accepted change the store applies (StoreDataset.on_change).

Both paths turn quads into index rows with `rows_of`, so a name reads the same whether it was
loaded from a file or submitted. Pending submissions are never in the store, so never indexed.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pyoxigraph as ox

from ppkg.linked_data.describe import UNLIMITED
from ppkg.linked_data.kinds import SEARCHABLE, ClassKinds
from ppkg.search.index import LABEL, NAME, QUOTE, Row, SearchIndex
from ppkg.vocab import ONTOLOGY_GRAPH, PPKG, PROVENANCE_GRAPH, RDF_TYPE, RDFS, SKOS

log = logging.getLogger("ppkg.search")

FIELDS = {RDFS + "label": LABEL, SKOS + "prefLabel": LABEL, SKOS + "altLabel": NAME,
          PPKG + "title": NAME, PPKG + "text": QUOTE}

# Every name and quote, and every type of a searchable kind, in the graph that states it: one
# branch per property (a VALUES block over the properties made pyoxigraph take seconds more).
BRANCH = "{ GRAPH ?g { ?x <%(p)s> ?o } BIND (<%(p)s> AS ?p) }"
TYPES = "{ GRAPH ?g { ?x <%(p)s> ?o } FILTER (?o IN (%(classes)s)) BIND (<%(p)s> AS ?p) }"
# The graphs are read a batch at a time (as the query's named graphs), so that no one query
# outlasts the time limit however large the store; the ontology (class and concept labels) and
# the provenance records are not what people look for.
BATCH = 200
LEFT_OUT = (ONTOLOGY_GRAPH, PROVENANCE_GRAPH)


def index_query(kinds: ClassKinds) -> str:
    classes = ", ".join(str(ox.NamedNode(c)) for c in kinds.classes(*SEARCHABLE))
    branches = [BRANCH % {"p": p} for p in FIELDS]
    branches.append(TYPES % {"p": RDF_TYPE, "classes": classes or "<urn:ppkg:none>"})
    return "SELECT ?g ?x ?p ?o WHERE { " + " UNION ".join(branches) + " }"


def rows_of(quads) -> list[Row]:
    """Index rows for (graph, subject, predicate, object) terms; anything else is left out."""
    rows = []
    for g, s, p, o in quads:
        if not isinstance(s, ox.NamedNode) or not isinstance(g, ox.NamedNode):
            continue
        if p.value == RDF_TYPE and isinstance(o, ox.NamedNode):
            rows.append(Row(s.value, g.value, "type", o.value))
        elif p.value in FIELDS and isinstance(o, ox.Literal) and o.value.strip():
            rows.append(Row(s.value, g.value, FIELDS[p.value], o.value))
    return rows


def read(service, query: str, graphs: list[str]):
    """The rows (g, x, p, o) of a SELECT over `graphs`."""
    return service.select(query, limit=UNLIMITED, named_graphs=graphs).rows


def build(service, dataset, folder: Path, kinds: ClassKinds) -> SearchIndex:
    """A new index of what the store publishes, kept current by the dataset's changes."""
    started = time.perf_counter()
    index = SearchIndex.create(folder, kinds.kinds)
    # Listen first: a change caught up while the index is read is then in what is read.
    dataset.on_change(listener(index))
    query = index_query(kinds)
    graphs = [g for g in dataset.graph_names() if g not in LEFT_OUT]
    rows: list[Row] = []
    for start in range(0, len(graphs), BATCH):
        rows += rows_of(read(service, query, graphs[start:start + BATCH]))
    # Only the graphs read: one a change added meanwhile is the listener's already.
    count = index.replace(rows, graphs)
    index.close()
    log.info("search index %s: %d names and quotes, built in %.1f s", index.path, count,
             time.perf_counter() - started)
    return index


def listener(index: SearchIndex):
    """What the dataset calls with each change it applies: the submission's graph re-indexed
    (or dropped, when withdrawn). Never raises: the store's catch-up must go on regardless."""
    def on_change(change) -> None:
        try:
            rows = None
            if change.kind == "add":
                g = ox.NamedNode(change.graph)
                rows = rows_of((g, t.subject, t.predicate, t.object) for t in change.data)
            index.apply(change.key, change.graph, rows)
        except Exception:
            log.exception("search index: could not apply %s", change.key)
    return on_change
