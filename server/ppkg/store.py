"""Loading RDF files into the embedded pyoxigraph store.

Second stage of the data flow: files → store → query → serializer → HTTP. Each file keeps its
named graphs; a file that holds plain triples goes into a named graph of its own, so every triple
in the store can say where it came from.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import pyoxigraph as ox

from ppkg.files import rdf_files, shipped
from ppkg.formats import rdf_format_for_path

ONTOLOGY_GRAPH = "https://w3id.org/ppkg/ontology"


class LoadError(ValueError):
    """A file could not be parsed; the message names the file and the position."""


@dataclass
class Dataset:
    """The embedded store and what was loaded into it."""

    store: ox.Store
    files: list[Path] = field(default_factory=list)
    version: str = ""  # changes whenever the loaded content changes: ETags, cache keys

    def graph_names(self) -> list[str]:
        return sorted(g.value for g in self.store.named_graphs() if isinstance(g, ox.NamedNode))

    def catch_up(self) -> None:
        """Bring this copy of the store up to date before an operation runs on it.

        Called by the query process (ppkg.query) before every query. Accepted archivist
        submissions will be replayed here (and `version` updated); for now there is nothing
        to replay.
        """


def graph_for_file(path: Path) -> str:
    """The named graph that a triples-only file is loaded into."""
    return path.resolve().as_uri()


def load_file(store: ox.Store, path: Path, graph: str | None = None) -> None:
    fmt = rdf_format_for_path(path)
    if fmt is None:
        raise LoadError(f"{path}: unknown RDF file extension")
    to_graph = None if fmt.datasets else ox.NamedNode(graph or graph_for_file(path))
    try:
        store.bulk_load(path=str(path), format=fmt.oxigraph, to_graph=to_graph,
                        base_iri=path.resolve().as_uri())
    except SyntaxError as err:
        raise LoadError(f"{path}: {err}") from None


def load_dataset(paths: Iterable[str | Path] | None = None, store_path: str | None = None) -> Dataset:
    """Load the given files or folders, or the shipped ontology and graph when none are given."""
    store = ox.Store(store_path) if store_path else ox.Store()
    if paths:
        files = rdf_files(paths)
        named = {}
    else:
        ontology = rdf_files([shipped("ontology")])
        files = ontology + rdf_files([shipped("graph")])
        named = {f: ONTOLOGY_GRAPH for f in ontology}
    digest = hashlib.sha256()
    for path in files:
        load_file(store, path, named.get(path))
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return Dataset(store=store, files=files, version=digest.hexdigest()[:16])
