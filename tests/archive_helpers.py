"""Helpers for the archivists' tests: a real `ppkg serve` on a temporary data dir, tokens issued by
the real `ppkg token create`, SPARQL reads, uploads in the ppkg vocabulary, and a local HTTP
server that records any request made to it (to prove nothing is fetched)."""

from __future__ import annotations

import http.server
import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from conftest import Server, clean_env, ppkg_command, start_server, stop_server

TESTS = Path(__file__).resolve().parent
PUBLISHED = TESTS / "data" / "archive" / "published.trig"

SUBMISSION_BASE = "https://w3id.org/ppkg/id/submission/"
PROVENANCE_GRAPH = "https://w3id.org/ppkg/graph/provenance"
SOURCE_GRAPH = "https://w3id.org/ppkg/id/source/archive-test"

PREFIXES = """@prefix ppkg:   <https://w3id.org/ppkg/ontology#> .
@prefix ppkgsh: <https://w3id.org/ppkg/shapes#> .
@prefix rdfs:   <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd:    <http://www.w3.org/2001/XMLSchema#> .
@prefix owl:    <http://www.w3.org/2002/07/owl#> .
@prefix sh:     <http://www.w3.org/ns/shacl#> .
@prefix person: <https://w3id.org/ppkg/id/person/> .
@prefix orgn:   <https://w3id.org/ppkg/id/organization/> .
@prefix mem:    <https://w3id.org/ppkg/id/membership/> .
@prefix event:  <https://w3id.org/ppkg/id/event/> .
@prefix role:   <https://w3id.org/ppkg/id/role/> .
@prefix occ:    <https://w3id.org/ppkg/id/occupation/> .
@prefix src:    <https://w3id.org/ppkg/id/source/> .
@prefix ex:     <http://example.org/archive-test/> .
"""

# Every resource of a submission names a source document the submission describes (the shapes
# for submissions): `source(tag)` describes one, `cite(tag)` is the statement that names it.
def source(tag: str, title: str | None = None) -> str:
    return (f'src:{tag}-report a ppkg:NewsArticle ; rdfs:label "{title or "Report " + tag}" ; '
            f'ppkg:title "{title or "Report " + tag}" ; ppkg:url <https://example.org/reports/{tag}> .\n')


SOURCE_TRIPLES = 4  # of source(tag)


def cite(tag: str) -> str:
    return f"ppkg:source src:{tag}-report"

MAX_BODY = 256 * 1024
QUERY_TIMEOUT = 10


@dataclass
class ArchiveServer:
    server: Server
    data_dir: Path
    log_dir: Path
    tokens: dict[str, str] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)  # PPKG_STORE=sparql ... (remote store)

    @property
    def url(self) -> str:
        return self.server.url

    def auth(self, name: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[name]}"}


def ppkg(data_dir: Path, *args: str, input: str | None = None) -> subprocess.CompletedProcess:
    """Run the `ppkg` console script with a data dir; returns the completed process."""
    return subprocess.run(ppkg_command() + ["--data-dir", str(data_dir), *args], env=clean_env(),
                          capture_output=True, text=True, input=input, timeout=120)


def create_token(data_dir: Path, name: str, role: str = "contributor") -> str:
    done = ppkg(data_dir, "token", "create", name, "--role", role)
    assert done.returncode == 0, done.stderr
    token = done.stdout.strip()
    assert token.startswith("ppkg_") and len(token) > 40
    return token


def start_archive_server(data_dir: Path, log_dir: Path, workers: int = 3, port: int | None = None,
                         name: str = "serve", env: dict[str, str] | None = None) -> Server:
    """`env`: the remote store's PPKG_* settings (the store then holds PUBLISHED: `ppkg load`)."""
    log_dir.mkdir(parents=True, exist_ok=True)
    server = start_server([str(PUBLISHED), "--timeout", str(QUERY_TIMEOUT), "--max-body", str(MAX_BODY)],
                          log_dir / f"{name}.log", workers=workers,
                          env=dict(env or {}, PPKG_DATA_DIR=str(data_dir)), port=port)
    if (env or {}).get("PPKG_STORE") == "sparql":
        server.backend, server.secret = "virtuoso", env.get("PPKG_SPARQL_PASSWORD")
    return server


