"""The query catalog: the named, parameterised questions in `queries/*.rq`.

Every `.rq` file is a SELECT query that starts with a grlc-style metadata header in `#+` comment
lines, read as YAML:

    #+ title: People released by a pardon decree
    #+ description: >
    #+   Everyone a source says was freed under a pardon decree, ...
    #+ params:
    #+   decree:
    #+     type: iri            # iri | date | string | integer
    #+     description: The decree; leave out for every decree.
    #+     example: https://w3id.org/ppkg/id/document/novruz-2019-pardon-decree
    #+     default: ...         # optional: used when the caller gives no value
    #+     required: false      # optional

Each parameter appears in the query exactly once as `VALUES ?name { UNDEF }` — valid SPARQL as it
stands, meaning "no restriction". Binding a value replaces exactly that block with
`VALUES ?name { <term> }`, where the term is built and serialised by pyoxigraph after the value
has been checked against the parameter's type. User text is never pasted into the query: an IRI
that does not parse as one, a date that is not a calendar date, an integer that is not one, is
refused (ParameterError, a 400 naming the parameter); a string becomes a literal escaped by
pyoxigraph, so it can only ever match (or not match) as a string.

The file name without `.rq` is the query's name. Loading checks every file — header keys and
types, examples and defaults against their types, one `VALUES ?p { UNDEF }` block per declared
parameter and no undeclared one, the SPARQL syntax, and that the query is a SELECT — and raises
CatalogError naming the file, so a broken file stops the server or the command at startup.

One code path for HTTP (ppkg.web.catalog), the CLI (ppkg.cli.query) and the OpenAPI document
(ppkg.catalog.openapi); ppkg.catalog.columns is the shared rule for showing labels next to IRIs.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping
from urllib.parse import urlsplit

import pyoxigraph as ox
import yaml

from ppkg.files import shipped
from ppkg.errors import QueryError
from ppkg.sparql.scan import scan, tokens
from ppkg.vocab import XSD

PARAM_TYPES = ("iri", "date", "string", "integer")
HEADER_KEYS = ("title", "description", "params")
PARAM_KEYS = ("type", "description", "example", "default", "required")
NAME = re.compile(r"[a-z0-9][a-z0-9-]*")
VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DATE = re.compile(r"-?[0-9]{4,}-[0-9]{2}-[0-9]{2}")
_INTEGER = re.compile(r"[+-]?[0-9]+")


# --- errors ----------------------------------------------------------------------------------

class CatalogError(ValueError):
    """A catalog file that cannot be used; the message starts with the file's path."""


class UnknownQuery(QueryError):
    status = 404

    def __init__(self, name: str, known: Iterable[str] = ()):
        known = sorted(known)
        hint = f" (known: {', '.join(known)})" if known else ""
        super().__init__(f"No query named {name!r} in the catalog{hint}")
        self.name = name


class ParameterError(QueryError):
    """A parameter value that cannot be bound; the message names the parameter."""

    status = 400

    def __init__(self, parameter: str, message: str):
        super().__init__(message)
        self.parameter = parameter


