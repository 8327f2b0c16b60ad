"""The remote store (ppkg.remote) on a real Virtuoso: what the shared endpoint tests cannot show.

`ppkg load` twice leaves the same quads; bad files and unreachable stores stop it with exit 2;
a failed write leaves neither a partial graph nor a staging graph; the default graph is the
union of the graphs as a set, through a submission and its withdrawal; an unreachable store is a 502
and a timeout a 504, with JSON messages; the store's password never appears in a response, an
error or a log line.
"""

from __future__ import annotations

import subprocess

import pytest
import requests

from conftest import (TEST_DATASET, clean_env, ppkg_command, start_server, stop_server)
from ppkg.config import Config
from ppkg.errors import QueryError
from ppkg.store.remote.client import SparqlClient
from ppkg.store.remote.dataset import RemoteDataset
from ppkg.store.remote.registry import DEFAULT_GRAPH, REGISTRY, UNION_GRAPH
from ppkg.store.remote.writer import write_graph

import pyoxigraph as ox
import virtuoso as virtuoso_helper

pytestmark = pytest.mark.skipif(not virtuoso_helper.available(),
                                reason="Virtuoso is not installed (virtuoso-opensource-7-bin)")


@pytest.fixture(scope="module")
def scratch(virtuoso_stores):
    """A Virtuoso of this module's own, holding the test dataset."""
    return virtuoso_stores("scratch", [str(TEST_DATASET)])


def config_for(store, **overrides) -> Config:
    env = store.env()
    return Config(store="sparql", sparql_query_url=env["PPKG_SPARQL_QUERY_URL"],
                  sparql_update_url=env["PPKG_SPARQL_UPDATE_URL"], sparql_user="dba",
                  sparql_password=store.password, sparql_auth="digest", **overrides)


def service_for(store, **overrides):
    config = config_for(store, **overrides)
    dataset = RemoteDataset.from_config(config)
    dataset.check()
    return dataset, dataset.query_service(config)


def all_quads(store) -> list[tuple]:
    client = SparqlClient(store.query_url)
    body = client.query("SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }",
                        "application/sparql-results+json", 10)
    from ppkg.store.remote.dialect import parse_results

    rows = parse_results(body)[1]
    # blank nodes are fresh on each load: compared without their labels
    return sorted(tuple("_:" if isinstance(t, ox.BlankNode) else str(t) for t in row) for row in rows
                  if not str(row[0]).startswith(("<http://www.openlinksw.com", "<http://www.w3.org/ns/ldp",
                                                 "<http://localuriqaserver", f"<{REGISTRY}",
                                                 f"<{UNION_GRAPH}")))


def ppkg(*args, env=None) -> subprocess.CompletedProcess:
    return subprocess.run(ppkg_command() + list(args), env=dict(clean_env(), **(env or {})),
                          capture_output=True, text=True, timeout=120)


def test_load_twice_leaves_the_same_quads(scratch):
    before = all_quads(scratch)
    assert len(before) > 0
    done = ppkg("load", str(TEST_DATASET), env=scratch.env())
    assert done.returncode == 0, done.stderr
    assert all_quads(scratch) == before
    # the default graph block of the TriG file: in the default graph, not a named graph
    dataset, service = service_for(scratch)
    assert DEFAULT_GRAPH not in dataset.graph_names()
    counts = service.counts()
    assert set(counts.graphs) == {"http://example.org/ppkg-test/graph/source-a",
                                  "http://example.org/ppkg-test/graph/source-b"}
    assert counts.triples == len(before)


def test_load_with_the_graph_store_protocol(scratch):
    before = all_quads(scratch)
    done = ppkg("load", str(TEST_DATASET), env=scratch.env(gsp=True))
    assert done.returncode == 0, done.stderr
    assert all_quads(scratch) == before


