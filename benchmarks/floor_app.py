"""THE FLOOR for benchmarks/http_bench.py — the least a Flask + pyoxigraph endpoint can cost.

Not part of ppkg and not safe to expose: no time limit, no row limit, no query checks. It holds
every triple of every named graph of the data file, once, in the store's default graph (the set
union ppkg serves) and answers `GET /sparql?query=` with `Store.query` and pyoxigraph's own
writers. Whatever ppkg adds over this — its checks, limits, query process, negotiation — is what
the benchmark's ratio measures.

Run as `ppkg serve` runs: gunicorn, sync workers, the store loaded once in the master (--preload)
and shared copy-on-write by the workers:

    FLOOR_DATA=benchmarks/out/synthetic-100000-seed1.trig gunicorn --preload --workers 2 \\
        --worker-class sync --limit-request-line 0 --timeout 3600 --no-control-socket \\
        --bind 127.0.0.1:8098 --chdir benchmarks 'floor_app:create_app()'

(`--limit-request-line 0` and `--no-control-socket` as ppkg serve sets them: long GET queries are
normal in SPARQL, and two servers must not share one control socket.)
"""

from __future__ import annotations

import os
from pathlib import Path

import pyoxigraph as ox
from flask import Flask, Response, request

JSON = "application/sparql-results+json"
TURTLE = "text/turtle"


def load(path: str) -> ox.Store:
    store = ox.Store()
    quads = ox.parse(path=path, format=ox.RdfFormat.from_extension(Path(path).suffix[1:]))
    # The graph name is dropped: the store is a set, so a triple several sources state is
    # stored once, as in ppkg's materialised union.
    store.extend(ox.Quad(q.subject, q.predicate, q.object) for q in quads)
    return store


def create_app(path: str | None = None) -> Flask:
    store = load(path or os.environ["FLOOR_DATA"])
    app = Flask(__name__)

    @app.get("/sparql")
    def sparql():
        result = store.query(request.args["query"])
        if isinstance(result, ox.QueryTriples):
            return Response(ox.serialize(result, format=ox.RdfFormat.TURTLE), content_type=TURTLE)
        # QuerySolutions (SELECT) and QueryBoolean (ASK) have the same writer
        return Response(result.serialize(format=ox.QueryResultsFormat.JSON), content_type=JSON)

    return app