# --- parameters --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Param:
    name: str
    type: str  # iri, date, string or integer
    description: str
    example: Any = None
    default: Any = None
    required: bool = False

    def term(self, value: Any) -> ox.NamedNode | ox.Literal:
        """The RDF term for a value (a string from a URL or a command line, or a typed value).

        Raises ParameterError naming this parameter when the value does not fit the type.
        """
        kind = self.type
        if kind == "iri":
            if not isinstance(value, str):
                raise self._error(value, "an absolute http(s) IRI")
            text = value.strip()
            try:
                parts = urlsplit(text)
            except ValueError:
                raise self._error(value, "an absolute http(s) IRI") from None
            if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
                raise self._error(value, "an absolute http(s) IRI")
            try:
                return ox.NamedNode(text)
            except ValueError as err:
                raise self._error(value, f"an absolute http(s) IRI ({err})") from None
        if kind == "date":
            if isinstance(value, datetime.datetime):
                value = value.date()
            if isinstance(value, datetime.date):
                text = value.isoformat()
            elif isinstance(value, str):
                text = value.strip()
                if not _DATE.fullmatch(text):
                    raise self._error(value, "a date written YYYY-MM-DD")
                try:
                    datetime.date.fromisoformat(text)
                except ValueError:
                    raise self._error(value, "a date written YYYY-MM-DD (a real calendar day)") from None
            else:
                raise self._error(value, "a date written YYYY-MM-DD")
            return ox.Literal(text, datatype=ox.NamedNode(XSD + "date"))
        if kind == "integer":
            if isinstance(value, bool):
                raise self._error(value, "an integer")
            if isinstance(value, int):
                number = value
            elif isinstance(value, str) and _INTEGER.fullmatch(value.strip()) and len(value) < 64:
                number = int(value.strip())
            else:
                raise self._error(value, "an integer")
            return ox.Literal(str(number), datatype=ox.NamedNode(XSD + "integer"))
        if kind == "string":
            if not isinstance(value, str):
                raise self._error(value, "a string")
            try:
                return ox.Literal(value)
            except (ValueError, TypeError):
                raise self._error(value, "a string of Unicode characters") from None
        raise ParameterError(self.name, f"Parameter {self.name!r} has an unknown type {kind!r}")

    def _error(self, value: Any, expected: str) -> ParameterError:
        shown = repr(value) if len(repr(value)) <= 120 else repr(value)[:117] + "..."
        return ParameterError(self.name, f"Parameter {self.name!r} must be {expected}; got {shown}")

    def describe(self) -> dict:
        out = {"name": self.name, "type": self.type, "description": self.description,
               "required": self.required}
        if self.example is not None:
            out["example"] = _plain(self.example)
        if self.default is not None:
            out["default"] = _plain(self.default)
        return out


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime.date) else value


# --- queries -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Block:
    """One `VALUES ?name { UNDEF }` block: where it starts and ends in the text."""

    name: str
    start: int
    end: int


@dataclass(frozen=True)
class Query:
    name: str
    title: str
    description: str
    params: dict[str, Param]
    text: str  # the whole file, header included (the header is comments: valid SPARQL)
    path: Path
    columns: tuple[str, ...] = ()  # the projected variables, in order
    blocks: tuple[Block, ...] = field(default=(), repr=False)

    @property
    def body(self) -> str:
        """The SPARQL without the `#+` header, for reading."""
        lines = self.text.splitlines(keepends=True)
        i = 0
        while i < len(lines) and (lines[i].startswith("#+") or not lines[i].strip()):
            i += 1
        return "".join(lines[i:])

    def terms(self, values: Mapping[str, Any] | None = None) -> dict[str, ox.NamedNode | ox.Literal]:
        """Checked RDF terms for the given values (and defaults), by parameter name.

        An absent value, None or "" leaves the parameter out (its default applies, if any).
        Unknown names, missing required parameters and values of the wrong type raise
        ParameterError naming the parameter.
        """
        values = dict(values or {})
        for key in values:
            if key not in self.params:
                takes = (", ".join(self.params) if self.params else "no parameters")
                raise ParameterError(key, f"Unknown parameter {key!r} for query {self.name!r} "
                                          f"(it takes: {takes})")
        out = {}
        for name, param in self.params.items():
            value = values.get(name)
            if value is None or value == "":
                value = param.default
            if value is None or value == "":
                if param.required:
                    raise ParameterError(name, f"Parameter {name!r} is required for query "
                                               f"{self.name!r}")
                continue
            out[name] = param.term(value)
        return out

    def bind(self, values: Mapping[str, Any] | None = None) -> str:
        """The query text with each given parameter's `VALUES ?p { UNDEF }` block bound."""
        terms = self.terms(values)
        text = self.text
        for block in sorted(self.blocks, key=lambda b: b.start, reverse=True):
            term = terms.get(block.name)
            if term is None:
                continue
            text = text[:block.start] + f"VALUES ?{block.name} {{ {term} }}" + text[block.end:]
        return text

    def describe(self) -> dict:
        return {"name": self.name, "title": self.title, "description": self.description,
                "parameters": [p.describe() for p in self.params.values()],
                "columns": list(self.columns)}


