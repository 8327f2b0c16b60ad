"""Every catalog answer credits each fact to the source that states it (issue 12).

A researcher cites a row's `source` column. So, for every catalog query, every IRI and every
literal other than a label in a row must occur in the named graph of that row's source, as the
graph files state it. The rows come from a real `ppkg serve` of the shipped graph (conftest's
`shipped_server`, on both stores) through `GET /queries/NAME.json`; the graphs are parsed from
`graph/*.trig` with rdflib, directly, so the check does not go through the code it checks.

What counts as a label, and so is left unchecked:
- a column named `*Label` (the catalog's naming rule: `?xLabel` is the readable name of `?x`);
- in any other column, a value that is an rdfs:label or skos:prefLabel the ontology files give
  a term that occurs in the source's graph (the kind of an event, a charge's offence, a figure's
  qualifier): the name of something the source states, not a fact of its own.

Everything else must be the source's: an IRI must occur in the graph (as subject, predicate or
object); a literal must be the lexical form of a literal the graph states. A GROUP_CONCAT column
(its separator read from the query text) is checked part by part. A query with columns
`source1`, `source2`, ... checks a column ending in a digit against that source, and any other
column against every one of them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import rdflib
import requests
from rdflib import RDFS, SKOS, Literal, URIRef

ROOT = Path(__file__).resolve().parent.parent
GRAPHS = ROOT / "graph"
ONTOLOGY = ROOT / "ontology"

_GROUP_CONCAT = re.compile(r'GROUP_CONCAT\s*\(\s*(?:DISTINCT\s+)?\?\w+\s*;\s*separator\s*=\s*"([^"]*)"\s*\)'
                           r"\s*AS\s+\?(\w+)", re.IGNORECASE)
_NUMBERED_SOURCE = re.compile(r"^source(\d+)$")


class SourceGraph:
    """What one source's named graph states: the IRIs it mentions and its literals' lexical forms."""

    def __init__(self, graph: rdflib.Graph):
        self.iris: set[str] = set()
        self.literals: set[str] = set()
        for s, p, o in graph:
            for term in (s, p, o):
                if isinstance(term, URIRef):
                    self.iris.add(str(term))
            if isinstance(o, Literal):
                self.literals.add(str(o))


@pytest.fixture(scope="module")
def sources() -> dict[str, SourceGraph]:
    dataset = rdflib.Dataset()
    for path in sorted(GRAPHS.glob("*.trig")):
        dataset.parse(path, format="trig")
    found = {str(g.identifier): SourceGraph(g) for g in dataset.graphs()
             if isinstance(g.identifier, URIRef) and len(g)}
    assert len(found) >= 2
    return found


@pytest.fixture(scope="module")
def vocabulary_labels() -> dict[str, set[str]]:
    """label text → the ontology terms (classes, properties, concepts) that have it."""
    ontology = rdflib.Graph()
    for path in sorted(ONTOLOGY.glob("*.ttl")):
        ontology.parse(path, format="turtle")
    labels: dict[str, set[str]] = {}
    for prop in (RDFS.label, SKOS.prefLabel):
        for term, label in ontology.subject_objects(prop):
            labels.setdefault(str(label), set()).add(str(term))
    return labels


@pytest.fixture(scope="module")
def catalog(shipped_server) -> list[dict]:
    response = requests.get(shipped_server.url + "/queries.json", timeout=30)
    assert response.status_code == 200
    return response.json()["queries"]


def get_rows(server, name: str) -> tuple[list[str], list[dict]]:
    response = requests.get(f"{server.url}/queries/{name}.json", timeout=60)
    assert response.status_code == 200, (name, response.text)
    data = response.json()
    return data["head"]["vars"], data["results"]["bindings"]


def concat_columns(server, name: str) -> dict[str, str]:
    """The GROUP_CONCAT columns of a query and their separators, from its SPARQL text."""
    response = requests.get(f"{server.url}/queries/{name}.rq", timeout=30)
    assert response.status_code == 200
    return {column: separator for separator, column in _GROUP_CONCAT.findall(response.text)}


def source_columns(variables: list[str]) -> dict[str, str]:
    """column → the source column it is checked against ('' for: every source column)."""
    if "source" in variables:
        return {v: "source" for v in variables}
    numbered = {m.group(1): v for v in variables if (m := _NUMBERED_SOURCE.match(v))}
    out = {}
    for v in variables:
        digit = re.search(r"(\d+)$", v)
        out[v] = numbered[digit.group(1)] if digit and digit.group(1) in numbered else ""
    return out


def misattributions(variables, rows, concat, sources, vocabulary_labels) -> list[tuple]:
    """(column, value, source) for every value in `rows` its source's graph does not state."""
    checked = source_columns(variables)
    source_vars = [v for v in variables if v == "source" or _NUMBERED_SOURCE.match(v)]
    wrong = []
    for row in rows:
        for column in variables:
            if column.endswith("Label") or column not in row:
                continue
            term = row[column]
            against = [checked[column]] if checked[column] else source_vars
            for source_var in against:
                source_iri = row[source_var]["value"]
                graph = sources.get(source_iri)
                if graph is None:
                    wrong.append((column, term["value"], source_iri))
                    continue
                if term["type"] == "uri":
                    if term["value"] not in graph.iris:
                        wrong.append((column, term["value"], source_iri))
                    continue
                if term["type"] == "bnode":
                    wrong.append((column, "_:" + term["value"], source_iri))
                    continue
                parts = ([p for p in term["value"].split(concat[column]) if p]
                         if column in concat else [term["value"]])
                for part in parts:
                    stated = part in graph.literals
                    names_what_it_states = bool(vocabulary_labels.get(part, set()) & graph.iris)
                    if not (stated or names_what_it_states):
                        wrong.append((column, part, source_iri))
    return wrong


