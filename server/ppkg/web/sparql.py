"""The SPARQL 1.1 Protocol endpoint at /sparql (read-only: queries, no updates).

https://www.w3.org/TR/sparql11-protocol/ — GET ?query=, POST application/x-www-form-urlencoded,
POST application/sparql-query; default-graph-uri / named-graph-uri; results negotiated by Accept
or `?format=`; GET without a query answers the Service Description (or an HTML form).

The request is checked and negotiated here, executed by the query service in the worker's query
process (which writes the result to a temporary file), and only then — status known — is the file
streamed to the client.
"""

from __future__ import annotations

import io
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
from ppkg.store.embedded.service import FORM_KINDS
from ppkg.web.context import services
from ppkg.web.render import respond
from ppkg.web.results import result_response

bp = Blueprint("sparql", __name__, template_folder="templates")

FORM_TYPES = ("application/x-www-form-urlencoded", "application/sparql-query")


@bp.route("/sparql", methods=["GET", "POST"])
def endpoint():
    params, query = _protocol_request()
    accept = request.headers.get("Accept")
    format_values = params.getlist("format") + params.getlist("output")
    if query is None:
        return _service_description(accept, format_values)

    g.query_text = query
    if not query.strip():
        raise BadRequest("The query is empty")
    service = services().query
    info = service.inspect(query)
    timeout = _timeout(params)
    kind = FORM_KINDS.get(info.form or "")
    results_choice = choose(RESULTS_FORMATS, accept, format_values)
    graph_choice = choose(RDF_FORMATS, accept, format_values)
    if kind == "results" and results_choice is None:
        raise NotAcceptable(f"None of the requested types can carry a {info.form} result",
                            media_types(RESULTS_FORMATS))
    if kind == "graph" and graph_choice is None:
        raise NotAcceptable(f"None of the requested types can carry a {info.form} result",
                            media_types(RDF_FORMATS))
    result = service.execute(
        query,
        results_format=results_choice,
        rdf_format=graph_choice,
        default_graphs=params.getlist("default-graph-uri") or None,
        named_graphs=params.getlist("named-graph-uri") or None,
        timeout=timeout,
        info=info,
    )
    return result_response(result)


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
            params = MultiDict(list(request.args.items(multi=True))
                               + list(request.form.items(multi=True)))
            queries = params.getlist("query")
        elif mimetype == "application/sparql-query":
            params = request.args
            if "query" in params:
                raise BadRequest("The query is in the body; a query parameter is not allowed too")
            charset = request.mimetype_params.get("charset", "utf-8")
            try:
                queries = [request.get_data(cache=False).decode(charset)]
            except (UnicodeDecodeError, LookupError):
                raise BadRequest(f"The body is not valid {charset} text") from None
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
