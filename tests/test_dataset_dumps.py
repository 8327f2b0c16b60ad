"""/dataset (VoID + DCAT), /dumps/ppkg.trig and /dumps/ppkg.nq.gz, and `ppkg export`, through a
real `ppkg serve` on 127.0.0.1: the dumps hold exactly the store's quads, their sizes and SHA-256
are what /dataset says, and the command line writes the same bytes."""

from __future__ import annotations

import base64
import gzip
import hashlib
import subprocess

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic
import requests
from rdflib import RDF, URIRef

from conftest import BACKENDS, clean_env, ppkg_command, stop_server
from ld_helpers import (ONTOLOGY_GRAPH, SOURCE_A, SOURCE_B, W3ID, canonical_set, parse,
                        store_quads)

VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
DCTERMS = rdflib.Namespace("http://purl.org/dc/terms/")
SPDX = rdflib.Namespace("http://spdx.org/rdf/terms#")
SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
DATASET = URIRef(W3ID + "dataset")
CC_BY = URIRef("https://creativecommons.org/licenses/by/4.0/")


@pytest.fixture(scope="module", params=BACKENDS)
def data_dir(request, tmp_path_factory):
    return tmp_path_factory.mktemp(f"dumps-{request.param}")


@pytest.fixture(scope="module")
def srv(request, data_dir):
    from ld_helpers import start_shipped

    backend = data_dir.name.split("-")[1].rstrip("0123456789")  # dumps-<backend>N
    server = start_shipped(data_dir, request=request, backend=backend)
    yield server
    stop_server(server)


@pytest.fixture(scope="module")
def dumps(srv):
    return {name: requests.get(f"{srv.url}/dumps/{name}", timeout=60)
            for name in ("ppkg.trig", "ppkg.nq.gz")}


@pytest.fixture(scope="module")
def quads_in_store(srv):
    return store_quads(srv.url)


def parse_quads(data: bytes, fmt: ox.RdfFormat) -> set[ox.Quad]:
    return canonical_set(ox.parse(data, format=fmt))


# --- the dumps -----------------------------------------------------------------------------------

def test_trig_dump_round_trips_to_the_store(dumps, quads_in_store):
    response = dumps["ppkg.trig"]
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/trig")
    assert parse_quads(response.content, ox.RdfFormat.TRIG) == quads_in_store
    graphs = {q.graph_name.value for q in quads_in_store if isinstance(q.graph_name, ox.NamedNode)}
    assert {SOURCE_A, SOURCE_B, ONTOLOGY_GRAPH} <= graphs
    # rdflib reads it too, with the facts in their sources' graphs
    dataset = rdflib.Dataset()
    dataset.parse(data=response.content, format="trig")
    event = URIRef(W3ID + "id/event/imprisonment-ilkin-rustamzade")
    served = URIRef(W3ID + "ontology#timeServed")
    assert {str(o) for o in dataset.graph(URIRef(SOURCE_A)).objects(event, served)} == {"P6Y"}
    assert {str(o) for o in dataset.graph(URIRef(SOURCE_B)).objects(event, served)} == {"P4Y"}


def test_nquads_dump_round_trips_to_the_store(dumps, quads_in_store):
    response = dumps["ppkg.nq.gz"]
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/gzip"
    assert "Content-Encoding" not in response.headers  # a file to download, not a transfer coding
    nquads = gzip.decompress(response.content)
    assert parse_quads(nquads, ox.RdfFormat.N_QUADS) == quads_in_store
    assert len(nquads.splitlines()) == len(quads_in_store)


