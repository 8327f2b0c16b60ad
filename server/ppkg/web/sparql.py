"""The SPARQL 1.1 Protocol endpoint at /sparql (read-only: queries, no updates).

https://www.w3.org/TR/sparql11-protocol/ — GET ?query=, POST application/x-www-form-urlencoded,
POST application/sparql-query; default-graph-uri / named-graph-uri; results negotiated by Accept
or `?format=`; GET without a query answers the Service Description (or an HTML form).

The request is read and negotiated here and answered by the query service (ppkg.store), which
returns the whole, row-limited answer: the status is known before a byte of it is sent.
"""

from __future__ import annotations

import io
import math

from flask import Blueprint, Response, g, request
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest, UnsupportedMediaType

from ppkg.errors import NotAcceptable, ReadOnly
from ppkg.formats import HTML, RDF_FORMATS, RESULTS_FORMATS
from ppkg.negotiate import choose, media_types
from ppkg.sparql import results as serialize
from ppkg.sparql.description import PREFIXES, describe
from ppkg.web.context import public_url, services
from ppkg.web.render import respond
from ppkg.web.results import result_response

bp = Blueprint("sparql", __name__, template_folder="templates")

FORM_TYPES = ("application/x-www-form-urlencoded", "application/sparql-query")
MAX_FORM_FIELDS = 1000


@bp.route("/sparql", methods=["GET", "POST"])
def endpoint():
    params, query = _protocol_request()
    accept = request.headers.get("Accept")
    format_values = params.getlist("format") + params.getlist("output")
    timeout = _timeout(params)
    if query is None:
        return _service_description(accept, format_values)
    g.query_text = query
    if not query.strip():
        raise BadRequest("The query is empty")
    answer = services().query.execute(
        query,
        results_format=choose(RESULTS_FORMATS, accept, format_values),
        rdf_format=choose(RDF_FORMATS, accept, format_values),
        default_graphs=params.getlist("default-graph-uri") or None,
        named_graphs=params.getlist("named-graph-uri") or None,
        timeout=timeout,
        base_iri=request.base_url,  # relative IRIs in the query name resources of this endpoint
        link=public_url(request.script_root + "/sparql") + "#row-limit",
    )
    return result_response(answer)


def _protocol_request() -> tuple[MultiDict, str | None]:
    """The protocol parameters and the query text (None: no query was sent)."""
    if request.method in ("GET", "HEAD"):
        params = request.args
        queries = params.getlist("query")
    else:
        mimetype = request.mimetype
        if not mimetype:
            raise BadRequest("A POST needs a Content-Type: " + " or ".join(FORM_TYPES))
        if mimetype == "application/x-www-form-urlencoded":
            # werkzeug parses every field of the body; a body of millions of `&` is refused first.
            if request.get_data(cache=True).count(b"&") >= MAX_FORM_FIELDS:
                raise BadRequest(f"The form has more than {MAX_FORM_FIELDS} fields")
            params = MultiDict(list(request.args.items(multi=True))
                               + list(request.form.items(multi=True)))
            queries = params.getlist("query")
        elif mimetype == "application/sparql-query":
            params = request.args
            if "query" in params:
                raise BadRequest("The query is in the body; a query parameter is not allowed too")
            charset = request.mimetype_params.get("charset", "utf-8")
            if charset.lower().replace("_", "-") not in ("utf-8", "utf8"):
                raise UnsupportedMediaType(f"A query is UTF-8 text; charset={charset} is not "
                                           "accepted")
            try:
                queries = [request.get_data(cache=False).decode("utf-8")]
            except UnicodeDecodeError:
                raise BadRequest("The body is not valid UTF-8 text") from None
        elif mimetype == "application/sparql-update":
            raise ReadOnly("SPARQL Update refused: this endpoint is read-only and has no update "
                           "service")
        else:
            raise UnsupportedMediaType(
                f"Content-Type {mimetype} is not accepted here; use " + " or ".join(FORM_TYPES))
    if params.getlist("update"):
        raise ReadOnly("SPARQL Update refused: this endpoint is read-only and has no update "
                       "service (the update parameter is not accepted)")
    if len(queries) > 1:
        raise BadRequest(f"Exactly one query parameter is allowed; got {len(queries)}")
    if not queries:
        if request.method == "POST":
            raise BadRequest("No query: send a query parameter or an application/sparql-query "
                             "body")
        return params, None
    return params, queries[0]


def _timeout(params: MultiDict) -> float | None:
    values = params.getlist("timeout")
    if not values or values == [""]:
        return None
    if len(values) > 1:
        raise BadRequest("At most one timeout parameter is allowed")
    try:
        value = float(values[0])
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise BadRequest(f"timeout must be a positive number of seconds, not {values[0]!r}")
    return value


