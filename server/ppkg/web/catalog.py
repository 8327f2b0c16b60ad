"""The query catalog over HTTP: /queries, /queries/<name>[.json|.csv|.tsv|.xml|.rq], /openapi.json.

- `GET /queries` — the catalog: an HTML list, or JSON (`/queries.json`, or `Accept:
  application/json`): `{"queries": [{name, title, description, parameters, columns, links}],
  "openapi": "/openapi.json"}`.
- `GET /queries/<name>` — the question's page: title, description, the SPARQL, a form for its
  parameters and the results as a table (labels, with links to the resources' pages). With an
  `Accept` header asking for results, the results instead.
- `GET /queries/<name>.json` — the results as SPARQL 1.1 Query Results JSON
  (`application/sparql-results+json`, the format every SPARQL client reads: each row binds the
  variables that have a value, as `{"type": "uri"|"literal", "value": ..., "datatype"?: ...}`).
  `.csv`, `.tsv` (SPARQL CSV / TSV) and `.xml` likewise; `Accept: application/json`,
  `application/sparql-results+json`, `text/csv`, ... on `/queries/<name>` choose the same.
  Results are written by the query service to a file and streamed (ppkg.web.sparql).
- `GET /queries/<name>.rq` — the SPARQL text (bound, if parameters are given).
- `GET /openapi.json` — OpenAPI 3.1, one operation per query (ppkg.openapi).

Parameters are query-string arguments named as in the query's header; an empty value leaves the
parameter out. Unknown names, repeated names and values that do not fit the type are a 400
naming the parameter; an unknown query is a 404.
"""

from __future__ import annotations

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, g, request, url_for
from werkzeug.exceptions import NotFound

from ppkg.catalog.openapi import part as catalog_openapi_part
from ppkg.catalog.columns import columns, compact
from ppkg.catalog.queries import (Catalog, ParameterError, Query, UnknownQuery, load_catalog)
from ppkg.formats import HTML, JSON, RESULTS_FORMATS, SPARQL_QUERY, split_extension
from ppkg.web.context import services
from ppkg.web.render import negotiate, respond
from ppkg.web.results import result_response
from ppkg.web.versions import MIN_VERSION_PARAM

bp = Blueprint("catalog", __name__, template_folder="templates")

# A query's results by Accept (SPARQL JSON for `*/*`), or its page for browsers.
PAGE_OFFERS = RESULTS_FORMATS + (HTML,)


@bp.record_once
def _load(state) -> None:
    """Load and check the catalog when the app is built: a broken .rq stops the startup."""
    state.app.extensions.setdefault("ppkg.catalog", load_catalog())


def catalog() -> Catalog:
    return current_app.extensions["ppkg.catalog"]


# --- the list ------------------------------------------------------------------------------

@bp.get("/queries")
def index():
    return _index(negotiate((HTML, JSON)))


@bp.get("/queries.json")
def index_json():
    return _index(JSON)


def _index(fmt) -> Response:
    entries = []
    for query in catalog():
        entry = query.describe()
        entry["links"] = {"page": url_for("catalog.query_page", name=query.name),
                          **{ext: url_for("catalog.query_page", name=f"{query.name}.{ext}")
                             for ext in ("json", "csv", "tsv", "rq")}}
        entries.append(entry)
    data = {"queries": entries, "openapi": url_for("openapi.openapi")}
    return respond(fmt, data=dict(data, queries=list(catalog())) if fmt is HTML else data,
                   template="queries.html")


def openapi_part() -> dict:
    return catalog_openapi_part(catalog())


# --- one query -------------------------------------------------------------------------------

@bp.get("/queries/<name>")
def query_page(name: str):
    query, extension = _split(name)
    if extension is SPARQL_QUERY:
        text = query.bind(_arguments()) if request.args else query.text
        return Response(text, content_type=f"{SPARQL_QUERY.media_type}; charset=utf-8")
    if extension is not None:
        return _results(query, extension)
    fmt = negotiate(PAGE_OFFERS)
    if fmt is HTML:
        return _vary(_page(query))
    return _vary(_results(query, fmt))


