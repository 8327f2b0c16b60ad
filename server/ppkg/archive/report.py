"""A SHACL validation report as people and programs read it: results grouped by resource, with
labels, as text, JSON or the report graph (Turtle)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH, XSD
from rdflib.term import Node

from ppkg.vocab import ID, OWL, PPKG, PPKGSH, RDF, RDFS, SCHEMA, SKOS

RDF_FIRST = URIRef(RDF + "first")

SEVERITIES = ("Violation", "Warning", "Info")
_SEVERITY_BY_IRI = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}

# Prefixes for compact names in the text report.
PREFIXES = (
    ("ppkgsh", PPKGSH),
    ("ppkg", PPKG),
    ("sh", str(SH)),
    ("rdf", RDF),
    ("rdfs", RDFS),
    ("skos", SKOS),
    ("xsd", str(XSD)),
    ("owl", OWL),
    ("schema", SCHEMA),
)

_XSD_STRING = str(XSD.string)



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


def path_text(graph: Graph, path: Node) -> str:
    """A SHACL property path (as found in a report or shapes graph) in SPARQL syntax."""
    if isinstance(path, URIRef):
        return f"<{path}>"
    if (path, RDF_FIRST, None) in graph:
        return "/".join(path_text(graph, p) for p in Collection(graph, path))
    for predicate, fmt in ((SH.inversePath, "^{}"), (SH.zeroOrMorePath, "{}*"),
                           (SH.oneOrMorePath, "{}+"), (SH.zeroOrOnePath, "{}?")):
        inner = graph.value(path, predicate)
        if inner is not None:
            text = path_text(graph, inner)
            if not isinstance(inner, URIRef):
                text = f"({text})"
            return fmt.format(text)
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(path_text(graph, p) for p in Collection(graph, alternatives)) + ")"
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

