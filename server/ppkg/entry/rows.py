"""A spreadsheet of one kind → RDF, through the kind's CSVW table description, keeping which row
and which column every resource and triple came from.

1. The header is checked against the kind's columns (any order; unknown or repeated columns,
   and missing required ones, are refused with a 400 naming them).
2. The rows are prepared: each reference cell (a person, a decree, an offence …) becomes the IRI
   of the existing resource it names — by IRI, or by exact name (ppkg.entry.lookup) —, a name
   that matches nothing or several things is a cell error; each row gets the IRI of the resource
   it describes (its `id`, else for a person the one person of that exact name, else a new IRI)
   and of the source document it cites (one per distinct set of source columns).
3. The prepared table is read by the `csvw` library with the kind's table description, which
   expands `aboutUrl` / `propertyUrl` / `valueUrl` into triples, one value per separated item
   (W3C "Generating RDF from Tabular Data on the Web", minimal mode). Cells are literals in the
   source's characters; ppkg.entry.complete then types them as the shapes expect.

Cells are kept character for character, except that names and IRIs used to find resources are
trimmed of spaces around them.
"""

from __future__ import annotations

import csv
import re
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from ppkg.archive.rdf_input import InputRefused
from ppkg.entry import lookup
from ppkg.entry.complete import mint
from ppkg.entry.kinds import ROW_SUBJECT, SOURCE_SUBJECT, Column, Kind
from ppkg.entry.sheets import Sheet
from ppkg.vocab import RDFS

IRI = re.compile(r"^(https?://[^\s<>\"{}|^`\\]+|urn:[^\s<>\"{}|^`\\]+)$")
LABEL = RDFS + "label"


def is_iri(text: str) -> bool:
    """An absolute http(s) or urn IRI, as pyoxigraph reads IRIs (a host, valid escapes)."""
    if not IRI.match(text):
        return False
    try:
        ox.NamedNode(text)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class CellError:
    row: int | None  # as numbered in the spreadsheet (header: 1); None: the whole upload
    column: str | None
    value: str
    message: str
    severity: str = "Violation"

    def to_json(self) -> dict:
        return {"row": self.row, "column": self.column, "value": self.value,
                "message": self.message, "severity": self.severity}


@dataclass
class Converted:
    """A spreadsheet as RDF, with the way back from each resource to its rows."""

    kind: Kind
    sheet: Sheet
    quads: list  # pyoxigraph Triples (default graph)
    subjects: dict[str, list[int]] = field(default_factory=dict)  # row resource → rows
    sources: dict[str, list[int]] = field(default_factory=dict)  # source document → rows
    errors: list[CellError] = field(default_factory=list)  # found while preparing (lookups)
    names: dict[str, str] = field(default_factory=dict)  # IRI → the name a cell gave it

    def rows_of(self, iri: str) -> tuple[str, list[int]]:
        """(ROW_SUBJECT or SOURCE_SUBJECT, the rows) of a resource of the upload."""
        if iri in self.subjects:
            return ROW_SUBJECT, self.subjects[iri]
        return SOURCE_SUBJECT, self.sources.get(iri, [])

    def cell(self, row: int, column: str) -> str:
        if "_cells" not in self.__dict__:
            self.__dict__["_cells"] = dict(self.sheet.rows)
        cells = self.__dict__["_cells"].get(row, [])
        index = self.sheet.header.index(column) if column in self.sheet.header else None
        return cells[index] if index is not None and index < len(cells) else ""


def check_header(kind: Kind, sheet: Sheet) -> None:
    allowed = {c.name for c in kind.template_columns}
    unknown = [h for h in sheet.header if h not in allowed]
    repeated = sorted({h for h in sheet.header if sheet.header.count(h) > 1})
    missing = [c.name for c in kind.template_columns if c.required and c.name not in sheet.header]
    problems = []
    if unknown:
        problems.append("unknown column" + ("s " if len(unknown) > 1 else " ") + ", ".join(unknown))
    if repeated:
        problems.append("repeated column" + ("s " if len(repeated) > 1 else " ") + ", ".join(repeated))
    if missing:
        problems.append("missing required column" + ("s " if len(missing) > 1 else " ")
                        + ", ".join(missing))
    if problems:
        raise InputRefused(f"{sheet.name}: {'; '.join(problems)}. The columns of a {kind.name} "
                           f"sheet are {', '.join(c.name for c in kind.template_columns)} "
                           "(download the template)", columns=[c.name for c in kind.template_columns])


def convert(kind: Kind, sheet: Sheet, query) -> Converted:
    """The sheet as RDF (see the module docstring); lookups go through `query`."""
    check_header(kind, sheet)
    out = Converted(kind=kind, sheet=sheet, quads=[])
    records = [(number, dict(zip(sheet.header, cells))) for number, cells in sheet.rows]
    _resolve_references(kind, records, query, out)
    _assign_subjects(kind, records, query, out)
    out.quads = _map(kind, records)
    return out


def _values(column: Column, text: str) -> list[str]:
    items = text.split(column.separator) if column.separator else [text]
    return [i.strip() for i in items if i.strip()]


