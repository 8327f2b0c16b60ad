"""SHACL validation of RDF data against ppkg's shapes (shapes/*.ttl) and ontology (ontology/*.ttl).

The data is validated as one graph, the union of all its named graphs, since a fact in one
source's graph points to resources described in another's. The ontology is merged into that
graph before validation: sh:targetClass and sh:class then follow rdfs:subClassOf, and the SKOS
concepts the data points to (offences, roles, statuses, figure qualifiers) are present and checked
too. (pyshacl's own ``ont_graph`` option copies only class and property axioms, not the concept
individuals, so it cannot be used for that.)

User input is parsed with pyoxigraph only: it never fetches remote JSON-LD contexts and never
resolves XML entities, unlike rdflib's parsers.

Entry points:

- ``validate_files(paths, focus_nodes=None)``: the files (or folders) named on the command line;
- ``parse_data(data, fmt, ...)`` then ``validate_graph(graph, focus_nodes=None)``: data already in
  memory, such as an HTTP request body;
- ``graph_from_quads(quads)``: pyoxigraph triples or quads as one rdflib graph.

Validate files, not the contents of a pyoxigraph Store: the store rewrites literals of types
derived from xsd:integer to xsd:integer ("399"^^xsd:nonNegativeInteger comes back as
"399"^^xsd:integer, "-1"^^xsd:nonNegativeInteger as "-1"^^xsd:integer), so data read back from a
store fails sh:datatype xsd:nonNegativeInteger, and ill-typed values are no longer seen as such.
(Quads from ``pyoxigraph.parse`` keep their datatypes.)

Each returns or feeds a ``Report``: ``conforms``, ``results``, ``counts``, the report ``graph``,
and ``to_text()`` / ``to_json()`` / ``to_turtle()``.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

import pyoxigraph as ox
import pyshacl
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, SKOS, XSD
from rdflib.term import Node

from ppkg.files import rdf_files, shapes_files, shipped
from ppkg.formats import RdfFormat, rdf_format_for_path
from ppkg.errors import LoadError

__all__ = [
    "ParseError",
    "Report",
    "Result",
    "graph_from_quads",
    "load_ontology",
    "load_shapes",
    "parse_data",
    "parse_files",
    "validate_files",
    "validate_graph",
]

PPKG = "https://w3id.org/ppkg/ontology#"
PPKGSH = "https://w3id.org/ppkg/shapes#"
ID = "https://w3id.org/ppkg/id/"

SEVERITIES = ("Violation", "Warning", "Info")
_SEVERITY_BY_IRI = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}

# Prefixes for compact names in the text report.
PREFIXES = (
    ("ppkgsh", PPKGSH),
    ("ppkg", PPKG),
    ("sh", str(SH)),
    ("rdf", str(RDF)),
    ("rdfs", str(RDFS)),
    ("skos", str(SKOS)),
    ("xsd", str(XSD)),
    ("owl", "http://www.w3.org/2002/07/owl#"),
    ("schema", "https://schema.org/"),
)

_XSD_STRING = str(XSD.string)


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
        if datatype == _XSD_STRING:
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


def _parse_error(name: str, err: SyntaxError) -> ParseError:
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
    try:
        quads = ox.parse(data, format=fmt.oxigraph, base_iri=base_iri, rename_blank_nodes=True)
        return graph_from_quads(quads, graph, name)
    except SyntaxError as err:
        raise _parse_error(name, err) from None


def parse_file(path: str | Path, graph: Graph | None = None) -> Graph:
    """Parse one RDF file, its format chosen by its extension (ppkg.formats)."""
    path = Path(path)
    fmt = rdf_format_for_path(path)
    if fmt is None:
        raise LoadError(f"{path}: unknown RDF file extension")
    try:
        # Blank nodes are renamed so that _:b0 in two files stays two nodes.
        quads = ox.parse(path=str(path), format=fmt.oxigraph, base_iri=path.resolve().as_uri(),
                         rename_blank_nodes=True)
        return graph_from_quads(quads, graph, str(path))
    except SyntaxError as err:
        raise _parse_error(str(path), err) from None
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


# --------------------------------------------------------------------------------------------
# Shapes and ontology, cached per process and reloaded when their files change
# --------------------------------------------------------------------------------------------

_cache: dict[str, tuple[tuple, Graph]] = {}
_cache_lock = threading.Lock()


def _signature(files: list[Path]) -> tuple:
    return tuple((str(f), f.stat().st_mtime_ns, f.stat().st_size) for f in files)


def _cached(kind: str, files: list[Path]) -> Graph:
    signature = _signature(files)
    with _cache_lock:
        hit = _cache.get(kind)
        if hit and hit[0] == signature:
            return hit[1]
        graph = Graph()
        for f in files:
            parse_file(f, graph)
        if kind == "shapes":
            # pyshacl adds a couple of RDFS axioms to a shapes graph the first time it uses it;
            # let that happen here, under the lock, so the cached graph is not modified later
            # while other threads are reading it.
            pyshacl.validate(Graph(), shacl_graph=graph, inference="none")
        _cache[kind] = (signature, graph)
        return graph


def load_shapes() -> Graph:
    """The shipped SHACL shapes (ppkg.files.shapes_files()). Treat the graph as read-only."""
    return _cached("shapes", shapes_files())


def load_ontology() -> Graph:
    """The shipped ontology and concept schemes (ontology/*). Treat the graph as read-only."""
    return _cached("ontology", rdf_files([shipped("ontology")]))


# --------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    """One sh:ValidationResult."""

    severity: str  # "Violation", "Warning" or "Info"
    focus_node: Node
    path: str | None  # the property path, in SPARQL syntax with full IRIs, e.g. <…#date>
    value: Node | None
    message: str
    source_shape: Node | None  # the shape that reported it (often a blank property shape)
    node_shape: Node | None  # the named node shape it belongs to, e.g. ppkgsh:EventShape
    constraint: Node | None  # the constraint component, e.g. sh:ClassConstraintComponent

    def to_json(self, labels: dict[Node, str] | None = None) -> dict:
        labels = labels or {}
        return {
            "severity": self.severity,
            "focusNode": _node_id(self.focus_node),
            "focusLabel": labels.get(self.focus_node),
            "path": self.path,
            "value": _json_term(self.value) if self.value is not None else None,
            "message": self.message,
            "sourceShape": _node_id(self.source_shape) if self.source_shape is not None else None,
            "nodeShape": _node_id(self.node_shape) if self.node_shape is not None else None,
            "constraint": str(self.constraint) if self.constraint is not None else None,
        }


@dataclass
class Report:
    conforms: bool  # no result of severity Violation
    results: list[Result]
    graph: Graph  # the sh:ValidationReport graph pyshacl produced
    labels: dict[Node, str] = field(default_factory=dict)  # rdfs:label of the nodes it names
    context: dict[BNode, tuple[Node, Node]] = field(default_factory=dict)  # bnode → (subject, predicate) pointing to it
    triples: int = 0  # triples validated (data and ontology)

    @property
    def counts(self) -> dict[str, int]:
        counts = {s: 0 for s in SEVERITIES}
        for r in self.results:
            counts[r.severity] = counts.get(r.severity, 0) + 1
        return counts

    def by_focus_node(self) -> dict[Node, list[Result]]:
        """Results grouped by focus node: nodes with violations first, then by IRI."""
        groups: dict[Node, list[Result]] = {}
        for r in self.results:
            groups.setdefault(r.focus_node, []).append(r)
        for rs in groups.values():
            rs.sort(key=lambda r: (_rank(r.severity), r.path or "", r.message, str(r.value)))
        return dict(sorted(groups.items(),
                           key=lambda kv: (min(_rank(r.severity) for r in kv[1]), _node_id(kv[0]))))

    def to_json(self) -> dict:
        return {
            "conforms": self.conforms,
            "counts": self.counts,
            "triples": self.triples,
            "results": [r.to_json(self.labels) for rs in self.by_focus_node().values() for r in rs],
        }

    def to_json_text(self) -> str:
        return json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n"

    def to_turtle(self) -> str:
        return self.graph.serialize(format="turtle")

    def to_text(self) -> str:
        return render_text(self)


def _rank(severity: str) -> int:
    return SEVERITIES.index(severity) if severity in SEVERITIES else len(SEVERITIES)


def _node_id(node: Node) -> str:
    return f"_:{node}" if isinstance(node, BNode) else str(node)


def _json_term(node: Node) -> dict:
    """A term as in SPARQL 1.1 JSON results."""
    if isinstance(node, URIRef):
        return {"type": "uri", "value": str(node)}
    if isinstance(node, BNode):
        return {"type": "bnode", "value": str(node)}
    assert isinstance(node, Literal)
    term = {"type": "literal", "value": str(node)}
    if node.language:
        term["xml:lang"] = node.language
    elif node.datatype:
        term["datatype"] = str(node.datatype)
    return term


def _short(node: Node) -> str:
    if isinstance(node, URIRef):
        for prefix, ns in PREFIXES:
            if node.startswith(ns) and re.fullmatch(r"[A-Za-z_][\w.-]*", node[len(ns):]):
                return f"{prefix}:{node[len(ns):]}"
        return f"<{node}>"
    if isinstance(node, BNode):
        return f"_:{node}"
    assert isinstance(node, Literal)
    text = json.dumps(str(node), ensure_ascii=False)
    if node.language:
        return f"{text}@{node.language}"
    if node.datatype:
        return f"{text}^^{_short(node.datatype)}"
    return text


_IRI_IN_PATH = re.compile(r"<([^<>\s]*)>")


def _short_path(path: str) -> str:
    return _IRI_IN_PATH.sub(lambda m: _short(URIRef(m.group(1))), path)


def _path_text(graph: Graph, path: Node) -> str:
    """A SHACL property path (as found in a report or shapes graph) in SPARQL syntax."""
    if isinstance(path, URIRef):
        return f"<{path}>"
    if (path, RDF.first, None) in graph:
        return "/".join(_path_text(graph, p) for p in Collection(graph, path))
    for predicate, fmt in ((SH.inversePath, "^{}"), (SH.zeroOrMorePath, "{}*"),
                           (SH.oneOrMorePath, "{}+"), (SH.zeroOrOnePath, "{}?")):
        inner = graph.value(path, predicate)
        if inner is not None:
            text = _path_text(graph, inner)
            if not isinstance(inner, URIRef):
                text = f"({text})"
            return fmt.format(text)
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(_path_text(graph, p) for p in Collection(graph, alternatives)) + ")"
    return _node_id(path)


def render_text(report: Report) -> str:
    """The report as text, grouped by focus node, with labels next to IRIs."""
    labels = report.labels
    lines: list[str] = []

    def labelled(node: Node) -> str:
        text = _short(node) if not (isinstance(node, URIRef) and node.startswith(ID)) else f"<{node}>"
        label = labels.get(node)
        if label:
            text += f' "{label}"'
        if isinstance(node, BNode) and node in report.context:
            subject, predicate = report.context[node]
            text += f" (the {_short(predicate)} of {labelled(subject)})"
        return text

    for focus, results in report.by_focus_node().items():
        lines.append(labelled(focus))
        for r in results:
            where = f" {_short_path(r.path)}" if r.path else ""
            lines.append(f"  {r.severity.upper()}{where}: {r.message}")
            if r.value is not None and r.value != r.focus_node:
                lines.append(f"      value: {labelled(r.value)}")
            if r.node_shape is not None:
                lines.append(f"      shape: {_short(r.node_shape)}")
        lines.append("")

    counts = report.counts
    parts = [f"{counts[s]} {s.lower()}{'' if counts[s] == 1 else 's'}" for s in SEVERITIES
             if counts[s] or s != "Info"]
    focus_count = len({r.focus_node for r in report.results})
    summary = ", ".join(parts)
    if report.results:
        summary += f" on {focus_count} resource{'' if focus_count == 1 else 's'}"
    verdict = "Conforms" if report.conforms else "Does not conform"
    lines.append(f"{verdict}: {summary} ({report.triples} triples checked).")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------


def _parent_shapes(shapes: Graph) -> dict[Node, Node]:
    """Property shape → the named node shape that holds it (through sh:property)."""
    parents = {}
    for node_shape, prop in shapes.subject_objects(SH.property):
        if isinstance(node_shape, URIRef):
            parents[prop] = node_shape
    return parents


def _label(graph: Graph, node: Node) -> str | None:
    best = None
    for label in graph.objects(node, RDFS.label):
        if isinstance(label, Literal):
            if label.language in (None, "en"):
                return str(label)
            best = best or str(label)
    return best


def _results(report_graph: Graph, shapes: Graph) -> Iterator[Result]:
    parents = _parent_shapes(shapes)
    # Top-level results only: those nested under sh:detail (pyshacl's account of why an sh:node
    # failed) have the value node, not the resource, as focus node.
    for result in report_graph.objects(None, SH.result):
        value = report_graph.value
        severity = _SEVERITY_BY_IRI.get(value(result, SH.resultSeverity), "Violation")
        messages = [m for m in report_graph.objects(result, SH.resultMessage)]
        message = next((str(m) for m in messages if getattr(m, "language", None) in (None, "en")),
                       str(messages[0]) if messages else "")
        path = value(result, SH.resultPath)
        shape = value(result, SH.sourceShape)
        node_shape = shape if isinstance(shape, URIRef) else parents.get(shape)
        yield Result(
            severity=severity,
            focus_node=value(result, SH.focusNode),
            path=_path_text(report_graph, path) if path is not None else None,
            value=value(result, SH.value),
            message=message,
            source_shape=shape,
            node_shape=node_shape,
            constraint=value(result, SH.sourceConstraintComponent),
        )


def validate_graph(data: Graph, focus_nodes: Iterable[str | URIRef] | None = None, *,
                   shapes: Graph | None = None, ontology: Graph | None = None,
                   include_ontology: bool = True, inplace: bool = False) -> Report:
    """Validate an rdflib graph (the union of the data's graphs) against ppkg's shapes.

    The shipped ontology (or ``ontology``) is merged into a copy of ``data``, unless
    ``include_ontology`` is false; with ``inplace`` it is merged into ``data`` itself, which
    saves a copy when the graph was parsed for this validation only (parse_data's result). With ``focus_nodes`` (IRIs), only those nodes are
    validated, against the shapes that target them; the rest of the data is still there for
    sh:class and the like to look at. (pyshacl ignores blank nodes among focus nodes.)
    """
    shapes = load_shapes() if shapes is None else shapes
    if inplace:
        merged = data
    else:
        merged = Graph()
        for triple in data:
            merged.add(triple)
    if include_ontology:
        for triple in (load_ontology() if ontology is None else ontology):
            merged.add(triple)
    focus = [URIRef(str(f)) for f in focus_nodes] if focus_nodes is not None else None
    if focus is not None and not focus:
        focus = None
    conforms, report_graph, _text = pyshacl.validate(
        merged,
        shacl_graph=shapes,
        inference="none",
        allow_warnings=True,
        inplace=True,  # merged is ours to use
        focus_nodes=focus,
    )
    results = list(_results(report_graph, shapes))
    labels: dict[Node, str] = {}
    context: dict[BNode, tuple[Node, Node]] = {}
    for r in results:
        for node in (r.focus_node, r.value):
            if node is None or node in labels or isinstance(node, Literal):
                continue
            label = _label(merged, node)
            if label is not None:
                labels[node] = label
            if isinstance(node, BNode) and node not in context:
                for s, p in merged.subject_predicates(node):
                    context[node] = (s, p)
                    label = _label(merged, s)
                    if label is not None:
                        labels[s] = label
                    break
    return Report(
        conforms=not any(r.severity == "Violation" for r in results),
        results=results,
        graph=report_graph,
        labels=labels,
        context=context,
        triples=len(merged),
    )


def validate_files(paths: Iterable[str | Path],
                   focus_nodes: Iterable[str | URIRef] | None = None) -> Report:
    """Parse the files (or folders) with pyoxigraph and validate their union.

    Raises FileNotFoundError for a missing path, ValueError for an unknown extension and
    ParseError (a ValueError) with file, line and column for a file that does not parse.
    """
    return validate_graph(parse_files(paths), focus_nodes, inplace=True)