def test_load_refuses_bad_files_and_unreachable_stores(scratch, tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("<a> <b> .\n")
    before = all_quads(scratch)
    done = ppkg("load", str(bad), env=scratch.env())
    assert done.returncode == 2 and "bad.ttl" in done.stderr and "Traceback" not in done.stderr
    assert all_quads(scratch) == before
    env = dict(scratch.env(), PPKG_SPARQL_QUERY_URL="http://127.0.0.1:9/sparql",
               PPKG_SPARQL_UPDATE_URL="http://127.0.0.1:9/sparql-auth")
    done = ppkg("load", str(TEST_DATASET), env=env)
    assert done.returncode == 2 and "unreachable" in done.stderr
    assert scratch.password not in done.stderr + done.stdout
    done = ppkg("load", str(TEST_DATASET), env=dict(scratch.env(), PPKG_SPARQL_PASSWORD="wrong"))
    assert done.returncode == 2 and "credentials" in done.stderr and "wrong" not in done.stderr


def test_a_failed_write_leaves_no_partial_graph(scratch, monkeypatch):
    dataset, _ = service_for(scratch)
    client = dataset.client
    graph = "https://w3id.org/ppkg/id/submission/atomicity-test"
    triples = [ox.Triple(ox.NamedNode(f"http://example.org/s{i}"), ox.NamedNode("http://example.org/p"),
                         ox.Literal(str(i))) for i in range(12)]
    original = client.update

    def failing(update, timeout=10.0):
        if update.startswith("MOVE"):
            raise QueryError("injected failure before the MOVE")
        return original(update, timeout)

    monkeypatch.setattr(client, "update", failing)
    monkeypatch.setattr("ppkg.store.remote.writer.BATCH", 5)  # several batches went in before the failure
    with pytest.raises(QueryError):
        write_graph(client, graph, triples)
    monkeypatch.undo()
    names = {q[0] for q in all_quads(scratch)}
    assert f"<{graph}>" not in names
    assert not any(name.startswith("<urn:ppkg:store:staging") for name in names)
    write_graph(client, graph, triples)  # and the same write, done, is complete
    assert sum(1 for q in all_quads(scratch) if q[0] == f"<{graph}>") == 12
    client.update(f"DROP SILENT GRAPH <{graph}>")


def test_the_default_graph_is_the_union_as_a_set_through_add_and_withdraw(scratch):
    """Virtuoso evaluates several default graphs as a bag; ppkg's union graph is a set."""
    from ppkg.vocab import PROVENANCE_GRAPH, SUBMISSION_GRAPH_BASE
    from ppkg.store.entries import read_change
    from ppkg.store.remote.registry import read_registry
    from ppkg.store.remote.writer import apply_change

    dataset, service = service_for(scratch)
    graph = SUBMISSION_GRAPH_BASE + "union-test"
    ex = "http://example.org/ppkg-test/"
    a = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
    restated = f"<{ex}p1> {a} <{ex}Person>"  # also in source-a
    new = f"<{ex}someone-new> {a} <{ex}Person>"

    def count(pattern):
        rows = service.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}").rows
        return int(rows[0][0].value)

    def apply(kind, data=""):
        apply_change(dataset.client, read_change({
            "kind": kind, "graph": graph, "data": data,
            "provenance": f'<{graph}> <http://www.w3.org/2000/01/rdf-schema#label> "record" '
                          f'<{PROVENANCE_GRAPH}> .\n'}),
            graphs=read_registry(dataset.client)["graphs"])
        dataset._cached = None  # the registry changed under this process

    def union_is_a_set():
        return count("?s ?p ?o") == count("SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o }")

    assert count(restated) == 1 and union_is_a_set()
    apply("add", f"{restated} <{graph}> .\n{new} <{graph}> .\n")
    assert count(restated) == 1 and count(new) == 1 and union_is_a_set()
    assert count(f"GRAPH <{graph}> {{ ?s ?p ?o }}") == 2
    apply("withdraw")
    assert count(restated) == 1  # source-a still states it
    assert count(new) == 0 and count(f"GRAPH <{graph}> {{ ?s ?p ?o }}") == 0
    assert count(f"<{graph}> ?p ?o") == 1  # its provenance stays, in the union too
    assert union_is_a_set()


def test_unreachable_store_is_502_and_timeout_504_without_secrets(scratch, tmp_path):
    log = tmp_path / "serve.log"
    env = scratch.env()
    server = start_server(["--timeout", "1"], log, workers=1, env=env)
    try:
        slow = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . "
                "?m ?n1 ?o }")
        response = requests.get(server.sparql, params={"query": slow}, timeout=30)
        assert response.status_code == 504, response.text
        assert response.json()["status"] == 504 and "time limit" in response.json()["error"]
        assert scratch.password not in response.text
    finally:
        stop_server(server)
    # a store that goes away while ppkg runs: 502, clear JSON
    dead = virtuoso_helper.start_virtuoso(tmp_path / "dead")
    load = ppkg("load", str(TEST_DATASET), env=dead.env())
    assert load.returncode == 0, load.stderr
    server = start_server([], tmp_path / "serve-dead.log", workers=1, env=dead.env())
    try:
        assert requests.get(server.sparql, params={"query": "ASK { ?s ?p ?o }"},
                            timeout=30).status_code == 200
        virtuoso_helper.stop_virtuoso(dead)
        for path, params in (("/sparql", {"query": "SELECT * WHERE { ?s ?p ?o }"}),
                             ("/dataset", {}), ("/queries/people", {})):
            response = requests.get(server.url + path, params=params,
                                    headers={"Accept": "application/json"}, timeout=30)
            assert response.status_code == 502, (path, response.status_code, response.text)
            assert "remote store" in response.json()["error"]
            assert dead.password not in response.text
        logged = server.log()
        assert dead.password not in logged
    finally:
        stop_server(server)
        virtuoso_helper.stop_virtuoso(dead)
    # and a store that is not there at start: exit 2, one line, no secret
    done = ppkg("serve", "--port", "1", env=dict(env, PPKG_SPARQL_QUERY_URL="http://127.0.0.1:9/sparql"))
    assert done.returncode == 2 and "unreachable" in done.stderr
    assert scratch.password not in done.stderr + done.stdout


def test_the_password_never_shows(server):
    if server.backend != "virtuoso":
        pytest.skip("the embedded store has no credentials")
    responses = [
        requests.get(server.sparql, params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 2"}),
        requests.get(server.sparql, params={"query": "SELEC nonsense"}),
        requests.get(server.sparql, params={"query": "define get:soft \"replace\" SELECT * "
                                                     "FROM <http://example.org/> WHERE { ?s ?p ?o }"}),
        requests.get(server.url + "/dataset", headers={"Accept": "text/turtle"}),
        requests.get(server.url + "/"),
        requests.get(server.url + "/health"),
    ]
    assert [r.status_code for r in responses][:3] == [200, 400, 400]
    assert "define" in responses[2].json()["error"]
    for response in responses:
        assert server.secret not in response.text
        assert server.secret not in str(response.headers)
    assert server.secret not in server.log()
