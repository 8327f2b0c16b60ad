"""The kinds of record an archivist enters without writing RDF, as declared in entry/*.json.

Each kind (person, imprisonment, charging, sentencing, release, statement, source) is one W3C
CSVW table description (`entry/<kind>.csv-metadata.json`): its columns, what each means
(`dc:description`, `schema:example`), which are required, and how a row becomes RDF
(`aboutUrl`, `propertyUrl`, `valueUrl`, `separator`, virtual columns for the types and the
citation of the source document). That file is the mapping: ppkg.entry.rows runs it through the
`csvw` library; the templates, the forms and the cell reports read the same columns from here.

Two annotations of ppkg's own (full IRIs, as CSVW allows for common properties):
`entry#refersTo` — the classes whose existing resources a reference column names, by IRI or by
exact name; `entry#filled` — a column ppkg fills (the source document's IRI), not in a template.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from csvw import Table

from ppkg.files import shipped
from ppkg.vocab import DATA_BASE

ENTRY = DATA_BASE + "entry#"
ROW_SUBJECT = "id"  # the column naming the resource a row describes
SOURCE_SUBJECT = "source_id"  # the column naming the source document a row cites


class UnknownKind(LookupError):
    def __init__(self, name: str):
        super().__init__(f"No kind of record called {name!r}: one of {', '.join(kinds())}")


@dataclass(frozen=True)
class Column:
    name: str
    description: str
    example: str
    required: bool
    property: str | None  # the predicate its cells give (None: the row's IRI, or ppkg's)
    refers_to: tuple[str, ...]  # classes of the existing resources its cells name
    separator: str | None  # several values in one cell
    subject: str  # ROW_SUBJECT or SOURCE_SUBJECT: whose property it is
    filled: bool  # by ppkg, not by the person entering

    @property
    def is_reference(self) -> bool:
        return bool(self.refers_to)


@dataclass(frozen=True)
class Kind:
    name: str  # person, release, …
    title: str  # "Releases"
    description: str
    cls: str  # the class of the resource a row describes
    table: Table  # the CSVW table description (the mapping)
    columns: tuple[Column, ...]  # the non-virtual columns, in the table's order
    path: Path

    @property
    def template_columns(self) -> tuple[Column, ...]:
        """The columns a person fills in, in order (a template's header)."""
        return tuple(c for c in self.columns if not c.filled)

    @property
    def cites_source(self) -> bool:
        return any(c.name == SOURCE_SUBJECT for c in self.columns)

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)

    def columns_for(self, subject: str, prop: str) -> list[Column]:
        return [c for c in self.columns if c.subject == subject and c.property == prop]


def _subject(template) -> str:
    text = str(template.uri) if template is not None else ""
    return SOURCE_SUBJECT if SOURCE_SUBJECT in text else ROW_SUBJECT


def _text(value) -> str:
    if isinstance(value, dict):
        return str(value.get("@value", ""))
    if isinstance(value, list):
        return " ".join(_text(v) for v in value)
    return "" if value is None else str(value)


def _iris(value) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value] if value else []
    return tuple(i["@id"] if isinstance(i, dict) else str(i) for i in items)


def load_kind(path: Path) -> Kind:
    table = Table.from_file(path)
    props = table.common_props
    columns = []
    for col in table.tableSchema.columns:
        if col.virtual:
            continue
        common = col.common_props
        columns.append(Column(
            name=col.name,
            description=_text(common.get("dc:description")),
            example=_text(common.get("schema:example")),
            required=bool(col.required),
            property=str(col.propertyUrl.uri) if col.propertyUrl is not None else None,
            refers_to=_iris(common.get(ENTRY + "refersTo")),
            separator=col.separator,
            subject=_subject(col.aboutUrl or table.tableSchema.aboutUrl),
            filled=bool(common.get(ENTRY + "filled")),
        ))
    return Kind(name=_text(props[ENTRY + "kind"]), title=_text(props.get("dc:title")),
                description=_text(props.get("dc:description")),
                cls=_iris(props[ENTRY + "class"])[0], table=table, columns=tuple(columns),
                path=path)


_lock = threading.Lock()
_kinds: dict[str, Kind] = {}


def kinds() -> dict[str, Kind]:
    """Every kind, by name, in the order of the entry folder (read once per process)."""
    with _lock:
        if not _kinds:
            order = ("person", "imprisonment", "charging", "sentencing", "release", "statement",
                     "source")
            found = {k.name: k for k in map(load_kind, sorted(shipped("entry").glob("*.json")))}
            _kinds.update({n: found.pop(n) for n in order if n in found})
            _kinds.update(found)
        return _kinds


def kind(name: str) -> Kind:
    found = kinds().get(name)
    if found is None:
        raise UnknownKind(name)
    return found
