"""BASELINE ONLY — a minimal SPARQL endpoint on rdflib's own engine, for benchmarks/run.py.

Not part of ppkg. It stands for "the usual Python endpoint": a Flask app that answers
`GET /sparql?query=` with `Dataset.query()` over an in-memory rdflib Dataset whose default graph
is the union of the named graphs (as in ppkg), SELECT/ASK as SPARQL JSON and CONSTRUCT/DESCRIBE
as Turtle. No timeout, no row limit, no safety: never expose it.

Served by gunicorn with sync workers and the data preloaded in the master, as `ppkg serve` is:

    RDFLIB_ENDPOINT_DATA=benchmarks/out/synthetic-10000-seed1.trig \\
        gunicorn --preload -w 4 -b 127.0.0.1:8099 --chdir benchmarks 'rdflib_endpoint:create_app()'
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from flask import Flask, Response, request

FORMATS = {".trig": "trig", ".nq": "nquads", ".nquads": "nquads", ".ttl": "turtle",
           ".nt": "nt"}


def load(paths: list[str]):
    import rdflib

    logging.getLogger("rdflib").setLevel(logging.ERROR)
    dataset = rdflib.Dataset(default_union=True)
    for path in paths:
        dataset.parse(path, format=FORMATS[Path(path).suffix])
    return dataset


def create_app(paths: list[str] | None = None) -> Flask:
    paths = paths or os.environ["RDFLIB_ENDPOINT_DATA"].split(os.pathsep)
    dataset = load(paths)
    app = Flask(__name__)

    @app.get("/health")
    def health():
        return {"status": "ok", "engine": "rdflib (baseline)"}

    @app.route("/sparql", methods=["GET", "POST"])
    def sparql():
        query = request.values.get("query")
        if not query:
            return Response("no query\n", status=400, content_type="text/plain")
        try:
            result = dataset.query(query)
        except Exception as err:  # noqa: BLE001 - a baseline: report and go on
            return Response(f"{type(err).__name__}: {err}\n", status=400,
                            content_type="text/plain")
        if result.type in ("CONSTRUCT", "DESCRIBE"):
            return Response(result.serialize(format="turtle"), content_type="text/turtle")
        return Response(result.serialize(format="json"),
                        content_type="application/sparql-results+json")

    return app


# A lookup-sized SPARQL JSON answer (four bindings), always the same.
STATIC_BODY = (b'{"head":{"vars":["p","o"]},"results":{"bindings":['
               + b",".join(b'{"p":{"type":"uri","value":"http://www.w3.org/2000/01/rdf-schema#label"},'
                           b'"o":{"type":"literal","value":"Ilkin Rustamzade"}}' for _ in range(4))
               + b"]}}")


def create_static_app() -> Flask:
    """THE HTTP FLOOR — no engine at all: the same fixed JSON for any `/sparql` request.

    What Flask on gunicorn (sync workers, a new connection per request) costs by itself, so the
    HTTP figures of ppkg and of the rdflib endpoint can be read against it.
    """
    app = Flask(__name__)

    @app.get("/health")
    def health():
        return {"status": "ok", "engine": "none (HTTP floor)"}

    @app.route("/sparql", methods=["GET", "POST"])
    def sparql():
        return Response(STATIC_BODY, content_type="application/sparql-results+json")

    return app
