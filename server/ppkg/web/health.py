"""GET /health: is the server up, can it query its store, what does the store hold, how much of
the change log it serves (and why not all, when the log is damaged), whether this process can
reach the network."""

from __future__ import annotations

from flask import Blueprint, jsonify

from ppkg import __version__
from ppkg.errors import QueryError
from ppkg.runtime.sandbox import network_forbidden
from ppkg.web.context import services

bp = Blueprint("health", __name__)

# Counting a large remote store can take longer than a load balancer waits for a health check:
# the counts are added when they come quickly, and the answer is "ok" as soon as the store answers.
COUNTS_TIMEOUT = 2.0


@bp.get("/health")
def health():
    query = services().query
    try:
        query.ask("ASK {}", timeout=5)
    except QueryError as err:
        response = jsonify(status="unavailable", error=err.message, version=__version__)
        response.status_code = 503
        return response
    dataset = services().dataset
    body = {"status": "ok", "version": __version__, "changes_applied": dataset.applied,
            "network": "forbidden" if network_forbidden() else "allowed"}
    problem = getattr(dataset, "problem", None)
    if problem:  # served, but without what the damaged change log holds after the damage
        body.update(status="degraded", problem=problem)
    try:
        counts = query.counts(timeout=COUNTS_TIMEOUT)
        body.update(triples=counts.triples, graphs=len(counts.graphs),
                    dataset_version=counts.version)
    except QueryError as err:
        body["counts"] = f"not available: {err.message}"
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response


def openapi_part() -> dict:
    schema = {"type": "object", "required": ["status", "version"], "properties": {
        "status": {"type": "string", "enum": ["ok", "degraded", "unavailable"]},
        "version": {"type": "string"}, "changes_applied": {"type": "integer"},
        "network": {"type": "string"}, "problem": {"type": "string"},
        "triples": {"type": "integer"}, "graphs": {"type": "integer"},
        "dataset_version": {"type": "string"}}}
    answer = {"content": {"application/json": {"schema": schema}}}
    return {"tags": [{"name": "health", "description": "For load balancers and operators"}],
            "paths": {"/health": {"get": {
                "operationId": "health", "summary": "Whether this server answers, and what it "
                                                    "serves", "tags": ["health"],
                "responses": {"200": {"description": "It answers (status ok, or degraded with "
                                                     "the problem)", **answer},
                              "503": {"description": "Its store does not answer", **answer}}}}}}
