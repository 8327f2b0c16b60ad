"""RDF input, parsed safely: files on the command line and bodies sent over HTTP.

pyoxigraph parses everything (never rdflib's parsers): JSON-LD remote contexts are never fetched
(pyoxigraph has no document loader) and XML entities are never resolved. Before pyoxigraph sees
them:

- RDF/XML with a DTD (`<!DOCTYPE`, hence any entity, external or internal) is refused: external
  entities are never resolved and internal ones cannot expand exponentially ("billion laughs"),
  and elements nested deeper than MAX_DEPTH are refused (pyoxigraph's RDF/XML parser is quadratic
  in the nesting depth);
- JSON-LD nested deeper than MAX_DEPTH is refused (deep nesting overflows pyoxigraph's stack).

The same guards apply to `ppkg validate FILE` and to uploads. `graph_from_quads` turns parsed
quads into the one rdflib graph pyshacl validates.
"""

from __future__ import annotations

import json
import logging
import re
import warnings
import xml.parsers.expat
from pathlib import Path
from typing import Iterable

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from ppkg.errors import LoadError
from ppkg.files import rdf_files
from ppkg.formats import RdfFormat, rdf_format_for_path
from ppkg.vocab import XSD_STRING

MAX_DEPTH = 256  # JSON-LD / RDF/XML nesting


class InputRefused(ValueError):
    """Input refused before parsing or validation: `status` is the HTTP status that says why."""

    def __init__(self, message: str, status: int = 400, **details):
        super().__init__(message)
        self.message = message
        self.status = status
        self.details = details


class ParseError(LoadError):
    """An input could not be parsed: carries the file (or input name), line and column.

    ``line`` and ``column`` are 1-based and None when the parser gave no position (RDF/XML
    errors, remote JSON-LD contexts). ``str(err)`` reads ``file, line L, column C: message``.
    """

    def __init__(self, file: str, message: str, line: int | None = None, column: int | None = None):
        self.file = file
        self.message = message
        self.line = line
        self.column = column
        where = file
        if line is not None:
            where += f", line {line}"
            if column is not None:
                where += f", column {column}"
        super().__init__(f"{where}: {message}")


# --------------------------------------------------------------------------------------------
# Parsing: pyoxigraph → rdflib
# --------------------------------------------------------------------------------------------

_quiet_installed = False


def _quiet_rdflib() -> None:
    """Keep rdflib from logging a traceback (or warning) for every ill-typed literal.

    Ill-typed literals ("2019-02-30"^^xsd:date) are what validation is there to report; rdflib's
    Literal constructor logs each one with its traceback, which would bury the report.
    """
    global _quiet_installed
    if _quiet_installed:
        return
    logging.getLogger("rdflib.term").addFilter(
        lambda record: not record.getMessage().startswith("Failed to convert Literal lexical form"))
    warnings.filterwarnings("ignore", message="Parsing weird boolean", category=UserWarning)
    _quiet_installed = True


def _term(term) -> Node:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == XSD_STRING:
            return Literal(term.value)
        # normalize=False keeps the lexical form as written, so that a pattern sees "01" or
        # "2019-03-16T10:00:00" rather than rdflib's canonical rewrite of them.
        return Literal(term.value, datatype=URIRef(datatype), normalize=False)
    raise ValueError(f"RDF 1.2 triple terms are not supported: {term}")


def graph_from_quads(quads: Iterable, graph: Graph | None = None, name: str = "<input>") -> Graph:
    """Add pyoxigraph triples or quads to an rdflib graph, ignoring graph names (the union)."""
    _quiet_rdflib()
    graph = Graph() if graph is None else graph
    add = graph.add
    for quad in quads:
        try:
            add((_term(quad.subject), _term(quad.predicate), _term(quad.object)))
        except ValueError as err:
            raise ParseError(name, str(err)) from None
    return graph


_POSITION = re.compile(r"line (\d+)(?: between columns| column) (\d+)")


def parse_error(name: str, err: SyntaxError) -> ParseError:
    message = str(err.args[0]) if err.args else str(err)
    line = getattr(err, "lineno", None)
    column = getattr(err, "offset", None)
    found = _POSITION.search(message)
    if line is None and found:
        line, column = int(found.group(1)), int(found.group(2))
    # "Parser error at line 4 between columns 16 and 20: A dot is expected" → "A dot is expected"
    message = re.sub(r"^Parser error at line \d+ (?:between columns \d+ and \d+|column \d+): ", "",
                     message)
    if "LoadDocumentCallback" in message:
        message = "remote JSON-LD contexts are not fetched; inline the @context"
    return ParseError(name, message, line, column)