@pytest.mark.parametrize("name", ["ppkg.trig", "ppkg.nq.gz"])
def test_dump_headers_size_checksum_etag(srv, dumps, name):
    response = dumps[name]
    body = response.content
    digest = hashlib.sha256(body).digest()
    assert int(response.headers["Content-Length"]) == len(body)
    assert response.headers["X-Checksum-SHA256"] == digest.hex()
    assert response.headers["Digest"] == "sha-256=" + base64.b64encode(digest).decode()
    assert response.headers["Repr-Digest"] == "sha-256=:" + base64.b64encode(digest).decode() + ":"
    etag = response.headers["ETag"]
    again = requests.get(f"{srv.url}/dumps/{name}", headers={"If-None-Match": etag}, timeout=30)
    assert again.status_code == 304 and again.content == b""
    head = requests.head(f"{srv.url}/dumps/{name}", timeout=30)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["Content-Length"] == str(len(body))
    assert head.headers["ETag"] == etag
    ranged = requests.get(f"{srv.url}/dumps/{name}", headers={"Range": "bytes=0-99"}, timeout=30)
    assert ranged.status_code == 206 and ranged.content == body[:100]
    # the same bytes every time (written once per data version)
    assert requests.get(f"{srv.url}/dumps/{name}", timeout=30).content == body


def test_dumps_are_cached_in_the_data_dir(srv, dumps, data_dir):
    cached = list((data_dir / "data" / "cache" / "dumps").glob("*/ppkg.trig"))
    assert len(cached) == 1
    assert cached[0].read_bytes() == dumps["ppkg.trig"].content
    assert (cached[0].parent / "ppkg.nq.gz").read_bytes() == dumps["ppkg.nq.gz"].content


def test_unknown_dumps_are_404(srv):
    for name in ("ppkg.ttl", "..%2Fppkg.trig", "x" * 2000, ".lock"):
        response = requests.get(f"{srv.url}/dumps/{name}", timeout=30)
        assert response.status_code == 404, name


# --- /dataset ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def description(srv):
    response = requests.get(srv.url + "/dataset", headers={"Accept": "text/turtle"}, timeout=30)
    assert response.status_code == 200
    return parse(response, "turtle")


def test_dataset_description_void_and_dcat(srv, description, quads_in_store):
    g = description
    assert (DATASET, RDF.type, VOID.Dataset) in g and (DATASET, RDF.type, DCAT.Dataset) in g
    assert g.value(DATASET, DCTERMS.title) is not None
    assert g.value(DATASET, DCTERMS.description) is not None
    assert g.value(DATASET, DCTERMS.license) == CC_BY  # as the ontology states
    assert g.value(DATASET, DCTERMS.modified) is not None
    assert g.value(DATASET, VOID.sparqlEndpoint) == URIRef(W3ID + "sparql")
    assert int(g.value(DATASET, VOID.triples)) == len(quads_in_store)
    resources = {q.subject.value for q in quads_in_store} | {q.object.value for q in quads_in_store}
    assert int(g.value(DATASET, VOID.entities)) == len(
        {iri for iri in resources if iri.startswith(W3ID + "id/")})
    subsets = {g.value(s, SD.name): s for s in g.objects(DATASET, VOID.subset)}
    assert set(map(str, subsets)) == {SOURCE_A, SOURCE_B, ONTOLOGY_GRAPH}
    for graph_iri, subset in subsets.items():
        in_graph = [q for q in quads_in_store
                    if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value == str(graph_iri)]
        assert int(g.value(subset, VOID.triples)) == len(in_graph)
        ids = {t.value for q in in_graph for t in (q.subject, q.object)
               if isinstance(t, ox.NamedNode) and t.value.startswith(W3ID + "id/")}
        assert int(g.value(subset, VOID.entities)) == len(ids)
    assert g.value(subsets[URIRef(SOURCE_A)], DCTERMS.title) == rdflib.Literal(
        "The March Pardon and #FreeThemAll")