def undef_blocks(text: str) -> list[Block]:
    """Every `VALUES ?name { UNDEF }` in the code of a query (not in comments or strings)."""
    toks = list(tokens(text))
    found = []
    for i in range(len(toks) - 4):
        a, var, open_, undef, close = toks[i:i + 5]
        if (a.kind == "word" and a.text.upper() == "VALUES" and var.kind == "var"
                and open_.text == "{" and undef.kind == "word" and undef.text.upper() == "UNDEF"
                and close.text == "}"):
            found.append(Block(var.text[1:], a.offset, close.offset + 1))
    return found


def parse_query(text: str, name: str, path: Path | str | None = None,
                require_header: bool = True) -> Query:
    """Parse and check one catalog file's text (see the module docstring); CatalogError if bad.

    With require_header=False (an ad-hoc file given to the CLI) a file without a `#+` header is a
    query without parameters.
    """
    path = Path(path) if path is not None else Path(f"{name}.rq")
    where = str(path)

    def fail(message: str) -> CatalogError:
        return CatalogError(f"{where}: {message}")

    lines = text.splitlines()
    header_lines = []
    i = 0
    while i < len(lines) and not lines[i].strip():
        i += 1
    while i < len(lines) and lines[i].startswith("#+"):
        line = lines[i][2:]
        header_lines.append(line[1:] if line.startswith(" ") else line)
        i += 1
    for j in range(i, len(lines)):
        if lines[j].startswith("#+"):
            raise fail(f"line {j + 1}: '#+' header lines must all come at the top of the file")

    if not header_lines:
        if require_header:
            raise fail("no '#+' metadata header (title, description, params)")
        header: dict = {"title": name, "description": ""}
    else:
        try:
            header = yaml.safe_load("\n".join(header_lines))
        except yaml.YAMLError as err:
            raise fail(f"the '#+' header is not valid YAML: {err}") from None
        if not isinstance(header, dict):
            raise fail("the '#+' header must be a YAML mapping (title, description, params)")
    unknown = [k for k in header if k not in HEADER_KEYS]
    if unknown:
        raise fail(f"unknown header key {unknown[0]!r} (known: {', '.join(HEADER_KEYS)})")
    title, description = header.get("title"), header.get("description", "")
    if not isinstance(title, str) or not title.strip():
        raise fail("the header needs a title (a non-empty string)")
    if not isinstance(description, str) or (header_lines and not description.strip()):
        raise fail("the header needs a description (a non-empty string)")
    params = _params(header.get("params") or {}, fail)

    blocks = undef_blocks(text)
    for pname in params:
        count = sum(1 for b in blocks if b.name == pname)
        if count != 1:
            raise fail(f"parameter {pname!r} must appear exactly once as "
                       f"'VALUES ?{pname} {{ UNDEF }}' in the query; found {count}")
    if header_lines:
        for block in blocks:
            if block.name not in params:
                raise fail(f"'VALUES ?{block.name} {{ UNDEF }}' is not declared in the "
                           "header's params")
    else:
        blocks = []

    info = scan(text)
    if info.form != "SELECT" or info.update is not None:
        raise fail("a catalog query must be a SELECT query")
    columns = _columns(text, fail)
    query = Query(name=name, title=title.strip(), description=description.strip(),
                  params=params, text=text, path=path, columns=columns, blocks=tuple(blocks))
    # Bound with every example, the query must still parse.
    examples = {p.name: p.example for p in params.values() if p.example is not None}
    if examples:
        try:
            bound = query.bind(examples)
        except ParameterError as err:
            raise fail(f"example: {err.message}") from None
        _columns(bound, fail)
    return query