def parse_data(data: bytes | str, fmt: RdfFormat, graph: Graph | None = None, *,
               base_iri: str | None = None, name: str = "<input>") -> Graph:
    """Parse data in one of ppkg.formats.RDF_FORMATS into an rdflib graph (the union of its graphs).

    For in-memory input such as an HTTP request body; ``name`` is what a ParseError calls it.
    """
    check_safe(data if isinstance(data, bytes) else data.encode(), fmt, name)
    try:
        quads = ox.parse(data, format=fmt.oxigraph, base_iri=base_iri, rename_blank_nodes=True)
        return graph_from_quads(quads, graph, name)
    except SyntaxError as err:
        raise parse_error(name, err) from None


def parse_file(path: str | Path, graph: Graph | None = None) -> Graph:
    """Parse one RDF file, its format chosen by its extension (ppkg.formats)."""
    path = Path(path)
    fmt = rdf_format_for_path(path)
    if fmt is None:
        raise LoadError(f"{path}: unknown RDF file extension")
    try:
        if fmt.name in ("rdfxml", "jsonld"):
            check_safe(path.read_bytes(), fmt, str(path))
        # Blank nodes are renamed so that _:b0 in two files stays two nodes.
        quads = ox.parse(path=str(path), format=fmt.oxigraph, base_iri=path.resolve().as_uri(),
                         rename_blank_nodes=True)
        return graph_from_quads(quads, graph, str(path))
    except SyntaxError as err:
        raise parse_error(str(path), err) from None
    except (OSError, UnicodeDecodeError) as err:
        raise ParseError(str(path), f"cannot be read: {err}") from None


def parse_files(paths: Iterable[str | Path]) -> Graph:
    """Parse files and folders (expanded by ppkg.files.rdf_files) into one rdflib graph.

    Raises FileNotFoundError for a missing path, ValueError for an unknown extension or when
    there is no RDF file at all, and ParseError (a ValueError too) for a file that does not parse.
    """
    paths = list(paths)
    files = rdf_files(paths)
    if not files:
        raise LoadError(f"no RDF files in {', '.join(str(p) for p in paths) or 'the arguments'}")
    graph = Graph()
    for path in files:
        parse_file(path, graph)
    return graph



def check_safe(data: bytes, fmt: RdfFormat, name: str = "upload") -> None:
    """Refuse what pyoxigraph must not see (see the module docstring): XML with a DTD, and XML
    or JSON nested deeper than MAX_DEPTH."""
    if fmt.name == "rdfxml":
        check_xml(data, name)
    elif fmt.name == "jsonld":
        check_json(data)


def check_xml(data: bytes, name: str = "upload") -> None:
    """Refuse DTDs (so entities are never expanded or fetched) and over-deep nesting."""
    parser = xml.parsers.expat.ParserCreate()
    try:
        parser.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)
    except AttributeError:  # pragma: no cover
        pass
    depth = 0

    class Refused(Exception):
        pass

    def doctype(*_args):
        raise Refused("RDF/XML with a document type declaration (<!DOCTYPE ...>) is not accepted: "
                      "entities are never expanded or fetched; remove the DTD")

    def entity(*_args):
        raise Refused("XML entity declarations are not accepted")

    def start(*_args):
        nonlocal depth
        depth += 1
        if depth > MAX_DEPTH:
            raise Refused(f"XML elements nested more than {MAX_DEPTH} deep are not accepted")

    def end(*_args):
        nonlocal depth
        depth -= 1

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = entity
    parser.ExternalEntityRefHandler = lambda *a: 0
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        parser.Parse(data, True)
    except Refused as err:
        raise InputRefused(str(err)) from None
    except xml.parsers.expat.ExpatError as err:
        raise ParseError(name, f"not well-formed XML: {xml.parsers.expat.errors.messages.get(err.code, err)}",
                         err.lineno, err.offset + 1) from None


def check_json(data: bytes) -> None:
    """Refuse JSON nested deeper than MAX_DEPTH (syntax errors are left to pyoxigraph)."""
    try:
        value = json.loads(data)
    except RecursionError:
        raise InputRefused(f"JSON nested more than {MAX_DEPTH} deep is not accepted") from None
    except ValueError:
        return  # pyoxigraph reports the error with its position
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise InputRefused(f"JSON nested more than {MAX_DEPTH} deep is not accepted")
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values() if isinstance(v, (dict, list)))
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node if isinstance(v, (dict, list)))