ROLES = (("alice", "archivist"), ("bob", "archivist"), ("root", "admin"), ("clara", "contributor"),
         ("carl", "contributor"))


def start_archive(tmp: Path, tokens=ROLES, workers: int = 3,
                  env: dict[str, str] | None = None) -> ArchiveServer:
    data_dir = tmp / "data"
    issued = {name: create_token(data_dir, name, role) for name, role in tokens}
    server = start_archive_server(data_dir, tmp / "logs", workers=workers, env=env)
    return ArchiveServer(server=server, data_dir=data_dir, log_dir=tmp / "logs", tokens=issued,
                         env=dict(env or {}))


def stop_archive(archive: ArchiveServer) -> None:
    stop_server(archive.server)


def select(url: str, query: str) -> list[dict[str, str]]:
    """A SELECT through the server's /sparql: rows of {variable: value}."""
    response = requests.post(url + "/sparql", data={"query": query},
                             headers={"Accept": "application/sparql-results+json"}, timeout=60)
    assert response.status_code == 200, response.text
    return [{k: v["value"] for k, v in row.items()} for row in response.json()["results"]["bindings"]]


def ask(url: str, query: str) -> bool:
    response = requests.post(url + "/sparql", data={"query": query},
                             headers={"Accept": "application/sparql-results+json"}, timeout=60)
    assert response.status_code == 200, response.text
    return response.json()["boolean"]


def graph_sizes(url: str) -> dict[str, int]:
    rows = select(url, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    return {r["g"]: int(r["n"]) for r in rows}


def person_upload(tag: str, count: int = 1) -> tuple[str, int]:
    """Turtle for `count` valid new people (3 triples each) under a tag, and the source document
    they come from (src:TAG-report); returns (text, triples)."""
    lines = [PREFIXES, source(tag)]
    for i in range(count):
        lines.append(f'person:{tag}-{i} a ppkg:Person ; rdfs:label "Person {i} of {tag}" ; {cite(tag)} .')
    return "\n".join(lines), 3 * count + SOURCE_TRIPLES


def post_turtle(url: str, path: str, text: str, headers: dict | None = None, **params):
    return requests.post(url + path, data=text.encode(), params=params or None, timeout=120,
                         headers={"Content-Type": "text/turtle", **(headers or {})})


class RecordingHTTPServer:
    """A local HTTP server that answers everything with a small document and records requests."""

    def __init__(self, body: bytes = b"{}", content_type: str = "application/ld+json"):
        self.requests: list[str] = []
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                owner.requests.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_POST = do_GET  # noqa: N815

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def kill_during(archive: ArchiveServer, pool: list[threading.Thread], stop: threading.Event,
                answered: list[int], enough: int, rng, latest: float) -> None:
    """Start the `pool` of client threads; once `answered[0]` reaches `enough`, wait a random
    moment (up to `latest` s) and SIGKILL the server's whole process group (master, workers,
    query processes); then tell the threads to stop and wait for them."""
    for t in pool:
        t.start()
    deadline = time.monotonic() + 120
    while answered[0] < enough and time.monotonic() < deadline:
        time.sleep(0.005)
    time.sleep(rng.uniform(0, latest))
    os.killpg(archive.server.process.pid, signal.SIGKILL)
    archive.server.process.wait(timeout=30)
    stop.set()
    for t in pool:
        t.join(timeout=120)
    deadline = time.monotonic() + 30  # the workers and query processes too, before a restart
    while time.monotonic() < deadline:
        try:
            os.killpg(archive.server.process.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
