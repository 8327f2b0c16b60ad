"""The timeline of the whole graph: its dated events, the most recent first when there are more
than a page can draw (the home page's picture and /timeline)."""

from __future__ import annotations

import threading

import pyoxigraph as ox

from ppkg.vocab import RDFS
from ppkg.web.reading import linker_for
from ppkg.web.reading import timeline as timelines
from ppkg.web.reading.neighbourhood import PREFIXES, Neighbourhood

MAX_EVENTS = 400

ALL_DATED_QUERY = PREFIXES + """
SELECT ?g ?s ?p ?o WHERE {
  { SELECT DISTINCT ?s WHERE { GRAPH ?g0 { ?s ppkg:date ?d } } ORDER BY DESC(STR(?d)) LIMIT %d }
  GRAPH ?g { ?s ?p ?o }
  VALUES ?p { rdfs:label rdf:type ppkg:date ppkg:dateDescription ppkg:dateUnknown }
}
""" % MAX_EVENTS

SOURCE_LABELS_QUERY = PREFIXES + """
SELECT ?g ?label WHERE { GRAPH ?g { ?g rdfs:label ?label } FILTER (?g IN (%s)) }
"""

COUNT_QUERY = PREFIXES + """
SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s ppkg:date ?d } }
"""

_lock = threading.Lock()
_cache: dict[tuple, timelines.Timeline] = {}


def all_dated_events(service, vocab, kinds, iri_map, root: str, version: str = ""):
    """Every dated event (at most MAX_EVENTS, the latest), once per data version per process."""
    key = (version, iri_map.base, root)
    with _lock:
        if version and key in _cache:
            return _cache[key]
    result = service.select(ALL_DATED_QUERY)
    quads = [ox.Quad(s, p, o, g) for g, s, p, o in result.rows]
    graphs = {q.graph_name for q in quads}
    if graphs:  # the sources' names, for the timeline's rows
        labels = service.select(SOURCE_LABELS_QUERY % ", ".join(str(g) for g in graphs))
        quads += [ox.Quad(g, ox.NamedNode(RDFS + "label"), label, g) for g, label in labels.rows]
    total = int(service.select(COUNT_QUERY).rows[0][0].value)
    nb = Neighbourhood("", quads, kinds, result.truncated)
    linker = linker_for(nb, vocab, iri_map, root)
    events = {q.subject.value: [] for q in quads if nb.is_a(q.subject.value, "event")}
    found = timelines.build(nb, linker, events, None)
    found.total = max(total, len(found.events))
    found.truncated = found.truncated or total > len(found.events)
    with _lock:
        _cache.clear()
        _cache[key] = found
    return found
