"""The dataset described in VoID and DCAT: what /dataset answers.

    <base>dataset  a void:Dataset, dcat:Dataset — title, description, licence (the ontology's
        dcterms:license), last modified, triples, entities (IRIs under <base>id/), the SPARQL
        endpoint, the dumps, and one void:subset per named graph (each source, the ontology) with
        its triples and entities;
    <base>dumps/…  a dcat:Distribution — download URL, media type, byte size and SHA-256
        (spdx:checksum), as DCAT 3 recommends;
    <base>sparql   a dcat:DataService, sd:Service.

Numbers come from one query through the QueryService (DATASET_QUERY) and QueryService.counts().
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

import pyoxigraph as ox

from ppkg.linked_data.describe import UNLIMITED
from ppkg.linked_data.dumps import HTTP_DUMPS_BY_NAME
from ppkg.linked_data.iris import IriMap
from ppkg.vocab import (DATA_BASE, DCAT, DCTERMS, FOAF, ONTOLOGY_IRI, OWL, RDF_TYPE, RDFS, SCHEMA,
                        SD, SPDX, VOID, XSD)

IANA = "http://www.iana.org/assignments/media-types/"

TITLE = "Political Prisoners Knowledge Graph"
DESCRIPTION = ("Who was imprisoned, on what charges, by which decree they were freed, who "
               "campaigned for them and what everyone said — every fact in the named graph of "
               "the source that states it, so sources that disagree are both kept. The first "
               "dataset is the March 2019 Novruz pardon in Azerbaijan.")

DATASET_QUERY = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?kind ?g ?value WHERE {
  {
    SELECT ("entities" AS ?kind) ?g (COUNT(DISTINCT ?e) AS ?value) WHERE {
      GRAPH ?g { { ?e ?p ?o } UNION { ?s ?p ?e } }
      FILTER (isIRI(?e) && STRSTARTS(STR(?e), "%(ids)s"))
    } GROUP BY ?g
  } UNION {
    SELECT ("entities" AS ?kind) (COUNT(DISTINCT ?e) AS ?value) WHERE {
      { ?e ?p ?o } UNION { ?s ?p ?e }
      FILTER (isIRI(?e) && STRSTARTS(STR(?e), "%(ids)s"))
    }
  } UNION {
    GRAPH ?g { ?g rdfs:label ?value } BIND ("label" AS ?kind)
  } UNION {
    GRAPH <%(ontology)s> { <%(ontology)s> dcterms:license ?value } BIND ("license" AS ?kind)
  } UNION {
    SELECT ("example" AS ?kind) (MIN(?x) AS ?value) WHERE { ?x a <%(person)s> }
  }
}
""" % {"ids": DATA_BASE + "id/", "ontology": ONTOLOGY_IRI, "person": ONTOLOGY_IRI + "#Person"}


@dataclass
class GraphInfo:
    iri: str  # stored IRI of the named graph
    label: str
    triples: int
    entities: int


@dataclass
class DumpInfo:
    name: str
    url: str
    size: int
    sha256: str
    media_type: str  # of the bytes as downloaded
    data_media_type: str  # of the data (inside the gzip for .gz)
    compressed: bool


@dataclass
class DatasetInfo:
    iri: str  # public
    triples: int
    entities: int
    modified: datetime
    version: str
    license: str | None
    sparql: str
    home: str
    graphs: list[GraphInfo] = field(default_factory=list)
    dumps: list[DumpInfo] = field(default_factory=list)
    example: str | None = None


def gather(service, iri_map: IriMap, version: str, modified: datetime, dumps) -> DatasetInfo:
    """Everything /dataset says, from the QueryService and the cached dumps."""
    counts = service.counts()
    rows = service.select(DATASET_QUERY, limit=UNLIMITED).dicts()
    entities_total = 0
    example = None
    per_graph_entities: dict[str, int] = {}
    labels: dict[str, str] = {}
    licence = None
    for row in rows:
        kind = row["kind"].value
        if kind == "entities":
            n = int(row["value"].value)
            if "g" in row:
                per_graph_entities[row["g"].value] = n
            else:
                entities_total = n
        elif kind == "label" and "g" in row:
            labels.setdefault(row["g"].value, row["value"].value)
        elif kind == "license" and isinstance(row.get("value"), ox.NamedNode):
            licence = row["value"].value
        elif kind == "example" and isinstance(row.get("value"), ox.NamedNode):
            example = row["value"].value
    base = iri_map.base
    info = DatasetInfo(iri=base + "dataset", triples=counts.triples, entities=entities_total,
                       modified=modified, version=version, license=licence,
                       sparql=base + "sparql", home=base)
    for graph, n in sorted(counts.graphs.items()):
        info.graphs.append(GraphInfo(graph, labels.get(graph, graph), n,
                                     per_graph_entities.get(graph, 0)))
    for name, cached in dumps.items():
        spec = HTTP_DUMPS_BY_NAME[name]
        info.dumps.append(DumpInfo(name, base + "dumps/" + name, cached.size, cached.sha256,
                                   spec.media_type, spec.encoding or spec.media_type, spec.gzip))
    info.example = example
    return info