def test_dataset_sizes_and_checksums_match_the_downloads(description, dumps):
    g = description
    distributions = set(g.objects(DATASET, DCAT.distribution))
    assert distributions == set(g.objects(DATASET, VOID.dataDump))
    assert {str(d) for d in distributions} == {W3ID + "dumps/ppkg.trig",
                                               W3ID + "dumps/ppkg.nq.gz"}
    for dist in distributions:
        body = dumps[str(dist).rsplit("/", 1)[1]].content
        assert (dist, RDF.type, DCAT.Distribution) in g
        assert g.value(dist, DCAT.downloadURL) == dist
        assert int(g.value(dist, DCAT.byteSize)) == len(body)
        checksum = g.value(dist, SPDX.checksum)
        assert g.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        assert str(g.value(checksum, SPDX.checksumValue)) == hashlib.sha256(body).hexdigest()
    gz = URIRef(W3ID + "dumps/ppkg.nq.gz")
    assert g.value(gz, DCAT.mediaType) == URIRef(
        "http://www.iana.org/assignments/media-types/application/n-quads")
    assert g.value(gz, DCAT.compressFormat) == URIRef(
        "http://www.iana.org/assignments/media-types/application/gzip")


@pytest.mark.parametrize("accept, fmt", [("application/ld+json", "jsonld"),
                                         ("application/rdf+xml", "rdfxml"),
                                         ("application/n-triples", "ntriples")])
def test_dataset_description_in_other_formats(srv, description, accept, fmt):
    response = requests.get(srv.url + "/dataset", headers={"Accept": accept}, timeout=30)
    assert response.status_code == 200
    graph = parse(response, fmt)
    assert isomorphic(graph, description)


def test_dataset_page(srv, dumps):
    response = requests.get(srv.url + "/dataset", headers={"Accept": "text/html"}, timeout=30)
    assert response.status_code == 200
    body = response.text
    assert 'href="https://creativecommons.org/licenses/by/4.0/"' in body
    assert 'href="/sparql"' in body and 'href="/dumps/ppkg.trig"' in body
    assert hashlib.sha256(dumps["ppkg.nq.gz"].content).hexdigest() in body
    assert "The March Pardon and #FreeThemAll" in body
    etag = response.headers["ETag"]
    assert requests.get(srv.url + "/dataset", headers={"Accept": "text/html",
                                                       "If-None-Match": etag},
                        timeout=30).status_code == 304


# --- ppkg export ---------------------------------------------------------------------------------

def export(data_dir, *args) -> subprocess.CompletedProcess:
    env = dict(clean_env(), PPKG_DATA_DIR=str(data_dir / "data"))
    return subprocess.run(ppkg_command() + ["export", *args], env=env, capture_output=True,
                          timeout=120)


def test_export_writes_the_same_bytes_as_the_http_dumps(data_dir, dumps, tmp_path):
    trig = tmp_path / "out.trig"
    done = export(data_dir, "--format", "trig", "--output", str(trig))
    assert done.returncode == 0, done.stderr.decode()
    assert trig.read_bytes() == dumps["ppkg.trig"].content
    gz = tmp_path / "out.nq.gz"
    done = export(data_dir, "--format", "nquads", "--output", str(gz))
    assert done.returncode == 0, done.stderr.decode()
    assert gz.read_bytes() == dumps["ppkg.nq.gz"].content
    done = export(data_dir, "--format", "nquads")  # to standard output, not compressed
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout == gzip.decompress(dumps["ppkg.nq.gz"].content)


def test_export_turtle_and_jsonld(data_dir, quads_in_store, tmp_path):
    done = export(data_dir, "--format", "turtle")
    assert done.returncode == 0, done.stderr.decode()
    triples = canonical_set(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph())
                            for t in ox.parse(done.stdout, format=ox.RdfFormat.TURTLE))
    merged = canonical_set(ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph())
                           for q in quads_in_store)
    assert triples == merged  # the union of the graphs
    out = tmp_path / "out.jsonld"
    done = export(data_dir, "--format", "jsonld", "-o", str(out))
    assert done.returncode == 0, done.stderr.decode()
    assert parse_quads(out.read_bytes(), ox.RdfFormat.JSON_LD) == quads_in_store
    dataset = rdflib.Dataset()
    dataset.parse(out, format="json-ld")
    assert len(dataset.graph(URIRef(SOURCE_A))) > 0