def _resolve_references(kind: Kind, records, query, out: Converted) -> None:
    for column in kind.template_columns:
        if not column.is_reference:
            continue
        present = [(n, r) for n, r in records if r.get(column.name, "").strip()]
        names = {v for _, r in present for v in _values(column, r[column.name]) if not is_iri(v)}
        found = lookup.by_name(query, names, column.refers_to) if names else {}
        what = " or ".join(_class_name(c) for c in column.refers_to)
        for number, record in present:
            iris = []
            for value in _values(column, record[column.name]):
                if is_iri(value):
                    iris.append(value)
                    continue
                matches = found.get(value, [])
                if len(matches) == 1:
                    iris.append(matches[0])
                    out.names[matches[0]] = value
                elif not matches:
                    out.errors.append(CellError(number, column.name, value, (
                        f"No {what} in the graph is named “{value}”: use the exact name as the "
                        f"graph spells it, or the IRI (the {kind.name} form's pick-list finds both)")))
                else:
                    out.errors.append(CellError(number, column.name, value, (
                        f"{len(matches)} resources are named “{value}”: give the IRI of the one "
                        "you mean: " + ", ".join(matches[:5]))))
            record[column.name] = (column.separator or "").join(iris)


def _class_name(iri: str) -> str:
    local = iri.rsplit("#", 1)[-1]
    return {"Agent": "person or organisation", "Organization": "organisation"}.get(
        local, re.sub(r"(?<!^)([A-Z])", r" \1", local).lower())


def _assign_subjects(kind: Kind, records, query, out: Converted) -> None:
    name_column = next((c for c in kind.template_columns
                        if c.property == LABEL and c.required), None)
    reuse = {}
    if name_column is not None:
        names = {r.get(name_column.name, "").strip() for _, r in records} - {""}
        reuse = lookup.by_name(query, names, (kind.cls,)) if names else {}
    source_columns = [c for c in kind.template_columns if c.subject == SOURCE_SUBJECT]
    for number, record in records:
        given = record.get("id", "").strip()
        if given and not is_iri(given):
            out.errors.append(CellError(number, "id", given, "The id of an existing record is "
                                        "its IRI (https://w3id.org/ppkg/id/…); leave it empty "
                                        "for a new one"))
            given = ""
        name = record.get(name_column.name, "").strip() if name_column else ""
        if not given and name:
            matches = reuse.get(name, [])
            if len(matches) > 1:
                out.errors.append(CellError(number, name_column.name, name, (
                    f"{len(matches)} records in the graph are named “{name}”: give the id of the "
                    "one this row adds to: " + ", ".join(matches[:5]))))
            given = matches[0] if len(matches) == 1 else ""
        record["id"] = given or mint(kind.cls, _row_name(kind, record, out),
                                     *(record.get(c.name, "") for c in kind.template_columns))
        out.subjects.setdefault(record["id"], []).append(number)
        if source_columns:
            fields = [record.get(c.name, "") for c in source_columns]
            if any(f.strip() for f in fields):
                record[SOURCE_SUBJECT] = mint("source", next(f for f in fields if f.strip()),
                                              *fields)
                out.sources.setdefault(record[SOURCE_SUBJECT], []).append(number)


def _row_name(kind: Kind, record: dict, out: Converted) -> str:
    """Words for a new resource's IRI: its name, title or label, else whom it concerns."""
    for column in ("name", "title", "label", "opening_words", "text"):
        if record.get(column, "").strip():
            return record[column]
    person = record.get("person") or record.get("speaker") or ""
    return f"{kind.name} {out.names.get(person, '')}"


def _map(kind: Kind, records) -> list:
    """Run the CSVW table description over the prepared rows (see the module docstring)."""
    table = kind.table
    columns = [c for c in table.tableSchema.columns if not c.virtual]
    with tempfile.TemporaryDirectory(prefix="ppkg-entry-") as tmp:
        path = Path(tmp) / f"{kind.name}.csv"
        with open(path, "w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f)
            writer.writerow([c.name for c in columns])
            writer.writerows([r.get(c.name, "") for c in columns] for _, r in records)
        triples: dict = {}
        with warnings.catch_warnings():  # an empty required cell: the shapes report it
            warnings.simplefilter("ignore", UserWarning)
            for _, _, row in table.iterdicts(fname=path, with_metadata=True, strict=False):
                for triple in _row_triples(table, row):
                    triples[triple] = None
    return list(triples)


def _row_triples(table, row: dict):
    context = {k: v for k, v in row.items() if isinstance(k, str)}
    expanded: dict[int, str] = {}

    def expand(template, **bound) -> str:
        if bound:
            return str(template.expand(**{**context, **bound}))
        key = id(template)
        if key not in expanded:
            expanded[key] = str(template.expand(**context))
        return expanded[key]

    default_about = table.tableSchema.aboutUrl
    for col in table.tableSchema.columns:
        if col.suppressOutput or col.propertyUrl is None:
            continue
        subject = expand(col.aboutUrl or default_about)
        if not is_iri(subject):
            continue
        predicate = ox.NamedNode(expand(col.propertyUrl))
        value = row.get(col.name)
        items = value if isinstance(value, list) else [value]
        for item in items:
            if item is None or item == "":
                continue
            if col.valueUrl is None:
                obj = ox.Literal(str(item))
            else:
                iri = expand(col.valueUrl, **({col.name: item} if not col.virtual else {}))
                if not iri:
                    continue
                # Not an IRI (a URL cell with words in it): kept as text for the shapes to refuse.
                obj = ox.NamedNode(iri) if is_iri(iri) else ox.Literal(str(item))
            yield ox.Triple(ox.NamedNode(subject), predicate, obj)
