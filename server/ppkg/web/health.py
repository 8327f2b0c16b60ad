"""GET /health: is the server up, can it query its store, and what does the store hold."""

from __future__ import annotations

from flask import Blueprint, jsonify

from ppkg import __version__
from ppkg.query import QueryError

bp = Blueprint("health", __name__)


@bp.get("/health")
def health():
    from ppkg.web import services

    try:
        counts = services().query.counts(timeout=5)
    except QueryError as err:
        response = jsonify(status="unavailable", error=err.message, version=__version__)
        response.status_code = 503
        return response
    response = jsonify(status="ok", triples=counts.triples, graphs=len(counts.graphs),
                       version=__version__, dataset_version=counts.version)
    response.headers["Cache-Control"] = "no-store"
    return response