def test_export_refuses_unknown_formats_and_missing_files(data_dir, tmp_path):
    assert export(data_dir, "--format", "csv").returncode == 2
    done = export(data_dir, str(tmp_path / "missing.trig"))
    assert done.returncode == 2
    assert b"missing.trig" in done.stderr


# --- the data's version: an accepted submission changes ETags, descriptions and dumps ----------

SUBMISSION = """
@prefix ppkg: <https://w3id.org/ppkg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd:  <http://www.w3.org/2001/XMLSchema#> .
<https://w3id.org/ppkg/id/event/test-arrest-gozal-bayramli> a ppkg:Arrest ;
  rdfs:label "Test arrest of Gozal Bayramli" ;
  ppkg:concerns <https://w3id.org/ppkg/id/person/gozal-bayramli> ;
  ppkg:date "2018-05-01"^^xsd:date ;
  ppkg:source <https://w3id.org/ppkg/id/source/test-court-record> .
<https://w3id.org/ppkg/id/source/test-court-record> a ppkg:Source ; rdfs:label "Test court record" ;
  ppkg:title "Test court record" ; ppkg:archivalReference "Test archive, file 12" .
"""


def test_an_accepted_submission_changes_etags_descriptions_and_dumps(tmp_path):
    from ld_helpers import start_shipped

    server = start_shipped(tmp_path)
    try:
        person = server.url + "/id/person/gozal-bayramli"
        before = requests.get(person, headers={"Accept": "application/trig"}, timeout=30)
        dump_before = requests.get(server.url + "/dumps/ppkg.trig", timeout=30)
        token = subprocess.run(
            ppkg_command() + ["--data-dir", str(tmp_path / "data"), "token", "create", "alice",
                              "--role", "archivist"],  # published at once, self-reviewed
            env=clean_env(), capture_output=True, text=True, timeout=60).stdout.strip()
        accepted = requests.post(server.url + "/submissions", params={"summary": "a test arrest"},
                                 data=SUBMISSION.encode(), timeout=60,
                                 headers={"Authorization": f"Bearer {token}",
                                          "Content-Type": "text/turtle"})
        assert accepted.status_code == 201, accepted.text
        graph = accepted.json()["graph"]

        after = requests.get(person, headers={"Accept": "application/trig",
                                              "If-None-Match": before.headers["ETag"]},
                             timeout=30)
        assert after.status_code == 200  # not 304: the data changed
        assert after.headers["ETag"] != before.headers["ETag"]
        quads = parse(after, "trig")
        arrest = URIRef(W3ID + "id/event/test-arrest-gozal-bayramli")
        concerns = URIRef(W3ID + "ontology#concerns")
        assert (arrest, concerns, URIRef(W3ID + "id/person/gozal-bayramli")) in \
            quads.graph(URIRef(graph))
        page = requests.get(person, headers={"Accept": "text/html"}, timeout=30).text
        assert "Test arrest of Gozal Bayramli" in page

        dump_after = requests.get(server.url + "/dumps/ppkg.trig",
                                  headers={"If-None-Match": dump_before.headers["ETag"]},
                                  timeout=30)
        assert dump_after.status_code == 200
        assert dump_after.content != dump_before.content
        assert parse_quads(dump_after.content, ox.RdfFormat.TRIG) == store_quads(server.url)
        description = parse(requests.get(server.url + "/dataset.ttl", timeout=30), "turtle")
        dist = URIRef(W3ID + "dumps/ppkg.trig")
        checksum = description.value(dist, SPDX.checksum)
        assert str(description.value(checksum, SPDX.checksumValue)) == \
            hashlib.sha256(dump_after.content).hexdigest()
        assert int(description.value(dist, DCAT.byteSize)) == len(dump_after.content)
    finally:
        stop_server(server)
