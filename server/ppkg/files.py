"""Where the shipped RDF and SPARQL files live, and which files a path names.

First stage of the data flow: files → store → query → serializer → HTTP.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from ppkg.formats import RDF_FORMATS, rdf_format_for_path

_PACKAGE = Path(__file__).resolve().parent


def shipped(kind: str) -> Path:
    """The folder of shipped files of one kind: ontology, graph, shapes, queries or entry."""
    installed = _PACKAGE / "data" / kind
    if installed.is_dir():
        return installed
    # A source checkout (editable install): server/ppkg → the repository's top level.
    return _PACKAGE.parents[1] / kind


def rdf_files(paths: Iterable[str | Path]) -> list[Path]:
    """Expand files and folders into the RDF files they hold, in a stable order.

    Raises FileNotFoundError for a path that does not exist and ValueError for a file whose
    extension names no RDF format, so the CLI can say which path is wrong.
    """
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(
                sorted(p for p in path.rglob("*") if p.is_file() and rdf_format_for_path(p))
            )
        elif path.is_file():
            if rdf_format_for_path(path) is None:
                known = ", ".join(sorted({e for f in RDF_FORMATS for e in f.extensions}))
                raise ValueError(f"{path}: unknown RDF file extension (known: {known})")
            found.append(path)
        else:
            raise FileNotFoundError(f"{path}: no such file or folder")
    return found


def shipped_graph_files() -> list[Path]:
    """The published dataset: the ontology and the sourced graph (not the shapes)."""
    return rdf_files([shipped("ontology"), shipped("graph")])


def shapes_files() -> list[Path]:
    return rdf_files([shipped("shapes")])
