"""Helpers for the linked-data and dump tests: servers over the shipped graph, parsing answers."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import rdflib
import requests

from conftest import free_port, start_server

W3ID = "https://w3id.org/ppkg/"
PPKG = W3ID + "ontology#"
SOURCE_A = W3ID + "id/source/d406463585ba4a26"  # "The March Pardon and #FreeThemAll"
SOURCE_B = W3ID + "id/source/b5ef6d9da071791b"  # the untitled article
ONTOLOGY_GRAPH = W3ID + "ontology"

RDF_PARSERS = {  # format name → (media type, rdflib parser, extension, holds named graphs)
    "turtle": ("text/turtle", "turtle", ".ttl", False),
    "ntriples": ("application/n-triples", "nt", ".nt", False),
    "jsonld": ("application/ld+json", "json-ld", ".jsonld", False),
    "rdfxml": ("application/rdf+xml", "xml", ".rdf", False),
    "trig": ("application/trig", "trig", ".trig", True),
    "nquads": ("application/n-quads", "nquads", ".nq", True),
}


def start_shipped(tmp: Path, base_iri: str | None = None, local_base: bool = False,
                  request=None, backend: str | None = None):
    """`ppkg serve` over the shipped graph, with its own data dir; `local_base` makes the public
    base IRI the server's own address, so every IRI it writes can be fetched from it.

    `request` of a fixture parametrised with conftest.BACKENDS: "virtuoso" serves the shipped
    graph from the session's Virtuoso (conftest.virtuoso_stores) instead of the embedded store.
    """
    port = free_port()
    env = {"PPKG_DATA_DIR": str(tmp / "data")}
    backend = backend or (getattr(request, "param", "embedded") if request is not None
                          else "embedded")
    store = None
    if backend == "virtuoso":
        store = request.getfixturevalue("virtuoso_stores")("shipped", [])
        env.update(store.env())
    if local_base:
        base_iri = f"http://127.0.0.1:{port}/"
    if base_iri:
        env["PPKG_BASE_IRI"] = base_iri
    server = start_server([], tmp / "ppkg-serve.log", workers=2, env=env, port=port)
    if store is not None:
        server.backend, server.secret = backend, store.password
    return server


def parse(response: requests.Response, fmt: str, base: str | None = None):
    """The body as an rdflib Dataset (named graphs kept) or Graph."""
    _, parser, _, datasets = RDF_PARSERS[fmt]
    if datasets:
        graph = rdflib.Dataset()
    else:
        graph = rdflib.Graph()
    graph.parse(data=response.content, format=parser, publicID=base or response.url)
    return graph


def in_graph(dataset: rdflib.Dataset, graph: str, triple) -> bool:
    return triple in dataset.graph(rdflib.URIRef(graph))


def _post_select(server_url: str, query: str) -> bytes:
    response = requests.post(server_url + "/sparql", data={"query": query},
                             headers={"Accept": "application/sparql-results+json"}, timeout=30)
    assert response.status_code == 200, response.text
    return response.content


def sparql_select(server_url: str, query: str) -> list[dict]:
    return json.loads(_post_select(server_url, query))["results"]["bindings"]


def store_quads(server_url: str) -> set[ox.Quad]:
    """Every quad the server's store holds (named graphs, and the default graph's own triples),
    blank nodes relabelled canonically (RDFC-1.0) so sets can be compared."""
    body = _post_select(server_url, """
        SELECT ?g ?s ?p ?o WHERE {
          { GRAPH ?g { ?s ?p ?o } } UNION
          { ?s ?p ?o FILTER NOT EXISTS { GRAPH ?any { ?s ?p ?o } } }
        }""")
    rows = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
    return canonical_set(ox.Quad(row["s"], row["p"], row["o"], row["g"] or ox.DefaultGraph())
                         for row in rows)


def canonical_set(quads) -> set[ox.Quad]:
    dataset = ox.Dataset(list(quads))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return set(dataset)
