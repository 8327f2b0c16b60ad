"""GET /health: is the server up, can it query its store, what does the store hold, how much of
the change log it serves (and why not all, when the log is damaged), whether this process can
reach the network; for a replica of a shared record (PostgreSQL), the record's last version, how
far this server trails it, and whether it can reach it.

For a load balancer: 200 while the server answers from data it may serve — including when the
record cannot be reached (every replica is then in the same state, and reads go on: "degraded");
503 when the store does not answer, when the server trails a record it can reach by more than
Config.max_lag seconds, or when its follower has lost the record while the record answers this
server's own request (it is then taken out until it follows again)."""

from __future__ import annotations

import time
from pathlib import Path

from flask import Blueprint, jsonify

from ppkg import __version__
from ppkg.errors import QueryError, RecordUnavailable
from ppkg.replica.status import REPLICA_DIR, read_status
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
    if services().config.database_url:
        body.update(_replica(dataset.seq))
    try:
        counts = query.counts(timeout=COUNTS_TIMEOUT)
        body.update(triples=counts.triples, graphs=len(counts.graphs),
                    dataset_version=counts.version)
    except QueryError as err:
        body["counts"] = f"not available: {err.message}"
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    if body["status"] == "lagging":
        response.status_code = 503
        response.headers["Retry-After"] = "1"
    return response


def _replica(applied: int) -> dict:
    """What /health says of a replica (ppkg.replica.status): the record's head, the lag."""
    config = services().config
    status = read_status(Path(config.data_dir) / REPLICA_DIR)
    if status is None:
        return {"status": "degraded", "problem": "the record has not been reached yet"}
    now = time.time()
    behind, seconds = status.lag(applied, now)
    out = {"record_version": status.head, "lag": behind, "lag_seconds": round(seconds, 3)}
    if not status.in_touch(now):
        try:  # the record is down for every replica, or this one cannot follow it
            head = services().record.changes.last_seq()
        except RecordUnavailable:
            out.update(status="degraded", problem=f"the record cannot be reached "
                       f"({status.error}); last reached {now - status.contact:.0f} s ago: reads "
                       "go on, writes fail")
            return out
        out.update(status="lagging", record_version=head, lag=max(0, head - applied),
                   problem=f"this server cannot follow the record, which answers "
                           f"({status.error}); last followed {now - status.contact:.0f} s ago")
    elif seconds > config.max_lag:
        out.update(status="lagging", problem=f"{behind} changes behind the record, for "
                                             f"{seconds:.1f} s (limit {config.max_lag:g} s)")
    return out


def openapi_part() -> dict:
    schema = {"type": "object", "required": ["status", "version"], "properties": {
        "status": {"type": "string", "enum": ["ok", "degraded", "lagging", "unavailable"]},
        "version": {"type": "string"}, "changes_applied": {"type": "integer"},
        "network": {"type": "string"}, "problem": {"type": "string"},
        "triples": {"type": "integer"}, "graphs": {"type": "integer"},
        "dataset_version": {"type": "string"}, "record_version": {"type": "integer"},
        "lag": {"type": "integer"}, "lag_seconds": {"type": "number"}}}
    answer = {"content": {"application/json": {"schema": schema}}}
    return {"tags": [{"name": "health", "description": "For load balancers and operators"}],
            "paths": {"/health": {"get": {
                "operationId": "health", "summary": "Whether this server answers, and what it "
                                                    "serves", "tags": ["health"],
                "responses": {"200": {"description": "It answers (status ok, or degraded with "
                                                     "the problem)", **answer},
                              "503": {"description": "Its store does not answer, or it trails "
                                                     "the shared record past its lag limit",
                                      **answer}}}}}}