def _params(raw: Any, fail) -> dict[str, Param]:
    if not isinstance(raw, dict):
        raise fail("params must be a mapping of parameter name to its description")
    params = {}
    for pname, spec in raw.items():
        if not isinstance(pname, str) or not VARIABLE.fullmatch(pname):
            raise fail(f"parameter name {pname!r} is not a SPARQL variable name")
        if not isinstance(spec, dict):
            raise fail(f"parameter {pname!r}: expected a mapping with type, description, example")
        unknown = [k for k in spec if k not in PARAM_KEYS]
        if unknown:
            raise fail(f"parameter {pname!r}: unknown key {unknown[0]!r} "
                       f"(known: {', '.join(PARAM_KEYS)})")
        kind = spec.get("type")
        if kind not in PARAM_TYPES:
            raise fail(f"parameter {pname!r}: type must be one of {', '.join(PARAM_TYPES)}; "
                       f"got {kind!r}")
        description = spec.get("description")
        if not isinstance(description, str) or not description.strip():
            raise fail(f"parameter {pname!r}: needs a description")
        if spec.get("example") is None:
            raise fail(f"parameter {pname!r}: needs an example")
        required = spec.get("required", False)
        if not isinstance(required, bool):
            raise fail(f"parameter {pname!r}: required must be true or false")
        if required and spec.get("default") is not None:
            raise fail(f"parameter {pname!r}: a required parameter cannot have a default")
        param = Param(pname, kind, description.strip(), _plain(spec.get("example")),
                      _plain(spec.get("default")), required)
        for key in ("example", "default"):
            value = getattr(param, key)
            if value is not None:
                try:
                    param.term(value)
                except ParameterError as err:
                    raise fail(f"{key}: {err.message}") from None
        params[pname] = param
    return params


def _columns(text: str, fail) -> tuple[str, ...]:
    """Parse the query (on an empty store) and return its projected variables."""
    try:
        result = ox.Store().query(text)
    except SyntaxError as err:
        raise fail(f"SPARQL syntax error: {getattr(err, 'msg', err)}") from None
    except (ValueError, TypeError, RuntimeError, OSError) as err:
        raise fail(f"the query cannot be evaluated: {err}") from None
    if not isinstance(result, ox.QuerySolutions):
        raise fail("a catalog query must be a SELECT query")
    return tuple(v.value for v in result.variables)


# --- the catalog -------------------------------------------------------------------------------

class Catalog:
    """All queries of one folder, by name, in name order."""

    def __init__(self, queries: Iterable[Query], folder: Path | None = None):
        self.queries: dict[str, Query] = {q.name: q for q in sorted(queries, key=lambda q: q.name)}
        self.folder = folder

    def __iter__(self):
        return iter(self.queries.values())

    def __len__(self) -> int:
        return len(self.queries)

    def __contains__(self, name: str) -> bool:
        return name in self.queries

    def get(self, name: str) -> Query:
        try:
            return self.queries[name]
        except KeyError:
            raise UnknownQuery(name, self.queries) from None

    def describe(self) -> list[dict]:
        return [q.describe() for q in self]


def load_catalog(folder: str | Path | None = None) -> Catalog:
    """Every `*.rq` in `folder` (default: the shipped `queries/`); CatalogError naming a bad file."""
    folder = Path(folder) if folder is not None else shipped("queries")
    if not folder.is_dir():
        raise CatalogError(f"{folder}: no such folder of queries")
    queries = []
    for path in sorted(folder.glob("*.rq")):
        name = path.stem
        if not NAME.fullmatch(name):
            raise CatalogError(f"{path}: a query's file name must be lower-case letters, digits "
                               "and hyphens, ending in .rq")
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            raise CatalogError(f"{path}: cannot be read: {err}") from None
        queries.append(parse_query(text, name, path))
    return Catalog(queries, folder)