QUERY_NAMES = sorted(path.stem for path in (ROOT / "queries").glob("*.rq"))


def test_every_catalog_query_says_where_its_facts_come_from(catalog):
    """Each query has a `source` column, or `source1`, `source2`, ... for facts from several."""
    assert sorted(q["name"] for q in catalog) == QUERY_NAMES
    for query in catalog:
        assert any(c == "source" or _NUMBERED_SOURCE.match(c) for c in query["columns"]), \
            query["name"]


@pytest.mark.parametrize("name", QUERY_NAMES)
def test_every_row_states_only_what_its_source_states(shipped_server, name, sources,
                                                       vocabulary_labels):
    variables, rows = get_rows(shipped_server, name)
    assert any(v == "source" or _NUMBERED_SOURCE.match(v) for v in variables), name
    assert rows, name
    concat = concat_columns(shipped_server, name)
    wrong = misattributions(variables, rows, concat, sources, vocabulary_labels)
    assert not wrong, f"{name}: values not in the row's source graph:\n" + "\n".join(
        f"  {column} = {value!r}  (source {source})" for column, value, source in wrong)


def test_the_check_catches_a_fact_from_the_other_source(sources, vocabulary_labels):
    """The rule itself: a row crediting one source with the other's charge, event or figure fails."""
    a, b = "https://w3id.org/ppkg/id/source/d406463585ba4a26", \
        "https://w3id.org/ppkg/id/source/b5ef6d9da071791b"
    charge = {"type": "uri", "value": "https://w3id.org/ppkg/id/offence/inciting-violence"}
    rows = [{"charge": charge, "source": {"type": "uri", "value": a}},
            {"charge": charge, "source": {"type": "uri", "value": b}}]
    assert misattributions(["charge", "source"], rows, {}, sources, vocabulary_labels) == [
        ("charge", charge["value"], a)]
    # a label of the offence, in a column that is not a label: the offence must be the source's
    rows = [{"charges": {"type": "literal", "value": "smuggling, inciting violence"},
             "source": {"type": "uri", "value": b}}]
    assert misattributions(["charges", "source"], rows, {"charges": ", "}, sources,
                           vocabulary_labels) == [("charges", "smuggling", b)]
    # a figure in the other source's words; a label column is not checked
    rows = [{"asStated": {"type": "literal", "value": "399 people were released from prison"},
             "asStatedLabel": {"type": "literal", "value": "anything"},
             "source1": {"type": "uri", "value": b}, "source2": {"type": "uri", "value": a}}]
    assert misattributions(["asStated", "asStatedLabel", "source1", "source2"], rows, {}, sources,
                           vocabulary_labels) == [("asStated", "399 people were released from prison", b)]
