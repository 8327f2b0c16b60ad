"""/ : the dataset at a glance and where to start — a search box, how many people,
organisations, events, statements, decrees and sources the graph holds, a timeline of its dated
events, the latest accepted submissions and where to enter records, then the SPARQL endpoint,
the dataset, the ontology, the query catalog, the classes, the sources and the people. HTML for
browsers, the same as JSON (`Accept: application/json`, `?format=json` or /index.json); the
timeline's own twin is /timeline.json."""

from __future__ import annotations

import threading

import pyoxigraph as ox
from flask import Blueprint, url_for

from ppkg.archive.records import Records
from ppkg.linked_data import describe as ld
from ppkg.linked_data.dataset_description import DESCRIPTION, TITLE
from ppkg.linked_data.kinds import SEARCHABLE, ClassKinds, class_kinds
from ppkg.web.context import iri_map, services, site_root
from ppkg.web.pages import Linker
from ppkg.web.reading import as_data
from ppkg.web.reading.all_events import all_dated_events
from ppkg.web.render import PAGE_FORMATS, by_path_extension, negotiate, respond
from ppkg.web.versions import conditional

bp = Blueprint("home", __name__, template_folder="templates")

START_QUERY = """
PREFIX rdf:  <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?kind ?x ?label WHERE {
  { GRAPH ?g { ?x rdf:type <%(person)s> } BIND ("person" AS ?kind) }
  UNION
  { GRAPH ?x { ?x rdf:type ?t } ?t rdfs:subClassOf* <%(source)s> BIND ("source" AS ?kind) }
  OPTIONAL { ?x rdfs:label ?label }
}
""" % {"person": ld.ONTOLOGY_NS + "Person", "source": ld.ONTOLOGY_NS + "Source"}

# One count per kind, each a subquery of its own (a resource typed with two classes of one kind
# counts once). FILTER ... IN rather than VALUES: see ppkg.linked_data.describe.DESCRIBE_QUERY.
COUNT_BRANCH = """{ SELECT ("%(kind)s" AS ?kind) (COUNT(DISTINCT ?x) AS ?n)
    WHERE { ?x a ?t FILTER (?t IN (%(classes)s)) } }"""
LATEST_SUBMISSIONS = 5
LISTED = 200  # people and sources the page lists (the JSON twin lists all; /classes/… too)

_lock = threading.Lock()
_counts: dict[str, dict] = {}
_found: dict[str, dict] = {}


def kind_counts(service, kinds: ClassKinds, version: str) -> dict[str, int]:
    """How many resources of each searchable kind, once per data version per process."""
    with _lock:
        if version in _counts:
            return _counts[version]
    branches = []
    for kind in SEARCHABLE:
        classes = kinds.classes(kind)
        if classes:
            branches.append(COUNT_BRANCH % {"kind": kind, "classes": ", ".join(
                str(ox.NamedNode(c)) for c in classes)})
    found = dict.fromkeys(SEARCHABLE, 0)
    if branches:
        query = "SELECT ?kind ?n WHERE { " + " UNION ".join(branches) + " }"
        for kind, n in service.select(query).rows:
            found[kind.value] = int(n.value)
    with _lock:
        _counts.clear()
        _counts[version] = found
    return found


def people_and_sources(service, version: str) -> dict[str, dict[str, list]]:
    """{"person" | "source": {IRI: [labels]}}, once per data version per process."""
    with _lock:
        if version in _found:
            return _found[version]
    found: dict[str, dict[str, list]] = {"person": {}, "source": {}}
    for row in service.select(START_QUERY, limit=ld.UNLIMITED).dicts():
        x = row.get("x")
        if not isinstance(x, ox.NamedNode):
            continue
        labels = found[row["kind"].value].setdefault(x.value, [])
        if isinstance(row.get("label"), ox.Literal):
            labels.append(row["label"])
    with _lock:
        _found.clear()
        _found[version] = found
    return found


@bp.get("/")
@bp.get("/index.<ext>")
def home(ext: str | None = None):
    offer = negotiate(PAGE_FORMATS, by_path_extension(ext, PAGE_FORMATS))
    etag, version, unchanged = conditional(f"home\0{offer.name}")
    if unchanged:
        return unchanged
    ppkg = services()
    vocab = ld.vocabulary(ppkg.query, version.tag)
    linker = Linker(iri_map(), vocab, site_root())
    found = people_and_sources(ppkg.query, version.tag)

    def entries(kind: str) -> list[dict]:
        out = []
        for iri, labels in found[kind].items():
            href, _ = linker.href(iri)
            out.append({"iri": iri_map().public(iri), "href": href,
                        "label": ld.pick_label(labels) or ld.local_name(iri)})
        return sorted(out, key=lambda e: e["label"].lower())

    kinds = class_kinds(ppkg.query, version.tag)
    counts = dict(kind_counts(ppkg.query, kinds, version.tag), triples=ppkg.query.counts().triples)
    timeline = all_dated_events(ppkg.query, vocab, kinds, iri_map(), site_root(), version.tag)
    submissions = [dict(r.to_json(url_for("submissions.show", submission_id=r.id)))
                   for r in Records(ppkg.query).list(limit=LATEST_SUBMISSIONS)]
    root = site_root()
    links = {
        "sparql": f"{root}/sparql",
        "dataset": f"{root}/dataset",
        "ontology": f"{root}/ontology",
        "queries": f"{root}/queries",
        "classes": f"{root}/classes",
        "dumps": [f"{root}/dumps/ppkg.trig", f"{root}/dumps/ppkg.nq.gz"],
        "search": f"{root}/search",
        "timeline": f"{root}/timeline",
        "submissions": f"{root}/submissions",
        "entry": f"{root}/entry",
    }
    payload = {"title": TITLE, "description": DESCRIPTION, "base_iri": iri_map().base,
               "links": links, "counts": counts, "submissions": submissions,
               "sources": entries("source"), "people": entries("person")}
    if offer.name == "html":
        payload.update(timeline=timeline, timeline_data=as_data(timeline), listed=LISTED,
                       sources=payload["sources"][:LISTED], people=payload["people"][:LISTED])
    else:
        payload["timeline"] = {"events": len(timeline.events), "total": timeline.total,
                               "href": f"{root}/timeline.json"}
    return respond(offer, data=payload, template="home.html", validators=(etag, version))
