"""What a submission changes in the published graph: its diff and its conflicts with the sources.

Both are computed from what the submission's resources already have published, fetched through
the query service with two queries whatever the size of the graph: every quad whose subject is
one of the submission's resources (with, for a ppkg:Figure object, its qualifier, value and
words), then the labels of the resources, values and graphs to be shown. The rest is Python.

- **Diff**: the submission's resources grouped as *new* (nothing published about them) or
  *existing*, each with the statements the submission adds (a statement some graph already holds
  is counted, not listed). Blank nodes are shown under the resource that points to them.
- **Conflicts**: where the submission gives a value that a published graph contradicts, as
  queries/source-disagreements.rq defines it: a different value of a single-valued property
  (owl:FunctionalProperty in the ontology) that neither side also states; figures whose numbers
  contradict (exactly 399 against more than 400; 52 against 51 — "dozens" contradicts nothing);
  and a person or organization whose name in the submission is not a name the published graph
  gives it, nor the other way round. Each is a disagreement between sources, shown side by side;
  accepting the submission adds its value in its own graph and overwrites nothing.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib import OWL, RDF, RDFS, URIRef

from ppkg.archive.shacl import load_ontology
from ppkg.sparql.results import term_json
from ppkg.vocab import PPKG, SKOS, sparql_prologue

LIMIT = 2_000_000  # rows fetched about one submission's resources

_TYPE, _LABEL, _ALT = RDF.type.toPython(), RDFS.label.toPython(), SKOS + "altLabel"
_FIGURE, _SOURCE = PPKG + "Figure", PPKG + "source"
_QUALIFIER, _VALUE, _AS_STATED = PPKG + "qualifier", PPKG + "value", PPKG + "asStated"
_EXACTLY, _MORE_THAN = PPKG + "Exactly", PPKG + "MoreThan"
_PLAIN_NAMES = {_TYPE: "type", _LABEL: "name", _ALT: "other name",
                RDFS.comment.toPython(): "comment"}


# --- what the ontology says: single-valued properties, kinds of agent, property names -----------

_lock = threading.Lock()
_derived: dict = {}


def _ontology_facts() -> tuple[frozenset, frozenset, dict]:
    ontology = load_ontology()
    with _lock:
        hit = _derived.get(id(ontology))
        if hit is None:
            functional = frozenset(str(p) for p in
                                   ontology.subjects(RDF.type, OWL.FunctionalProperty))
            agents = frozenset(str(c) for c in
                               ontology.transitive_subjects(RDFS.subClassOf, URIRef(PPKG + "Agent")))
            labels = {}
            for term, label in ontology.subject_objects(RDFS.label):
                if isinstance(term, URIRef) and getattr(label, "language", None) in (None, "en"):
                    labels[str(term)] = str(label)
            labels.update(_PLAIN_NAMES)
            hit = _derived[id(ontology)] = (functional, agents, labels)
        return hit


# --- terms as JSON and as text ----------------------------------------------------------------

def term_id(term) -> str:
    """An IRI, or `_:label` for a blank node (as the validation report names nodes)."""
    return f"_:{term.value}" if isinstance(term, ox.BlankNode) else term.value


# --- the published state of the submission's resources --------------------------------------------

@dataclass
class Figure:
    qualifier: str | None
    value: float | None
    words: str | None

    def contradicts(self, other: "Figure") -> bool:
        """As queries/source-disagreements.rq: exactly n vs exactly m (n ≠ m), exactly n vs more
        than m (n ≤ m); "dozens" or "thousands" contradict nothing."""
        a, b = (self.qualifier, self.value), (other.qualifier, other.value)
        if a[1] is None or b[1] is None:
            return False
        if a[0] == _EXACTLY and b[0] == _EXACTLY:
            return a[1] != b[1]
        if a[0] == _EXACTLY and b[0] == _MORE_THAN:
            return a[1] <= b[1]
        if a[0] == _MORE_THAN and b[0] == _EXACTLY:
            return b[1] <= a[1]
        return False


@dataclass
class Published:
    """What the graphs state about the submission's resources, and the labels to show."""

    quads: dict = field(default_factory=dict)  # subject → {graph → {predicate → {objects}}}
    figures: dict = field(default_factory=dict)  # (graph, figure term) → Figure
    labels: dict = field(default_factory=dict)  # IRI → label (published)
    depends_on: set = field(default_factory=set)  # IRIs the published state shown depends on


def _number(term) -> float | None:
    try:
        return float(term.value) if term is not None else None
    except ValueError:
        return None


