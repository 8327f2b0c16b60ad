"""The shipped graph states what the two seed articles say, each fact in its source's graph.

These run SPARQL on the real embedded store loaded from the shipped files.
"""

import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from ppkg.store.embedded.dataset import load_dataset

SEEDS = Path(__file__).parent / "seeds"
A = "https://w3id.org/ppkg/id/source/d406463585ba4a26"  # "The March Pardon and #FreeThemAll"
B = "https://w3id.org/ppkg/id/source/b5ef6d9da071791b"  # the untitled article
PREFIXES = """
PREFIX ppkg: <https://w3id.org/ppkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""


@pytest.fixture(scope="module")
def store() -> ox.Store:
    return load_dataset().store


def rows(store, query):
    # `id:kind/slug` is shorthand for a resource IRI: SPARQL prefixed names cannot hold a "/".
    query = re.sub(r"\bid:([a-z-]+/[a-z0-9-]+)", r"<https://w3id.org/ppkg/id/\1>", query)
    solutions = store.query(PREFIXES + query)  # the store's default graph is the union
    names = [v.value for v in solutions.variables]
    return [{n: (s[n].value if s[n] is not None else None) for n in names} for s in solutions]


def test_one_named_graph_per_source_and_the_ontology(store):
    graphs = {g.value for g in store.named_graphs()}
    assert {A, B, "https://w3id.org/ppkg/ontology"} <= graphs
    for source in (A, B):
        found = rows(store, f"SELECT ?t WHERE {{ GRAPH <{source}> {{ <{source}> a ?t }} }}")
        assert {"https://w3id.org/ppkg/ontology#NewsArticle"} == {r["t"] for r in found}


@pytest.mark.parametrize(
    "prop, source, value, qualifier",
    [
        ("peopleReleased", A, 399, "Exactly"),
        ("peopleReleased", B, 400, "MoreThan"),
        ("politicalPrisonersReleased", A, 52, "Exactly"),
        ("politicalPrisonersReleased", B, 51, "Exactly"),
        ("politicalPrisonersBefore", A, 128, "Exactly"),
        ("politicalPrisonersRemaining", A, 70, "MoreThan"),
    ],
)
def test_decree_figures_per_source(store, prop, source, value, qualifier):
    found = rows(store, f"""
        SELECT ?value ?qualifier WHERE {{ GRAPH <{source}> {{
            id:document/novruz-2019-pardon-decree ppkg:{prop} ?f .
            ?f ppkg:qualifier ?qualifier . OPTIONAL {{ ?f ppkg:value ?value }} }} }}""")
    assert found == [{"value": str(value),
                      "qualifier": f"https://w3id.org/ppkg/ontology#{qualifier}"}]


def test_remaining_political_prisoners_per_source_b_is_dozens(store):
    found = rows(store, f"""
        SELECT ?q ?v WHERE {{ GRAPH <{B}> {{ id:document/novruz-2019-pardon-decree
            ppkg:politicalPrisonersRemaining ?f . ?f ppkg:qualifier ?q OPTIONAL {{ ?f ppkg:value ?v }} }} }}""")
    assert found == [{"q": "https://w3id.org/ppkg/ontology#Dozens", "v": None}]


def test_bayramli_party_role_and_charge(store):
    found = rows(store, """
        SELECT ?party ?role ?charge ?length WHERE {
            ?m ppkg:member id:person/gozal-bayramli ; ppkg:organization ?o ; ppkg:role ?r .
            ?o a ppkg:PoliticalParty ; rdfs:label ?party . ?r rdfs:label ?role .
            ?s a ppkg:Sentencing ; ppkg:concerns id:person/gozal-bayramli ;
               ppkg:charge/rdfs:label ?charge ; ppkg:sentenceLength ?length .
        }""")
    assert {(r["role"], r["charge"], r["length"]) for r in found} == {
        ("deputy chairperson", "smuggling", "P3Y")}
    assert {r["party"] for r in found} == {"Popular Front of Azerbaijan Party", "Popular Front Party"}


def test_rustamzade_time_served_differs_by_source(store):
    found = rows(store, """
        SELECT ?g ?served WHERE { GRAPH ?g {
            id:event/imprisonment-ilkin-rustamzade ppkg:timeServed ?served } }""")
    assert {(r["g"], r["served"]) for r in found} == {(A, "P6Y"), (B, "P4Y")}


@pytest.mark.parametrize(
    "source, people",
    [
        (A, {"giyas-ibrahimov", "bayram-mammadov", "ilkin-rustamzade"}),
        (B, {"ali-insanov", "gozal-bayramli", "fuad-gahramanli", "fikret-faramazoglu",
             "ilkin-rustamzade"}),
    ],
)
def test_people_released_under_the_decree_per_source(store, source, people):
    found = rows(store, f"""
        SELECT ?p WHERE {{ GRAPH <{source}> {{ ?r a ppkg:Release ; ppkg:concerns ?p ;
            ppkg:underDecree id:document/novruz-2019-pardon-decree }} }}""")
    assert {r["p"].rsplit("/", 1)[1] for r in found} == people


def test_release_date_only_where_the_source_gives_it(store):
    found = rows(store, """
        SELECT ?g ?date ?unknown WHERE { GRAPH ?g { id:event/novruz-2019-mass-release a ppkg:Release .
            OPTIONAL { id:event/novruz-2019-mass-release ppkg:date ?date }
            OPTIONAL { id:event/novruz-2019-mass-release ppkg:dateUnknown ?unknown } } }""")
    assert {(r["g"], r["date"], r["unknown"]) for r in found} == {
        (A, "2019-03-16", None), (B, None, "true")}


def test_every_event_has_a_date_or_says_it_is_unknown_in_each_source(store):
    # rdfs:subClassOf lives in the ontology graph, so the types are looked up across graphs.
    missing = rows(store, """
        SELECT ?g ?e WHERE { ?t rdfs:subClassOf* ppkg:Event .
            GRAPH ?g { ?e a ?t FILTER NOT EXISTS { ?e ppkg:date ?d }
                               FILTER NOT EXISTS { ?e ppkg:dateUnknown true } } }""")
    assert missing == []


VERBATIM = ["text", "asStated", "context", "dateDescription", "durationDescription", "openingWords",
            "title", "knownFor", "summary", "demand", "occasionDescription", "speakerDescription",
            "agentDescription", "estimatedBy", "hashtag"]


def test_words_attributed_to_a_source_stand_in_that_source_verbatim(store):
    seeds = {p.stem.split("_", 1)[1]: p.read_text(encoding="utf-8") for p in SEEDS.glob("*.txt")}
    values = " ".join(f"ppkg:{v}" for v in VERBATIM)
    found = rows(store, f"SELECT ?g ?s ?t WHERE {{ VALUES ?p {{ {values} }} GRAPH ?g {{ ?s ?p ?t }} }}")
    assert len(found) > 80
    not_verbatim = [(r["s"], r["t"]) for r in found if r["t"] not in seeds[r["g"].rsplit("/", 1)[1]]]
    assert not_verbatim == []


def test_every_statement_names_its_own_graph_as_source(store):
    found = rows(store, """
        SELECT ?g ?s ?src WHERE { GRAPH ?g { ?s a ?c ; ppkg:source ?src
            VALUES ?c { ppkg:Statement ppkg:ReportedSpeech } } }""")
    assert len(found) == 30
    assert [r for r in found if r["g"] != r["src"]] == []


@pytest.mark.parametrize(
    "speaker, fragment, source",
    [
        ("gozal-bayramli", "I did not ask for [pardon], nor was I expecting it", A),
        ("gozal-bayramli", "The motives behind my arrests were purely political", B),
        ("giyas-ibrahimov", "It was support from society that helped us persevere.", A),
        ("ilkin-rustamzade", "But our struggle continues.", B),
        ("ali-insanov", "Because Azerbaijan is a big prison", B),
        ("maja-kocijancic", "a welcome step", B),
        ("intigam-aliyev", "cannot be tackled by pardon decrees", A),
        ("elchin-sadigov", "It also gives them major moral support", A),
        ("rasul-jafarov", "without fear", A),
    ],
)
def test_quotes_with_speaker_and_source(store, speaker, fragment, source):
    found = rows(store, f"""
        SELECT ?text WHERE {{ GRAPH <{source}> {{ ?s a ppkg:Statement ;
            ppkg:speaker id:person/{speaker} ; ppkg:text ?text }} }}""")
    assert any(fragment in r["text"] for r in found)


def test_heydar_aliyev_is_spelled_as_each_source_spells_him(store):
    found = rows(store, "SELECT ?g ?l WHERE { GRAPH ?g { id:person/heydar-aliyev rdfs:label ?l } }")
    assert {(r["g"], r["l"]) for r in found} == {(A, "Heydar Aliyev"), (B, "Haydar Aliyev")}


def test_no_fact_outside_a_source_graph_except_the_ontology(store):
    graphs = {g.value for g in store.named_graphs()}
    assert graphs == {A, B, "https://w3id.org/ppkg/ontology"}
    # The default graph is the union of the named graphs, and holds nothing else.
    assert rows(store, "SELECT ?s WHERE { ?s ?p ?o FILTER NOT EXISTS { GRAPH ?g { ?s ?p ?o } } }") == []
    assert len(list(store.quads_for_pattern(None, None, None, ox.DefaultGraph()))) > 0


def test_the_union_default_graph_counts_a_fact_stated_by_both_sources_once(store):
    """Both sources state that Gozal Bayramli is a person: the union holds that triple once."""
    found = rows(store, """SELECT (COUNT(*) AS ?n) WHERE {
        <https://w3id.org/ppkg/id/person/gozal-bayramli> a ppkg:Person }""")
    assert found == [{"n": "1"}]
    people = rows(store, "SELECT (COUNT(*) AS ?n) WHERE { ?p a ppkg:Person }")
    distinct = rows(store, "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a ppkg:Person }")
    assert people == distinct == [{"n": "16"}]