def _service_description(accept: str | None, format_values: list[str]) -> Response:
    offers = RDF_FORMATS + (HTML,)
    choice = choose(offers, accept, format_values)
    if choice is None:
        raise NotAcceptable("The service description is available as RDF or HTML",
                            media_types(offers))
    ppkg = services()
    counts = ppkg.query.counts(timeout=min(10.0, ppkg.config.query_timeout))
    endpoint_iri = request.base_url

    def rdf(fmt) -> bytes:
        out = io.BytesIO()
        serialize.write_graph(describe(endpoint_iri, counts, ppkg.config), fmt, out,
                              prefixes=PREFIXES)
        return out.getvalue()

    return respond(choice, template="sparql.html", rdf=rdf, data={
        "endpoint": endpoint_iri, "counts": counts, "config": ppkg.config,
        "results_formats": RESULTS_FORMATS, "rdf_formats": RDF_FORMATS})


def _errors(*statuses: int) -> dict:
    what = {400: "A malformed query or request; the message names the problem (and the "
                 "position of a syntax error).",
            403: "An update: this endpoint is read-only.",
            406: "None of the accepted media types can carry this kind of result.",
            413: "The request body is larger than the server accepts.",
            415: "The body is neither a form nor application/sparql-query in UTF-8.",
            422: "A valid query the engine cannot answer (a known defect, named).",
            503: "The query ran past the time limit or its memory bound; try a smaller one."}
    content = {t: {"schema": {"$ref": "#/components/schemas/Error"}} if t == "application/json"
               else {"schema": {"type": "string"}}
               for t in ("application/json", "text/plain", "text/html")}
    return {str(s): {"description": what[s], "content": content} for s in statuses}


def openapi_part() -> dict:
    results = {f.media_type: {"schema": {"type": "string"}}
               for f in RESULTS_FORMATS + RDF_FORMATS + (HTML,)}
    results["application/sparql-results+json"] = {
        "schema": {"$ref": "#/components/schemas/SparqlResults"}}
    parameters = [
        {"name": "default-graph-uri", "in": "query", "required": False,
         "description": "A graph of the query's default graph (repeatable); none: the union of "
                        "all graphs.", "schema": {"type": "array", "items": {
                            "type": "string", "format": "iri"}},
         "style": "form", "explode": True},
        {"name": "named-graph-uri", "in": "query", "required": False,
         "description": "A graph GRAPH may name (repeatable).",
         "schema": {"type": "array", "items": {"type": "string", "format": "iri"}},
         "style": "form", "explode": True},
        {"name": "format", "in": "query", "required": False,
         "description": "A format name (json, xml, csv, tsv, turtle, ntriples, jsonld, rdfxml, "
                        "trig, nquads) or media type, instead of Accept.",
         "schema": {"type": "string"}},
        {"name": "timeout", "in": "query", "required": False,
         "description": "Seconds the query may run; only lowers the server's limit.",
         "schema": {"type": "number", "exclusiveMinimum": 0}},
    ]
    ok = {"description": "The answer: results (SELECT, ASK) or a graph (CONSTRUCT, DESCRIBE); "
                         "without a query, the service description (RDF) or the query page "
                         "(HTML).", "content": results,
          "headers": {"X-PPKG-Truncated": {"description": "true when the row limit cut the "
                                                          "result", "schema": {"type": "string"}},
                      "X-PPKG-Row-Limit": {"description": "the most rows an answer holds",
                                           "schema": {"type": "string"}}}}
    responses = {"200": ok, **_errors(400, 403, 406, 413, 415, 422, 503)}
    query = {"type": "string", "minLength": 1, "description": "A SPARQL 1.1 query."}
    return {"tags": [{"name": "sparql", "description": "The SPARQL 1.1 Protocol endpoint"}],
            "paths": {"/sparql": {
                "get": {"operationId": "sparql-get", "summary": "Ask a SPARQL query",
                        "tags": ["sparql"],
                        "parameters": [{"name": "query", "in": "query", "required": False,
                                        "schema": query}] + parameters,
                        "responses": responses},
                "post": {"operationId": "sparql-post", "summary": "Ask a SPARQL query (POST)",
                         "tags": ["sparql"], "parameters": parameters,
                         "requestBody": {"required": True, "content": {
                             "application/sparql-query": {"schema": query},
                             "application/x-www-form-urlencoded": {"schema": {
                                 "type": "object", "required": ["query"],
                                 "properties": {"query": query}}}}},
                         "responses": responses}}}}