def published_about(query, subjects: list[str], also_label: set[str]) -> Published:
    """Every published quad of `subjects` (IRIs), and labels of what will be shown."""
    out = Published()
    if subjects:
        values = " ".join(f"<{s}>" for s in subjects)
        # The lookup by VALUES first, in a group of its own, then the figures as a left join:
        # with the OPTIONAL inside the GRAPH pattern (or as an inner join), pyoxigraph 0.5
        # plans the figures first and takes minutes at 1 M quads instead of 60 ms.
        rows = query.select(sparql_prologue("ppkg") + f"""
SELECT ?s ?p ?o ?g ?q ?n ?w WHERE {{
  {{ VALUES ?s {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}
  OPTIONAL {{ GRAPH ?g {{ ?o a ppkg:Figure ; ppkg:qualifier ?q
             OPTIONAL {{ ?o ppkg:value ?n }} OPTIONAL {{ ?o ppkg:asStated ?w }} }} }}
}}""", limit=LIMIT).rows
        for s, p, o, g, q, n, w in rows:
            out.quads.setdefault(s.value, {}).setdefault(g.value, {}).setdefault(
                p.value, set()).add(o)
            if q is not None:
                out.figures[(g.value, o)] = Figure(q.value, _number(n), w.value if w else None)
            if isinstance(o, ox.NamedNode):
                out.depends_on.add(o.value)
    graphs = {g for by_graph in out.quads.values() for g in by_graph}
    wanted = set(also_label) | graphs | out.depends_on | set(out.quads)
    if wanted:
        values = " ".join(f"<{iri}>" for iri in sorted(wanted))
        rows = query.select(sparql_prologue("rdfs") + f"""
SELECT ?x (MIN(STR(?l)) AS ?label) WHERE {{ VALUES ?x {{ {values} }} ?x rdfs:label ?l }}
GROUP BY ?x""", limit=LIMIT).rows
        out.labels.update({x.value: label.value for x, label in rows if label is not None})
    out.depends_on.update(subjects)
    return out


# --- the submission's side -----------------------------------------------------------------------

class Submitted:
    """The submission's triples indexed for the diff and the conflicts."""

    def __init__(self, quads: list):
        self.by_subject: dict = {}  # subject term → {predicate → [objects]}
        self.parent: dict = {}  # blank node → (subject, predicate) pointing to it
        for q in quads:
            by_p = self.by_subject.setdefault(q.subject, {})
            by_p.setdefault(q.predicate.value, []).append(q.object)
            if isinstance(q.object, ox.BlankNode) and q.object not in self.parent:
                self.parent[q.object] = (q.subject, q.predicate.value)

    def label(self, term) -> str | None:
        labels = self.by_subject.get(term, {}).get(_LABEL, [])
        return min((lit.value for lit in labels if isinstance(lit, ox.Literal)), default=None)

    def roots(self) -> list:
        return [s for s in self.by_subject if isinstance(s, ox.NamedNode) or s not in self.parent]

    def figure(self, term) -> Figure | None:
        triples = self.by_subject.get(term, {})
        if _FIGURE not in {t.value for t in triples.get(_TYPE, [])}:
            return None
        first = lambda p: (triples.get(p) or [None])[0]  # noqa: E731
        qualifier, words = first(_QUALIFIER), first(_AS_STATED)
        return Figure(qualifier.value if qualifier else None, _number(first(_VALUE)),
                      words.value if words else None)

    def iris_to_label(self) -> set[str]:
        found = set()
        for by_p in self.by_subject.values():
            for p, objects in by_p.items():
                found.add(p)
                found.update(o.value for o in objects if isinstance(o, ox.NamedNode))
        return found - {s.value for s in self.by_subject if isinstance(s, ox.NamedNode)}


# --- the diff -----------------------------------------------------------------------------------

class _Names:
    def __init__(self, submitted: Submitted, published: Published):
        self.submitted, self.published = submitted, published
        self.ontology_labels = _ontology_facts()[2]

    def of(self, term) -> str | None:
        """The published name first (what readers know it as), else the submission's."""
        if isinstance(term, ox.Literal):
            return None
        return (self.published.labels.get(term.value) or self.submitted.label(term)
                or self.ontology_labels.get(term.value))

    def row(self, predicate: str, obj, via: list[str]) -> dict:
        return {"via": via, "predicate": predicate,
                "predicateLabel": self.of(ox.NamedNode(predicate)),
                "object": term_json(obj), "objectLabel": self.of(obj)}

    def source(self, graph: str, subject: str) -> dict:
        cited = self.published.quads.get(subject, {}).get(graph, {}).get(_SOURCE, set())
        return {"graph": graph, "label": self.published.labels.get(graph),
                "cites": [{"iri": c.value, "label": self.of(c)} for c in sorted(cited, key=str)
                          if isinstance(c, ox.NamedNode)]}


def _statements(submitted: Submitted, names: _Names, root,
                published_pairs: set) -> tuple[list, int]:
    """The rows a resource adds (its own, then its blank nodes'), and how many are published."""
    rows, restated = [], 0
    stack = [(root, [])]
    seen = set()
    while stack:
        subject, via = stack.pop()
        if subject in seen:
            continue
        seen.add(subject)
        for predicate, objects in submitted.by_subject.get(subject, {}).items():
            for obj in objects:
                if not via and (predicate, obj) in published_pairs:
                    restated += 1
                    continue
                rows.append(names.row(predicate, obj, via))
                if isinstance(obj, ox.BlankNode):
                    stack.append((obj, via + [predicate]))
    return rows, restated


