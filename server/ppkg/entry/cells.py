"""A SHACL report on a converted spreadsheet, mapped back to rows and columns.

Each result names a resource (its focus node) and a property path. The resource leads back to the
rows that describe it (ppkg.entry.rows.Converted): the row's own resource, or the source document
several rows cite; the property leads to the column whose cells give it (the kind's table
description says which). A result on the resource as a whole (an `sh:or` of the node shape, such
as "a date, or say that the source gives none") names the columns of the properties the `sh:or`
looks at. So "row 7, column release_date: <the shape's message>".

The rows come back as CSV with one more column, `errors`; a cell that starts with = + - @ (or a
tab or carriage return) is prefixed with ' so that no spreadsheet program runs it as a formula.
"""

from __future__ import annotations

import csv
import io

from rdflib import URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH

from ppkg.archive.report import Result
from ppkg.archive.shacl import load_shapes
from ppkg.entry.kinds import SOURCE_SUBJECT
from ppkg.entry.rows import CellError, Converted
from ppkg.vocab import PPKG

CITATION = PPKG + "source"  # the virtual column a row cites its source document by
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _paths_of(shapes, shape) -> list[str]:
    """The plain property paths an `sh:or` of a node shape looks at."""
    found = []
    alternatives = shapes.value(shape, getattr(SH, "or")) if shape is not None else None
    for option in Collection(shapes, alternatives) if alternatives is not None else ():
        path = shapes.value(option, SH.path)
        if isinstance(path, URIRef):
            found.append(str(path))
    return found


def _columns(converted: Converted, subject: str, result: Result, shapes) -> list[str]:
    kind = converted.kind
    if result.path and result.path.startswith("<") and result.path.endswith(">"):
        paths = [result.path[1:-1]]
    elif result.path is None:
        paths = _paths_of(shapes, result.source_shape)
    else:
        paths = []
    names = []
    for path in paths:
        found = [c.name for c in kind.columns_for(subject, path) if not c.filled]
        if not found and path == CITATION:
            found = [c.name for c in kind.template_columns if c.subject == SOURCE_SUBJECT][:1]
        names += [n for n in found if n not in names]
    return names


def cell_errors(converted: Converted, results: list[Result]) -> list[CellError]:
    """The lookups' errors and the report's results, each at its rows and columns, in order."""
    out = list(converted.errors)
    shapes = load_shapes()
    for result in results:
        subject, rows = converted.rows_of(str(result.focus_node))
        columns = _columns(converted, subject, result, shapes) or [None]
        for row in rows or [None]:
            for column in columns:
                value = converted.cell(row, column) if row is not None and column else ""
                out.append(CellError(row, column, value, result.message, result.severity))
    unique = list(dict.fromkeys(out))
    return sorted(unique, key=lambda e: (e.row is None, e.row or 0, e.column or "", e.message))


def violations(errors: list[CellError]) -> list[CellError]:
    return [e for e in errors if e.severity == "Violation"]


def neutral(cell: str) -> str:
    """A cell no spreadsheet program reads as a formula (CSV injection)."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def rows_csv(converted: Converted, errors: list[CellError]) -> str:
    """The uploaded rows, cells as they were, with an `errors` column: "column: message; …"."""
    by_row: dict = {}
    for e in errors:
        by_row.setdefault(e.row, []).append(f"{e.column}: {e.message}" if e.column else e.message)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["row"] + converted.sheet.header + ["errors"])
    if None in by_row:
        writer.writerow([""] + [""] * len(converted.sheet.header) + [neutral("; ".join(by_row[None]))])
    for number, cells in converted.sheet.rows:
        writer.writerow([str(number)] + [neutral(c) for c in cells[:len(converted.sheet.header)]]
                        + [neutral("; ".join(by_row.get(number, [])))])
    return buffer.getvalue()