def subset_iri(iri_map: IriMap, graph: str) -> str:
    path = iri_map.path(graph)
    if path:
        slug = "".join(c if c.isalnum() or c in "-_" else "-" for c in path)
    else:
        slug = hashlib.sha256(graph.encode()).hexdigest()[:16]
    return iri_map.base + "dataset#graph-" + slug


def triples(info: DatasetInfo, iri_map: IriMap) -> list[ox.Triple]:
    """The VoID / DCAT description (public IRIs), as pyoxigraph triples."""
    out: list[ox.Triple] = []
    N = ox.NamedNode

    def add(s, p, o):
        out.append(ox.Triple(s, N(p), o))

    def lit(value, datatype=None, lang=None):
        if lang:
            return ox.Literal(str(value), language=lang)
        if datatype:
            return ox.Literal(str(value), datatype=N(datatype))
        return ox.Literal(str(value))

    ds = N(info.iri)
    modified = lit(info.modified.strftime("%Y-%m-%dT%H:%M:%SZ"), XSD + "dateTime")
    add(ds, RDF_TYPE, N(VOID + "Dataset"))
    add(ds, RDF_TYPE, N(DCAT + "Dataset"))
    add(ds, DCTERMS + "title", lit(TITLE, lang="en"))
    add(ds, RDFS + "label", lit(TITLE, lang="en"))
    add(ds, DCTERMS + "description", lit(DESCRIPTION, lang="en"))
    if info.license:
        add(ds, DCTERMS + "license", N(info.license))
    add(ds, DCTERMS + "modified", modified)
    add(ds, DCAT + "version", lit(info.version))
    add(ds, DCAT + "landingPage", N(info.home))
    add(ds, FOAF + "homepage", N(info.home))
    add(ds, VOID + "triples", lit(info.triples, XSD + "integer"))
    add(ds, VOID + "entities", lit(info.entities, XSD + "integer"))
    add(ds, VOID + "uriSpace", lit(iri_map.base + "id/"))
    add(ds, VOID + "vocabulary", N(iri_map.public(ONTOLOGY_IRI)))
    add(ds, VOID + "vocabulary", N(SCHEMA))
    add(ds, VOID + "sparqlEndpoint", N(info.sparql))
    if info.example:
        add(ds, VOID + "exampleResource", N(iri_map.public(info.example)))

    service = N(info.sparql)
    add(service, RDF_TYPE, N(DCAT + "DataService"))
    add(service, RDF_TYPE, N(SD + "Service"))
    add(service, DCTERMS + "title", lit("SPARQL endpoint", lang="en"))
    add(service, DCAT + "endpointURL", service)
    add(service, SD + "endpoint", service)
    add(service, DCTERMS + "conformsTo", N("https://www.w3.org/TR/sparql11-protocol/"))
    add(service, DCAT + "servesDataset", ds)

    for dump in info.dumps:
        dist = N(dump.url)
        add(ds, VOID + "dataDump", dist)
        add(ds, DCAT + "distribution", dist)
        add(dist, RDF_TYPE, N(DCAT + "Distribution"))
        add(dist, DCTERMS + "title", lit(f"{dump.name}: every named graph", lang="en"))
        add(dist, DCAT + "downloadURL", dist)
        add(dist, DCAT + "accessURL", dist)
        add(dist, DCAT + "mediaType", N(IANA + dump.data_media_type))
        if dump.compressed:
            add(dist, DCAT + "compressFormat", N(IANA + dump.media_type))
        add(dist, DCAT + "byteSize", lit(dump.size, XSD + "nonNegativeInteger"))
        add(dist, DCTERMS + "modified", modified)
        if info.license:
            add(dist, DCTERMS + "license", N(info.license))
        checksum = ox.BlankNode("checksum-" + "".join(c if c.isalnum() else "-" for c in dump.name))
        add(dist, SPDX + "checksum", checksum)
        add(checksum, RDF_TYPE, N(SPDX + "Checksum"))
        add(checksum, SPDX + "algorithm", N(SPDX + "checksumAlgorithm_sha256"))
        add(checksum, SPDX + "checksumValue", lit(dump.sha256, XSD + "hexBinary"))

    for graph in info.graphs:
        subset = N(subset_iri(iri_map, graph.iri))
        public_graph = N(iri_map.public(graph.iri))
        add(ds, VOID + "subset", subset)
        add(subset, RDF_TYPE, N(VOID + "Dataset"))
        add(subset, DCTERMS + "title", lit(graph.label))
        add(subset, SD + "name", public_graph)
        if graph.iri != ONTOLOGY_IRI:
            add(subset, DCTERMS + "source", public_graph)
        add(subset, VOID + "triples", lit(graph.triples, XSD + "integer"))
        add(subset, VOID + "entities", lit(graph.entities, XSD + "integer"))
    return out


PREFIXES = {"void": VOID, "dcat": DCAT, "dcterms": DCTERMS, "spdx": SPDX, "sd": SD,
            "foaf": FOAF, "xsd": XSD, "rdfs": RDFS, "owl": OWL}