def diff(submitted: Submitted, published: Published) -> dict:
    names = _Names(submitted, published)
    new, existing = [], []
    counts = {"resources": 0, "newResources": 0, "existingResources": 0, "newStatements": 0,
              "alreadyPublished": 0}
    for root in submitted.roots():
        graphs = published.quads.get(root.value, {}) if isinstance(root, ox.NamedNode) else {}
        pairs = {(p, o) for by_p in graphs.values() for p, objects in by_p.items() for o in objects}
        rows, restated = _statements(submitted, names, root, pairs)
        counts["resources"] += 1
        counts["newStatements"] += len(rows)
        counts["alreadyPublished"] += restated
        entry = {"resource": term_id(root), "label": names.of(root), "statements": rows}
        if not graphs:
            counts["newResources"] += 1
            new.append(entry)
        else:
            counts["existingResources"] += 1
            if rows:
                entry["alreadyPublished"] = restated
                entry["publishedIn"] = [{"graph": g, "label": published.labels.get(g)}
                                        for g in sorted(graphs)]
                existing.append(entry)
    order = lambda e: ((e["label"] or "").casefold(), e["resource"])  # noqa: E731
    return {"counts": counts, "newResources": sorted(new, key=order),
            "existingResources": sorted(existing, key=order)}


# --- the conflicts ------------------------------------------------------------------------------

def _text(term, names: _Names, figure: Figure | None = None) -> str:
    if figure is not None and figure.words:
        return figure.words
    if isinstance(term, ox.Literal):
        return term.value
    return names.of(term) or term_id(term)


def conflicts(submitted: Submitted, published: Published) -> list[dict]:
    functional, agents, _labels = _ontology_facts()
    names = _Names(submitted, published)
    found = []

    def conflict(subject, predicate, mine, theirs, graph, mine_figure=None, their_figure=None,
                 property_label=None):
        cited = submitted.by_subject.get(subject, {}).get(_SOURCE, [])
        found.append({
            "resource": subject.value, "resourceLabel": names.of(subject),
            "property": predicate,
            "propertyLabel": property_label or names.of(ox.NamedNode(predicate)),
            "submitted": {"value": term_json(mine), "text": _text(mine, names, mine_figure),
                          "sources": [{"iri": c.value, "label": names.of(c)} for c in cited
                                      if isinstance(c, ox.NamedNode)]},
            "published": {"value": term_json(theirs), "text": _text(theirs, names, their_figure),
                          "source": names.source(graph, subject.value)},
        })

    for subject in submitted.roots():
        if not isinstance(subject, ox.NamedNode):
            continue
        mine_by_p = submitted.by_subject[subject]
        graphs = published.quads.get(subject.value, {})
        for graph, theirs_by_p in sorted(graphs.items()):
            for predicate in sorted(mine_by_p.keys() & theirs_by_p.keys() & functional):
                mine_values, their_values = mine_by_p[predicate], theirs_by_p[predicate]
                for mine in mine_values:
                    mine_figure = submitted.figure(mine)
                    for theirs in sorted(their_values, key=str):
                        their_figure = published.figures.get((graph, theirs))
                        if mine_figure is not None or their_figure is not None:
                            if (mine_figure and their_figure
                                    and mine_figure.contradicts(their_figure)):
                                conflict(subject, predicate, mine, theirs, graph, mine_figure,
                                         their_figure)
                        elif mine not in their_values and theirs not in mine_values:
                            conflict(subject, predicate, mine, theirs, graph)
            _name_conflicts(subject, submitted, graph, theirs_by_p, agents, conflict)
    return sorted(found, key=lambda c: ((c["resourceLabel"] or "").casefold(), c["resource"],
                                        c["propertyLabel"] or "",
                                        c["published"]["source"]["graph"]))


def _name_conflicts(subject, submitted: Submitted, graph: str, theirs_by_p: dict, agents,
                    conflict) -> None:
    """A person or organization named differently (a name neither side also gives)."""
    mine_by_p = submitted.by_subject[subject]
    types = ({t.value for t in mine_by_p.get(_TYPE, [])}
             | {t.value for t in theirs_by_p.get(_TYPE, [])})
    if not types & agents:
        return
    my_names = {o.value for p in (_LABEL, _ALT) for o in mine_by_p.get(p, [])}
    their_names = {o.value for p in (_LABEL, _ALT) for o in theirs_by_p.get(p, [])}
    for mine in mine_by_p.get(_LABEL, []):
        for theirs in sorted(theirs_by_p.get(_LABEL, set()), key=str):
            if mine.value not in their_names and theirs.value not in my_names:
                conflict(subject, _LABEL, mine, theirs, graph, property_label="name")
