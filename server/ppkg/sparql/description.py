"""The SPARQL 1.1 Service Description of the endpoint, with VoID statistics, as RDF triples.

https://www.w3.org/TR/sparql11-service-description/ — the endpoint answers it on GET /sparql
without a query.
"""

from __future__ import annotations

import pyoxigraph as ox

from ppkg import __version__
from ppkg.config import Config
from ppkg.formats import RDF_FORMATS, RESULTS_FORMATS
from ppkg.store import Counts
from ppkg.vocab import DCTERMS, ENTAILMENT, FORMATS, RDF_TYPE, SD, VOID, XSD

RDF_TYPE_NODE = ox.NamedNode(RDF_TYPE)

PREFIXES = {"sd": SD, "void": VOID, "dcterms": DCTERMS, "formats": FORMATS, "ent": ENTAILMENT}


def describe(endpoint: str, counts: Counts, config: Config) -> list[ox.Triple]:
    def n(iri: str) -> ox.NamedNode:
        return ox.NamedNode(iri)

    def count(value: int) -> ox.Literal:
        return ox.Literal(str(value), datatype=n(XSD + "integer"))

    service = n(endpoint)
    dataset, default_graph = ox.BlankNode("dataset"), ox.BlankNode("defaultGraph")
    triples = [
        ox.Triple(service, RDF_TYPE_NODE, n(SD + "Service")),
        ox.Triple(service, n(SD + "endpoint"), service),
        ox.Triple(service, n(DCTERMS + "title"),
                  ox.Literal("Political Prisoners Knowledge Graph — SPARQL endpoint (read-only)")),
        ox.Triple(service, n(DCTERMS + "hasVersion"), ox.Literal(__version__)),
        ox.Triple(service, n(SD + "supportedLanguage"), n(SD + "SPARQL11Query")),
        ox.Triple(service, n(SD + "feature"), n(SD + "UnionDefaultGraph")),
        ox.Triple(service, n(SD + "defaultEntailmentRegime"), n(ENTAILMENT + "Simple")),
        ox.Triple(service, n(SD + "defaultDataset"), dataset),
        ox.Triple(dataset, RDF_TYPE_NODE, n(SD + "Dataset")),
        ox.Triple(dataset, RDF_TYPE_NODE, n(VOID + "Dataset")),
        ox.Triple(dataset, n(VOID + "sparqlEndpoint"), service),
        ox.Triple(dataset, n(VOID + "triples"), count(counts.triples)),
        ox.Triple(dataset, n(SD + "defaultGraph"), default_graph),
        ox.Triple(default_graph, RDF_TYPE_NODE, n(SD + "Graph")),
        ox.Triple(default_graph, n(VOID + "triples"), count(counts.default_graph)),
    ]
    if config.service_allowlist:  # SERVICE is answered, for the allowlisted endpoints only
        triples.append(ox.Triple(service, n(SD + "feature"), n(SD + "BasicFederatedQuery")))
    if counts.version:
        triples.append(ox.Triple(dataset, n(DCTERMS + "hasVersion"), ox.Literal(counts.version)))
    for fmt in list(RESULTS_FORMATS) + list(RDF_FORMATS):
        if fmt.w3c:
            triples.append(ox.Triple(service, n(SD + "resultFormat"), n(FORMATS + fmt.w3c)))
    for i, (graph, size) in enumerate(sorted(counts.graphs.items())):
        named, description = ox.BlankNode(f"namedGraph{i}"), ox.BlankNode(f"graph{i}")
        graph_term = n(graph) if ":" in graph else ox.BlankNode(graph)
        triples += [
            ox.Triple(dataset, n(SD + "namedGraph"), named),
            ox.Triple(named, RDF_TYPE_NODE, n(SD + "NamedGraph")),
            ox.Triple(named, n(SD + "name"), graph_term),
            ox.Triple(named, n(SD + "graph"), description),
            ox.Triple(description, RDF_TYPE_NODE, n(SD + "Graph")),
            ox.Triple(description, n(VOID + "triples"), count(size)),
        ]
    # Grouped by subject, so Turtle comes out as one block per resource.
    order: dict = {}
    for triple in triples:
        order.setdefault(triple.subject, []).append(triple)
    return [t for group in order.values() for t in group]
