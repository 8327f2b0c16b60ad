"""Which files are loaded, and into which graphs: the one rule both stores follow.

A TriG, N-Quads or JSON-LD file keeps its own named graphs. A file of plain triples (Turtle,
N-Triples, RDF/XML) goes into a named graph of its own — the ontology's files into the ontology's
graph, any other file into a graph named by its file URI — so every triple in a store can say where
it came from. With no paths, the shipped ontology and graph are loaded.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

import pyoxigraph as ox

from ppkg.errors import LoadError
from ppkg.files import rdf_files, shipped
from ppkg.formats import RdfFormat, rdf_format_for_path
from ppkg.vocab import ONTOLOGY_GRAPH


@dataclass(frozen=True)
class SourceFile:
    path: Path
    format: RdfFormat
    graph: str | None  # the graph of a triples file; None: a dataset file keeps its own graphs

    @property
    def base_iri(self) -> str:
        return self.path.resolve().as_uri()

    def quads(self) -> Iterator[ox.Quad]:
        """The file's quads, each in the graph it goes to (raises LoadError)."""
        target = ox.NamedNode(self.graph) if self.graph else None
        try:
            for quad in ox.parse(path=str(self.path), format=self.format.oxigraph,
                                 base_iri=self.base_iri):
                yield quad if target is None else ox.Quad(quad.subject, quad.predicate,
                                                          quad.object, target)
        except SyntaxError as err:
            raise LoadError(f"{self.path}: {err}") from None


def graph_for_file(path: Path) -> str:
    """The named graph a triples file is loaded into (unless it is the ontology's)."""
    return path.resolve().as_uri()


def source_files(paths: Iterable[str | Path] | None = None) -> list[SourceFile]:
    """The files of `paths` (files or folders), or the shipped ontology and graph."""
    if paths:
        files, named = rdf_files(paths), {}
    else:
        ontology = rdf_files([shipped("ontology")])
        files = ontology + rdf_files([shipped("graph")])
        named = {f: ONTOLOGY_GRAPH for f in ontology}
    out = []
    for path in files:
        fmt = rdf_format_for_path(path)
        if fmt is None:
            raise LoadError(f"{path}: unknown RDF file extension")
        graph = None if fmt.datasets else named.get(path) or graph_for_file(path)
        out.append(SourceFile(path, fmt, graph))
    return out


def files_version(files: Iterable[SourceFile]) -> str:
    """A short hash of the files' names and bytes: the data's version before any change."""
    digest = hashlib.sha256()
    for f in files:
        digest.update(f.path.name.encode() + b"\0" + f.path.read_bytes())
    return digest.hexdigest()[:16]
