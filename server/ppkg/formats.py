"""Every format ppkg reads or writes, in one table: names, media types, extensions, writers.

Content negotiation (ppkg.negotiate), the serializers (pyoxigraph's writers, through the
`oxigraph` field), the dumps, the upload parsers, the linked-data extensions (.ttl, .nt …), the
catalog's result extensions (.json, .csv …) and the service description all read this table, so
a format is added here once, plus its writer where pyoxigraph has none.

A format's first media type is the one it is answered with and the one wildcards (`text/*`,
`*/*`) can select; the others, and `aliases`, select it only when a client names them exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence, TypeVar

import pyoxigraph as ox

TEXT_CHARSET = "utf-8"


@dataclass(frozen=True)
class Format:
    name: str  # the `?format=` and CLI name
    label: str  # for people ("N-Triples")
    media_types: tuple[str, ...]  # the first is the one we answer with
    extensions: tuple[str, ...] = ()  # the first is the one links use
    names: tuple[str, ...] = ()  # other `?format=` names
    aliases: tuple[str, ...] = ()  # media types that select it only when named exactly
    w3c: str | None = None  # its IRI under http://www.w3.org/ns/formats/

    @property
    def media_type(self) -> str:
        return self.media_types[0]

    @property
    def extension(self) -> str:
        return self.extensions[0] if self.extensions else ""

    @property
    def all_names(self) -> tuple[str, ...]:
        return (self.name,) + self.names

    @property
    def content_type(self) -> str:
        """The Content-Type header: text types say their charset (JSON types have none: RFC 8259)."""
        mt = self.media_type
        return f"{mt}; charset={TEXT_CHARSET}" if mt.startswith("text/") else mt


@dataclass(frozen=True)
class RdfFormat(Format):
    oxigraph: ox.RdfFormat | None = None
    rdflib: str = ""  # rdflib's parser / serializer name
    datasets: bool = False  # can hold named graphs
    prefixes: bool = False  # pyoxigraph's writer takes prefixes for it


@dataclass(frozen=True)
class ResultsFormat(Format):
    oxigraph: ox.QueryResultsFormat | None = None


RDF_FORMATS: tuple[RdfFormat, ...] = (
    RdfFormat("turtle", "Turtle", ("text/turtle", "application/x-turtle"), (".ttl",),
              names=("ttl", "n3"), aliases=("text/n3", "text/rdf+n3", "application/turtle"),
              w3c="Turtle", oxigraph=ox.RdfFormat.TURTLE, rdflib="turtle", prefixes=True),
    RdfFormat("ntriples", "N-Triples", ("application/n-triples", "text/plain"), (".nt",),
              names=("nt", "n-triples"), w3c="N-Triples", oxigraph=ox.RdfFormat.N_TRIPLES,
              rdflib="nt"),
    RdfFormat("jsonld", "JSON-LD", ("application/ld+json", "application/json"), (".jsonld",),
              names=("json-ld", "json"), aliases=("application/x-json+ld",), w3c="JSON-LD",
              oxigraph=ox.RdfFormat.JSON_LD, rdflib="json-ld", datasets=True),
    RdfFormat("rdfxml", "RDF/XML", ("application/rdf+xml", "application/xml", "text/xml"),
              (".rdf", ".owl", ".xml"), names=("rdf+xml", "rdf", "xml", "owl"), w3c="RDF_XML",
              oxigraph=ox.RdfFormat.RDF_XML, rdflib="xml", prefixes=True),
    RdfFormat("trig", "TriG", ("application/trig",), (".trig",), w3c="TriG",
              oxigraph=ox.RdfFormat.TRIG, rdflib="trig", datasets=True, prefixes=True),
    RdfFormat("nquads", "N-Quads", ("application/n-quads",), (".nq",), names=("nq", "n-quads"),
              w3c="N-Quads", oxigraph=ox.RdfFormat.N_QUADS, rdflib="nquads", datasets=True),
)

RESULTS_FORMATS: tuple[ResultsFormat, ...] = (
    ResultsFormat("json", "SPARQL JSON", ("application/sparql-results+json", "application/json"),
                  (".srj", ".json"), names=("srj", "sparql-results+json"),
                  w3c="SPARQL_Results_JSON", oxigraph=ox.QueryResultsFormat.JSON),
    ResultsFormat("xml", "SPARQL XML", ("application/sparql-results+xml", "application/xml",
                                        "text/xml"), (".srx", ".xml"),
                  names=("srx", "sparql-results+xml"), w3c="SPARQL_Results_XML",
                  oxigraph=ox.QueryResultsFormat.XML),
    ResultsFormat("csv", "CSV", ("text/csv",), (".csv",), w3c="SPARQL_Results_CSV",
                  oxigraph=ox.QueryResultsFormat.CSV),
    ResultsFormat("tsv", "TSV", ("text/tab-separated-values",), (".tsv",),
                  names=("tab-separated-values",), w3c="SPARQL_Results_TSV",
                  oxigraph=ox.QueryResultsFormat.TSV),
)

# Pages and documents that are not RDF.
HTML = Format("html", "HTML", ("text/html",), (".html", ".htm"), aliases=("application/xhtml+xml",))
JSON = Format("json", "JSON", ("application/json",), (".json",),
              aliases=("application/problem+json",))
TEXT = Format("text", "Text", ("text/plain",), (".txt",), names=("txt",))
SPARQL_QUERY = Format("rq", "SPARQL", ("application/sparql-query",), (".rq",))

# Spreadsheets: what archivists enter records in (ppkg.entry), and a report's rows with errors.
CSV_TABLE = Format("csv", "CSV", ("text/csv",), (".csv",), aliases=("application/csv",))
XLSX = Format("xlsx", "XLSX", ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",),
              (".xlsx",))
SHEET_FORMATS: tuple[Format, ...] = (CSV_TABLE, XLSX)

F = TypeVar("F", bound=Format)


def by_name(formats: Iterable[F], name: str) -> F | None:
    """The format called `name` (its name or another of its names), case-insensitively."""
    name = name.lower()
    return next((f for f in formats if name in f.all_names), None)


def by_media_type(formats: Iterable[F], media_type: str) -> F | None:
    """The format for a Content-Type value; parameters such as charset are ignored."""
    media_type = media_type.split(";", 1)[0].strip().lower()
    return next((f for f in formats if media_type in f.media_types + f.aliases), None)


def by_extension(formats: Iterable[F], extension: str) -> F | None:
    """The format for '.ttl' (or 'ttl'), case-insensitively."""
    extension = "." + extension.lower().lstrip(".")
    return next((f for f in formats if extension in f.extensions), None)


def split_extension(segment: str, formats: Sequence[F]) -> tuple[str, F | None]:
    """('slug', turtle) for 'slug.ttl' when the extension is one of `formats`'."""
    stem, dot, ext = segment.rpartition(".")
    if dot and stem:
        found = by_extension(formats, ext)
        if found is not None:
            return stem, found
    return segment, None


def rdf_format(name: str) -> RdfFormat | None:
    return by_name(RDF_FORMATS, name)


def results_format(name: str) -> ResultsFormat | None:
    return by_name(RESULTS_FORMATS, name)


def rdf_format_for_media_type(media_type: str) -> RdfFormat | None:
    return by_media_type(RDF_FORMATS, media_type)


def rdf_format_for_path(path: str | Path) -> RdfFormat | None:
    return by_extension(RDF_FORMATS, Path(path).suffix) if Path(path).suffix else None