def _split(name: str) -> tuple[Query, object | None]:
    """`released-by-decree.csv` → (the query, CSV); a 404 for names not in the catalog."""
    cat = catalog()
    if name in cat:
        return cat.get(name), None
    stem, extension = split_extension(name, RESULTS_FORMATS + (SPARQL_QUERY,))
    if extension is not None and stem in cat:
        return cat.get(stem), extension
    stem, dot, other = name.rpartition(".")
    if dot and stem in cat:
        raise NotFound(f"Query {stem!r} is available as .json, .csv, .tsv, .xml or .rq, "
                       f"not .{other}")
    raise UnknownQuery(name, cat.queries)


def _arguments() -> dict[str, str]:
    """The query-string arguments (`min-version` is the server's, ppkg.web.versions); a name given
    twice is a 400 naming it."""
    values = {}
    for key in request.args:
        if key == MIN_VERSION_PARAM:
            continue
        given = request.args.getlist(key)
        if len(given) > 1:
            raise ParameterError(key, f"Parameter {key!r} is given {len(given)} times; "
                                      "give it once")
        values[key] = given[0]
    return values


def _results(query: Query, fmt) -> Response:
    text = query.bind(_arguments())
    g.query_text = text
    response = result_response(services().query.execute(text, results_format=fmt))
    if fmt.name in ("csv", "tsv"):
        response.headers["Content-Disposition"] = f'inline; filename="{query.name}.{fmt.name}"'
    return response


def _page(query: Query) -> Response:
    arguments = {k: v for k, v in request.args.items(multi=True) if k != MIN_VERSION_PARAM}
    error = None
    status = 200
    result = None
    try:
        text = query.bind(_arguments())
    except ParameterError as err:
        error, status, text = err, 400, None
    if text is not None:
        g.query_text = text
        result = services().query.select(text)
    query_string = request.query_string.decode("latin-1")
    links = {ext: url_for("catalog.query_page", name=f"{query.name}.{ext}")
             + (f"?{query_string}" if query_string else "")
             for ext in ("json", "csv", "tsv", "rq")}
    data = {"query": query, "arguments": arguments, "error": error,
            "table": _table(result) if result is not None else None, "result": result,
            "links": links, "openapi": url_for("openapi.openapi"),
            "row_limit": services().config.row_limit}
    return respond(HTML, data=data, template="query.html", status=status)


def _table(result) -> dict:
    """Headers and cells for the HTML table: labels shown, IRIs linked (see catalog.columns)."""
    shown = columns(result.variables)
    index = {v: i for i, v in enumerate(result.variables)}
    rows = []
    for row in result.rows:
        cells = []
        for column in shown:
            value = row[index[column.value]]
            label = row[index[column.label]] if column.label else None
            cells.append(_cell(value, label))
        rows.append(cells)
    return {"headers": [c.header for c in shown], "rows": rows}


def _cell(value, label) -> dict:
    if value is None:
        return {"text": label.value if label is not None else "", "href": None, "title": None}
    if isinstance(value, ox.NamedNode):
        base = _base_iri()
        return {"text": label.value if label is not None else compact(value.value, base),
                "href": link(value.value), "title": value.value}
    return {"text": value.value, "href": None, "title": None}


def _base_iri() -> str:
    return services().config.base_iri


def link(iri: str) -> str | None:
    """Where a result IRI links: the graph's own IRIs (under the base) to this server's pages,
    other http(s) IRIs to themselves, any other scheme nowhere (`javascript:` is an IRI too)."""
    base = _base_iri()
    if iri.startswith(base):
        return request.script_root + "/" + iri[len(base):]
    return iri if iri.lower().startswith(("http://", "https://")) else None


def _vary(response: Response) -> Response:
    response.vary.add("Accept")
    return response
