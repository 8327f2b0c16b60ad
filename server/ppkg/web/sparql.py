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
import math
import os

from flask import Blueprint, Response, g, render_template, request
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest, UnsupportedMediaType
from werkzeug.wsgi import wrap_file

from ppkg.sparql import results as serialize
from ppkg.formats import RESULTS_FORMATS, RDF_FORMATS
from ppkg.negotiate import available, choose, html_offer, rdf_offers, results_offers
from ppkg.store.embedded.service import FORM_KINDS
from ppkg.store import ExecuteResult
from ppkg.errors import NotAcceptable, ReadOnly
from ppkg.sparql.description import PREFIXES, describe

bp = Blueprint("sparql", __name__, template_folder="templates")

FORM_TYPES = ("application/x-www-form-urlencoded", "application/sparql-query")
TEXT_CHARSET = "utf-8"


@bp.route("/sparql", methods=["GET", "POST"])
def endpoint():
    from ppkg.web import services

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
    results_choice = choose(results_offers(), accept, format_values)
    graph_choice = choose(rdf_offers(), accept, format_values)
    if kind == "results" and results_choice is None:
        raise NotAcceptable(f"None of the requested types can carry a {info.form} result",
                            available(results_offers()))
    if kind == "graph" and graph_choice is None:
        raise NotAcceptable(f"None of the requested types can carry a {info.form} result",
                            available(rdf_offers()))
    result = service.execute(
        query,
        results_format=results_choice.value if results_choice else None,
        rdf_format=graph_choice.value if graph_choice else None,
        default_graphs=params.getlist("default-graph-uri") or None,
        named_graphs=params.getlist("named-graph-uri") or None,
        timeout=timeout,
        info=info,
    )
    return _file_response(result)


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


def _content_type(media_type: str) -> str:
    return f"{media_type}; charset={TEXT_CHARSET}" if media_type.startswith("text/") else media_type


def _file_response(result: ExecuteResult) -> Response:
    """Stream the result file; it is unlinked at once, so nothing is left if the client leaves."""
    handle = open(result.path, "rb")
    try:
        os.unlink(result.path)
        size = os.fstat(handle.fileno()).st_size
    except OSError:
        handle.close()
        raise
    response = Response(wrap_file(request.environ, handle), direct_passthrough=True,
                        content_type=_content_type(result.media_type))
    response.content_length = size
    response.headers["X-PPKG-Row-Limit"] = str(result.row_limit)
    if result.truncated:
        response.headers["X-PPKG-Truncated"] = "true"
    response.vary.add("Accept")
    return response


def _service_description(accept: str | None, format_values: list[str]) -> Response:
    from ppkg.web import services

    offers = rdf_offers() + [html_offer()]
    choice = choose(offers, accept, format_values)
    if choice is None:
        raise NotAcceptable("The service description is available as RDF or HTML",
                            available(offers))
    ppkg = services()
    counts = ppkg.query.counts(timeout=min(10.0, ppkg.config.query_timeout))
    endpoint_iri = request.base_url
    if choice.value == "html":
        body = render_template(
            "sparql.html", endpoint=endpoint_iri, counts=counts, config=ppkg.config,
            results_formats=RESULTS_FORMATS, rdf_formats=RDF_FORMATS)
        response = Response(body, content_type=_content_type("text/html"))
    else:
        out = io.BytesIO()
        serialize.write_graph(describe(endpoint_iri, counts, ppkg.config), choice.value, out,
                              prefixes=PREFIXES)
        response = Response(out.getvalue(), content_type=_content_type(choice.media_type))
    response.vary.add("Accept")
    return response
