"""What the query editor at /sparql (YASGUI; templates/sparql.html, static/js/sparql.js) is set
up with: the endpoint, ppkg's prefixes, the catalog's queries as examples and the row limit.

The endpoint's own view (ppkg.web.sparql) renders the page; this blueprint only gives its template
`editor_settings()`, so the endpoint's code does not change when the editor does.
"""

from __future__ import annotations

from flask import Blueprint, current_app, url_for

from ppkg.vocab import DATA_BASE, PREFIXES, resource_prefixes
from ppkg.web.context import services

bp = Blueprint("editor", __name__)

FIRST_PREFIXES = ("ppkg", "rdfs", "person")
# Where a first-time visitor starts: every person, with the source that names them.
FIRST_QUERY = """SELECT ?person ?name ?source WHERE {
  GRAPH ?source { ?person a ppkg:Person ; rdfs:label ?name }
}
ORDER BY ?name
LIMIT 100
"""


@bp.app_template_global()
def editor_settings() -> dict:
    """The editor's settings, as the JSON block of the page (read by static/js/sparql.js)."""
    prefixes = {**PREFIXES, **resource_prefixes()}  # the IRIs as stored: the endpoint keeps them
    # The first query declares what it uses; the editor adds any other of these prefixes when
    # one is typed (static/js/sparql.js).
    prologue = "".join(f"PREFIX {name}: <{prefixes[name]}>\n" for name in FIRST_PREFIXES)
    catalog = current_app.extensions.get("ppkg.catalog") or []
    return {
        "endpoint": url_for("sparql.endpoint"),
        "prefixes": prefixes,
        "query": prologue + "\n" + FIRST_QUERY,
        "rowLimit": services().config.row_limit,
        "dataBase": DATA_BASE,  # result IRIs under it are this server's pages
        "examples": [{"name": q.name, "title": q.title, "description": q.description,
                      "query": q.body} for q in catalog],
    }
