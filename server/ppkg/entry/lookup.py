"""Existing resources, found by exact name or by a few letters of it, for spreadsheets and forms.

A reference cell ("Ilkin Rustamzade" in a release's person column) names a resource already in
the graph: by its IRI, or by its exact name (`rdfs:label`, with or without a language tag) among
the resources of the column's classes and their subclasses. The published graph is asked through
the query service; the ontology's concept schemes (offences, occupations, roles …) are asked in
the ontology itself, since a store serving other files than the shipped ones does not hold them.
The pick-lists of the forms search the same two places by part of a name.
"""

from __future__ import annotations

import functools
import json
from typing import Iterable

from rdflib import URIRef
from rdflib.namespace import RDF, RDFS

from ppkg.archive.shacl import load_ontology

BATCH = 500  # names per query
SEARCH_LIMIT = 30


def subclasses(classes: Iterable[str]) -> list[str]:
    """The classes and all their subclasses in the ontology, sorted (read once per process:
    asking load_ontology() whether its files changed costs a directory walk, per row)."""
    return list(_subclasses(tuple(sorted(classes))))


@functools.lru_cache(maxsize=256)
def _subclasses(classes: tuple[str, ...]) -> tuple[str, ...]:
    ontology = load_ontology()
    found = set(classes)
    todo = list(found)
    while todo:
        for sub in ontology.subjects(RDFS.subClassOf, URIRef(todo.pop())):
            if isinstance(sub, URIRef) and str(sub) not in found:
                found.add(str(sub))
                todo.append(str(sub))
    return tuple(sorted(found))


def _literal(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _types(classes: Iterable[str]) -> str:
    return " ".join(f"<{c}>" for c in subclasses(classes))


def by_name(query, names: Iterable[str], classes: Iterable[str]) -> dict[str, list[str]]:
    """Each name → the IRIs of the resources of `classes` labelled exactly so (sorted)."""
    classes = tuple(classes)
    names = sorted({n for n in names if n})
    found: dict[str, set[str]] = {}
    types = _types(classes)
    for start in range(0, len(names), BATCH):
        batch = names[start:start + BATCH]
        values = " ".join(f"{_literal(n)} {_literal(n)}@en" for n in batch)
        rows = query.select(
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
            f"SELECT DISTINCT ?l ?r WHERE {{ VALUES ?l {{ {values} }} ?r rdfs:label ?l . "
            f"VALUES ?t {{ {types} }} ?r a ?t }}", limit=len(batch) * 20)
        for label, resource in rows.rows:
            found.setdefault(label.value, set()).add(resource.value)
    wanted = set(names)
    type_set = {URIRef(c) for c in subclasses(classes)}
    ontology = load_ontology()
    for resource, label in ontology.subject_objects(RDFS.label):
        if str(label) in wanted and set(ontology.objects(resource, RDF.type)) & type_set:
            found.setdefault(str(label), set()).add(str(resource))
    return {name: sorted(iris) for name, iris in found.items()}


def search(query, classes: Iterable[str], text: str, limit: int = SEARCH_LIMIT) -> list[dict]:
    """Resources of `classes` whose name contains `text` (any case): [{iri, label}], by label."""
    classes = tuple(classes)
    needle = text.strip().lower()
    rows = query.select(
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        f"SELECT DISTINCT ?r ?l WHERE {{ VALUES ?t {{ {_types(classes)} }} ?r a ?t ; rdfs:label ?l"
        f" FILTER(CONTAINS(LCASE(STR(?l)), {_literal(needle)})) }} LIMIT {limit}", limit=limit)
    found = {(r.value, label.value) for r, label in rows.rows}
    type_set = {URIRef(c) for c in subclasses(classes)}
    ontology = load_ontology()
    for resource, label in ontology.subject_objects(RDFS.label):
        if needle in str(label).lower() and set(ontology.objects(resource, RDF.type)) & type_set:
            found.add((str(resource), str(label)))
    ordered = sorted(found, key=lambda pair: (pair[1].lower(), pair[0]))[:limit]
    return [{"iri": iri, "label": label} for iri, label in ordered]
