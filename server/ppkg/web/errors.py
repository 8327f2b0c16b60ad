"""Every error as a short answer: JSON `{"error": ..., "status": ...}`, or text / HTML by Accept.

Handles werkzeug's HTTP exceptions (400 404 405 406 413 415 ...), the query service's QueryError
(400 403 406 503 ...) and, as a last resort, any other exception as a 500 whose details go to
the log only — never a traceback in a response.
"""

from __future__ import annotations

import errno
import logging

from flask import Blueprint, Response, current_app, json, request
from markupsafe import escape
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from ppkg.errors import NotAcceptable, QueryError, RecordUnavailable
from ppkg.formats import HTML, JSON, TEXT
from ppkg.negotiate import choose

bp = Blueprint("errors", __name__)
log = logging.getLogger("ppkg.web")

_OFFERS = (JSON, TEXT, HTML)
_KEEP_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")


def error_response(status: int, message: str, headers=None, **extra) -> Response:
    """The error body by the request's Accept header (JSON unless text or HTML is preferred)."""
    offer = choose(_OFFERS, request.headers.get("Accept")) if request else None
    kind = offer.name if offer is not None else "json"
    if kind == "text":
        body = f"{status} {_reason(status)}: {message}\n"
        if extra.get("available"):
            body += "Available: " + ", ".join(extra["available"]) + "\n"
        response = Response(body, status=status, mimetype="text/plain")
    elif kind == "html":
        title = f"{status} {_reason(status)}"
        items = "".join(f"<li>{escape(t)}</li>" for t in extra.get("available") or ())
        body = (f"<!doctype html><html><head><meta charset=\"utf-8\"><title>{escape(title)}</title>"
                f"</head><body><h1>{escape(title)}</h1><p>{escape(message)}</p>"
                + (f"<ul>{items}</ul>" if items else "") + "</body></html>\n")
        response = Response(body, status=status, mimetype="text/html")
    else:
        payload = {"error": message, "status": status, **extra}
        response = Response(json.dumps(payload) + "\n", status=status,
                            mimetype="application/json")
    for name, value in headers or ():
        response.headers[name] = value
    response.headers["Cache-Control"] = "no-store"
    return response


def _reason(status: int) -> str:
    from http import HTTPStatus
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


@bp.app_errorhandler(QueryError)
def _query_error(err: QueryError):
    extra = {}
    if isinstance(err, NotAcceptable) and err.available:
        extra["available"] = err.available
    headers = []
    if err.status == 503:
        headers.append(("Retry-After", "1"))
    if err.status >= 500:
        log.warning("query failed (%s): %s", err.status, err.message)
    return error_response(err.status, err.message, headers, **extra)


@bp.app_errorhandler(RecordUnavailable)
def _record_unavailable(err: RecordUnavailable):
    """The durable record (PostgreSQL) is down or this server trails it: nothing was written."""
    log.warning("record unavailable on %s %s: %s", request.method, request.path, err)
    why = f": {err}" if err.public else " (the server's log says why)"
    return error_response(503, f"The archive's record cannot be reached, nothing was "
                               f"stored{why}. Try again later.",
                          [("Retry-After", str(err.retry_after))])


@bp.app_errorhandler(HTTPException)
def _http_error(err: HTTPException):
    if isinstance(err, RequestEntityTooLarge):
        _drain_small_body()
        limit = current_app.config.get("MAX_CONTENT_LENGTH")
        message = f"Request body too large (limit: {limit} bytes)"
    else:
        message = err.description or _reason(err.code or 500)
    headers = [(k, v) for k, v in err.get_headers() if k in _KEEP_HEADERS]
    return error_response(err.code or 500, message, headers)


@bp.app_errorhandler(OSError)
def _storage_error(err: OSError):
    """A full or read-only disk while writing (a submission, a dump): nothing half-written is
    kept (every write is a temporary file renamed into place), and the client is told so."""
    if err.errno in (errno.ENOSPC, errno.EDQUOT):
        log.error("no space left while answering %s %s: %s", request.method, request.path, err)
        return error_response(507, "Insufficient storage: the server's disk is full; nothing "
                                   "was stored. Try again later.")
    if err.errno == errno.EROFS:
        log.error("read-only storage while answering %s %s: %s", request.method, request.path, err)
        return error_response(503, "The server's storage is read-only; nothing was stored",
                              [("Retry-After", "60")])
    return _unexpected(err)


@bp.app_errorhandler(Exception)
def _unexpected(err: Exception):
    if isinstance(err, HTTPException):  # pragma: no cover - handled above
        return _http_error(err)
    log.exception("unhandled error on %s %s", request.method, request.path)
    return error_response(500, "Internal server error (logged on the server)")


def _drain_small_body() -> None:
    """Read and drop an oversized body that is at most a few times the limit.

    Otherwise the server closes the connection with unread data, the kernel answers with a TCP
    reset, and the client may never see the 413. Really large bodies are not read.
    """
    limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
    length = request.content_length or 0
    if not length or length > max(4 * limit, 1 << 20):
        return
    stream = request.environ.get("wsgi.input")
    if stream is None:
        return
    remaining = length
    try:
        while remaining > 0:
            chunk = stream.read(min(remaining, 65536))
            if not chunk:
                break
            remaining -= len(chunk)
    except (OSError, ValueError):
        pass
