"""Protocol conformance found missing by real clients (issue 14): the W3C SPARQL 1.1 Protocol
cases by name, what Comunica asks of a dereferenced IRI, the OpenAPI document against behaviour
(schemathesis), a result cut by the row limit saying so in its body, and a data dir that belongs
to one dataset."""

from __future__ import annotations

import json
import shutil
import subprocess

import pyoxigraph as ox
import pytest
import requests

from conftest import (SERVER_ROW_LIMIT, TEST_DATASET, clean_env, free_port, ppkg_command,
                      start_server, stop_server)
from ppkg.store.changelog import ChangeLog

COMUNICA_ACCEPT = ("application/n-quads,application/trig;q=0.95,application/ld+json;q=0.9,"
                   "application/n-triples;q=0.8,text/turtle;q=0.6,application/rdf+xml;q=0.5,"
                   "text/n3;q=0.35,application/xml;q=0.3,image/svg+xml;q=0.3,text/xml;q=0.3,"
                   "text/html;q=0.2,application/xhtml+xml;q=0.18,application/json;q=0.135,"
                   "text/shaclc;q=0.1,text/shaclc-ext;q=0.05")


def test_w3c_query_content_type_construct(server):
    """Relative IRIs in a query resolve against the endpoint's IRI, as in Oxigraph and Fuseki."""
    response = requests.post(server.sparql, data="CONSTRUCT { <s> <p> 1 } WHERE {}",
                             headers={"Content-Type": "application/sparql-query",
                                      "Accept": "application/n-triples"}, timeout=30)
    assert response.status_code == 200, response.text
    (triple,) = ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES)
    assert triple.subject == ox.NamedNode(server.sparql.rsplit("/", 1)[0] + "/s")


def test_w3c_bad_query_non_utf8(server):
    """A query body in another encoding than UTF-8 is a 4xx, never answered as if it were."""
    response = requests.post(server.sparql, data="ASK {}".encode("utf-16"),
                             headers={"Content-Type": "application/sparql-query; charset=UTF-16"},
                             timeout=30)
    assert 400 <= response.status_code < 500
    assert "UTF-8" in response.json()["error"]
    response = requests.post(server.sparql, data=b"ASK { ?s ?p \"\xff\" }",
                             headers={"Content-Type": "application/sparql-query"}, timeout=30)
    assert response.status_code == 400


def test_comunica_finds_the_description_in_the_default_graph(shipped_server):
    """Comunica prefers N-Quads and reads the default graph: a document holds the description
    there, and each statement in its source's graph beside it."""
    person = shipped_server.url + "/id/person/ilkin-rustamzade"
    response = requests.get(person, headers={"Accept": COMUNICA_ACCEPT}, timeout=30)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/n-quads")
    quads = list(ox.parse(response.content, format=ox.RdfFormat.N_QUADS))
    default = {q.triple for q in quads if isinstance(q.graph_name, ox.DefaultGraph)}
    named = {q.triple for q in quads if not isinstance(q.graph_name, ox.DefaultGraph)}
    assert default and default == named  # the whole description, and nothing else, in both
    assert {q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)} >= {
        "https://w3id.org/ppkg/id/source/b5ef6d9da071791b"}


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_cut_result_says_so_in_its_body(server, fmt):
    """Clients that never look at X-PPKG-Truncated (pandas, SPARQLWrapper, YASGUI) find a link
    in the head of the SPARQL JSON and XML results."""
    response = requests.get(server.sparql, params={"query": "SELECT * WHERE { ?s ?p ?o }",
                                                   "format": fmt}, timeout=30)
    assert response.headers["X-PPKG-Truncated"] == "true"
    if fmt == "json":
        assert response.json()["head"]["link"] == ["/sparql#row-limit"]
        assert len(response.json()["results"]["bindings"]) == SERVER_ROW_LIMIT
    else:
        assert '<link href="/sparql#row-limit"/>' in response.text
    whole = requests.get(server.sparql, params={"query": "ASK { ?s ?p ?o }", "format": fmt},
                         timeout=30)
    assert "link" not in whole.text


@pytest.mark.skipif(not shutil.which("schemathesis"), reason="schemathesis is in the test extra")
def test_openapi_matches_behaviour(shipped_server, tmp_path):
    """schemathesis generates requests from /openapi.json (a fixed budget and seed) and checks
    every answer against the document: statuses, media types, schemas, no server errors.
    SPARQL texts cannot be described by a JSON schema, so a generated one may be refused. It runs
    in an empty directory: its cache of earlier failures would otherwise replay them."""
    result = subprocess.run(
        ["schemathesis", "run", shipped_server.url + "/openapi.json", "--max-examples", "15",
         "--seed", "7", "--exclude-checks", "positive_data_acceptance", "--no-color"],
        capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-6000:]


def test_a_data_dir_belongs_to_one_dataset(tmp_path):
    """Changes accepted for one dataset are never replayed into another's store: the first
    server to apply a change claims the data dir for its files; a server over other files
    refuses to start on it."""
    data_dir = tmp_path / "data"
    graph = "https://w3id.org/ppkg/id/submission/20261129-000000-aaaaaa"
    ChangeLog(data_dir).append({"kind": "add", "graph": graph, "data": (
        f'<https://w3id.org/ppkg/id/person/new> <http://www.w3.org/2000/01/rdf-schema#label> '
        f'"New" <{graph}> .\n'), "provenance": ""})
    first = start_server([str(TEST_DATASET)], tmp_path / "a.log",
                         env={"PPKG_DATA_DIR": str(data_dir)})
    try:
        assert requests.get(first.url + "/health", timeout=30).json()["changes_applied"] == 1
    finally:
        stop_server(first)
    owner = json.loads((data_dir / "dataset.json").read_text())["dataset"]
    assert str(TEST_DATASET.resolve()) in owner
    other = subprocess.run([*ppkg_command(), "serve", "--port", str(free_port())],
                           capture_output=True, text=True, timeout=120,
                           env=dict(clean_env(), PPKG_DATA_DIR=str(data_dir)))
    assert other.returncode == 2
    assert "another dataset" in other.stderr and "Traceback" not in other.stderr
