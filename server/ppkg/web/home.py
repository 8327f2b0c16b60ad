"""/ : where to start — the SPARQL endpoint, the dataset, the ontology, the query catalog, the
classes, the sources and the people. HTML for browsers, the same as JSON (`Accept:
application/json`, `?format=json` or /index.json)."""

from __future__ import annotations

import pyoxigraph as ox
from flask import Blueprint

from ppkg.linked_data import describe as ld
from ppkg.linked_data.dataset_description import DESCRIPTION, TITLE
from ppkg.web.context import iri_map, services, site_root
from ppkg.web.pages import Linker
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
    rows = ppkg.query.select(START_QUERY, limit=ld.UNLIMITED).dicts()
    found: dict[str, dict[str, list]] = {"person": {}, "source": {}}
    for row in rows:
        x = row.get("x")
        if not isinstance(x, ox.NamedNode):
            continue
        labels = found[row["kind"].value].setdefault(x.value, [])
        if isinstance(row.get("label"), ox.Literal):
            labels.append(row["label"])

    def entries(kind: str) -> list[dict]:
        out = []
        for iri, labels in found[kind].items():
            href, _ = linker.href(iri)
            out.append({"iri": iri_map().public(iri), "href": href,
                        "label": ld.pick_label(labels) or ld.local_name(iri)})
        return sorted(out, key=lambda e: e["label"].lower())

    root = site_root()
    links = {
        "sparql": f"{root}/sparql",
        "dataset": f"{root}/dataset",
        "ontology": f"{root}/ontology",
        "queries": f"{root}/queries",
        "classes": f"{root}/classes",
        "dumps": [f"{root}/dumps/ppkg.trig", f"{root}/dumps/ppkg.nq.gz"],
    }
    payload = {"title": TITLE, "description": DESCRIPTION, "base_iri": iri_map().base,
               "links": links, "sources": entries("source"), "people": entries("person")}
    return respond(offer, data=payload, template="home.html", validators=(etag, version))
