"""The Flask application: last stage of the data flow (files → store → query → serializer → HTTP).

`create_app(config, dataset)` builds the app from a list of blueprints, one per concern. To add
a page, write `ppkg/web/<concern>.py` with a `bp = Blueprint(...)` and append it to BLUEPRINTS.

What every blueprint can rely on:

- `ppkg.web.context`: `services()` → Services(config, dataset, query) — the configured store's
  dataset and QueryBackend (ppkg.store: embedded or remote; blueprints never ask which) —,
  `iri_map()`, `site_root()`, `public_url()`;
- `ppkg.web.render`: `negotiate(offers)` and `respond(fmt, data=…, template=…, rdf=…)`, the one
  way a view's data becomes HTML, JSON or RDF;
- errors answered as `{"error": ..., "status": ...}` (or text / HTML by Accept): raise
  werkzeug's HTTP exceptions or a ppkg.errors.QueryError;
- the template filters of ppkg.web.filters; a Content-Security-Policy on every page (scripts
  from this server only) and nosniff on every response; CORS headers on every response; one access-log line per request (logger `ppkg.access`) — set `g.query_text`
  to have the query's short hash logged.
"""

from __future__ import annotations

import hashlib
import logging
import time

from flask import Flask, g, request
from werkzeug.exceptions import BadRequest

from ppkg.config import Config
from ppkg.durable import DurableRecord, open_record
from ppkg.store import StoreDataset
from ppkg.store.configured import open_store
from ppkg.web import (
    catalog,
    dataset,
    editor,
    entry,
    errors,
    filters,
    health,
    home,
    linked_data,
    openapi,
    pictures,
    review,
    search,
    sparql,
    submissions,
    validation,
    versions,
)
from ppkg.web.context import Services

BLUEPRINTS = [errors.bp, health.bp, sparql.bp, catalog.bp]
BLUEPRINTS += [linked_data.bp, dataset.bp, home.bp]  # /id/ /terms/ /classes /ontology /dataset /dumps /
BLUEPRINTS += [validation.bp, submissions.bp, review.bp]  # /validate /submissions /review
BLUEPRINTS += [entry.bp]  # /entry: forms and spreadsheets
BLUEPRINTS += [search.bp, pictures.bp, editor.bp]  # /search /timeline /network, /sparql's editor
BLUEPRINTS += [openapi.bp]  # /openapi.json, from the parts the others describe

# Response headers a cross-origin script may read.
EXPOSED_HEADERS = ("X-PPKG-Truncated", "X-PPKG-Row-Limit", "Content-Length", "Content-Type",
                   "Location", "X-PPKG-Conforms",
                   # linked data: validators, alternates, dump checksums
                   "ETag", "Last-Modified", "Link", "Content-Location", "Digest", "Repr-Digest",
                   "X-Checksum-SHA256", versions.VERSION_HEADER, "Retry-After")

access_log = logging.getLogger("ppkg.access")


def create_app(config: Config | None = None, dataset: StoreDataset | None = None,
               record: DurableRecord | None = None) -> Flask:
    config = config or Config.from_env()
    if dataset is None:
        dataset = open_store(config)
    elif dataset.data_dir is None:
        dataset.open_log(config.data_dir)  # accepted submissions, replayed on the loaded files
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = config.max_body
    app.config["MAX_FORM_MEMORY_SIZE"] = config.max_body  # a form-encoded query may be that big
    app.json.sort_keys = False
    app.extensions["ppkg"] = Services(config=config, dataset=dataset,
                                      query=dataset.query_service(config),
                                      record=record or open_record(config))
    filters.register(app)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    app.before_request(_start_timer)
    app.before_request(_bound_fields)
    app.before_request(versions.require_version)
    app.after_request(versions.stamp_version)
    app.after_request(_cors)
    app.after_request(_security_headers)
    app.after_request(_log_request)
    return app


def _start_timer() -> None:
    g.started = time.perf_counter()


MAX_FORM_FIELDS = 1000  # fields of a query string or a form, whatever the endpoint


def _bound_fields() -> None:
    """werkzeug parses every field it is sent, millions if a body of `&` asks: refuse first,
    counting separators in C (a form's body stays cached for werkzeug to parse)."""
    if request.query_string.count(b"&") >= MAX_FORM_FIELDS:
        raise BadRequest(f"The query string has more than {MAX_FORM_FIELDS} fields")
    if request.method not in ("POST", "PUT", "PATCH"):
        return
    if request.mimetype == "application/x-www-form-urlencoded":
        separators = request.get_data(cache=True).count(b"&")
    elif request.mimetype == "multipart/form-data" and request.mimetype_params.get("boundary"):
        boundary = b"--" + request.mimetype_params["boundary"].encode("latin-1", "replace")
        separators = request.get_data(cache=True).count(boundary) - 1
    else:
        return
    if separators >= MAX_FORM_FIELDS:
        raise BadRequest(f"The form has more than {MAX_FORM_FIELDS} fields")


def _cors(response):
    """Any origin may GET or POST, without credentials; preflights are answered by Flask."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = ", ".join(EXPOSED_HEADERS)
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = (
            request.headers.get("Access-Control-Request-Headers") or "Accept, Content-Type")
        response.headers["Access-Control-Max-Age"] = "86400"
    return response


# Pages run only this server's scripts (no inline script, no eval, no other origin), may not be
# framed, and send no Referer: a value in the graph can never become code on a reader's page.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                           "img-src 'self' data:; connect-src 'self'; object-src 'none'; "
                           "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


def _security_headers(response):
    response.headers["X-Content-Type-Options"] = "nosniff"
    if response.mimetype == "text/html":
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _log_request(response):
    started = g.get("started")
    duration = (time.perf_counter() - started) * 1000 if started is not None else 0.0
    query_text = g.get("query_text")
    digest = hashlib.sha256(query_text.encode()).hexdigest()[:12] if query_text else "-"
    access_log.info("%s %s %s %.1fms q=%s", request.method, request.path, response.status_code,
                    duration, digest)
    return response
