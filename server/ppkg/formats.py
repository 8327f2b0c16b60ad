"""The RDF and SPARQL-results formats ppkg reads and writes, by media type and file extension.

One table serves the parsers, the serializers and content negotiation, so a format is added in
one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox


@dataclass(frozen=True)
class RdfFormat:
    name: str  # short name used by ?format= and the CLI
    media_types: tuple[str, ...]  # the first is the one we answer with
    extensions: tuple[str, ...]
    oxigraph: ox.RdfFormat
    rdflib: str  # rdflib's parser/serializer name
    datasets: bool  # can hold named graphs

    @property
    def media_type(self) -> str:
        return self.media_types[0]


RDF_FORMATS: tuple[RdfFormat, ...] = (
    RdfFormat("turtle", ("text/turtle", "application/x-turtle"), (".ttl",), ox.RdfFormat.TURTLE, "turtle", False),
    RdfFormat("ntriples", ("application/n-triples", "text/plain"), (".nt",), ox.RdfFormat.N_TRIPLES, "nt", False),
    RdfFormat("jsonld", ("application/ld+json", "application/json"), (".jsonld",), ox.RdfFormat.JSON_LD, "json-ld", True),
    RdfFormat("rdfxml", ("application/rdf+xml", "application/xml", "text/xml"), (".rdf", ".owl", ".xml"), ox.RdfFormat.RDF_XML, "xml", False),
    RdfFormat("trig", ("application/trig",), (".trig",), ox.RdfFormat.TRIG, "trig", True),
    RdfFormat("nquads", ("application/n-quads",), (".nq",), ox.RdfFormat.N_QUADS, "nquads", True),
)

_BY_NAME = {f.name: f for f in RDF_FORMATS}
_BY_MEDIA_TYPE = {m: f for f in RDF_FORMATS for m in f.media_types}
_BY_EXTENSION = {e: f for f in RDF_FORMATS for e in f.extensions}


def rdf_format(name: str) -> RdfFormat | None:
    return _BY_NAME.get(name)


def rdf_format_for_media_type(media_type: str) -> RdfFormat | None:
    """The format for a Content-Type value; parameters such as charset are ignored."""
    return _BY_MEDIA_TYPE.get(media_type.split(";", 1)[0].strip().lower())


def rdf_format_for_path(path: str | Path) -> RdfFormat | None:
    return _BY_EXTENSION.get(Path(path).suffix.lower())


@dataclass(frozen=True)
class ResultsFormat:
    name: str
    media_types: tuple[str, ...]
    extension: str
    oxigraph: ox.QueryResultsFormat

    @property
    def media_type(self) -> str:
        return self.media_types[0]


RESULTS_FORMATS: tuple[ResultsFormat, ...] = (
    ResultsFormat("json", ("application/sparql-results+json", "application/json"), ".srj", ox.QueryResultsFormat.JSON),
    ResultsFormat("xml", ("application/sparql-results+xml", "application/xml", "text/xml"), ".srx", ox.QueryResultsFormat.XML),
    ResultsFormat("csv", ("text/csv",), ".csv", ox.QueryResultsFormat.CSV),
    ResultsFormat("tsv", ("text/tab-separated-values",), ".tsv", ox.QueryResultsFormat.TSV),
)

_RESULTS_BY_NAME = {f.name: f for f in RESULTS_FORMATS}


def results_format(name: str) -> ResultsFormat | None:
    return _RESULTS_BY_NAME.get(name)
