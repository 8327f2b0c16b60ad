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
            "agentDescription", "concernsDescription", "estimatedBy", "identifiedBy", "hashtag"]


def test_words_attributed_to_a_source_stand_in_that_source_verbatim(store):
    seeds = {p.stem.split("_", 1)[1]: p.read_text(encoding="utf-8") for p in SEEDS.glob("*.txt")}
    values = " ".join(f"ppkg:{v}" for v in VERBATIM)
    found = rows(store, f"SELECT ?g ?s ?t WHERE {{ VALUES ?p {{ {values} }} GRAPH ?g {{ ?s ?p ?t }} }}")
    assert len(found) > 100
    not_verbatim = [(r["s"], r["t"]) for r in found if r["t"] not in seeds[r["g"].rsplit("/", 1)[1]]]
    assert not_verbatim == []


def test_every_statement_names_its_own_graph_as_source(store):
    found = rows(store, """
        SELECT ?g ?s ?src WHERE { GRAPH ?g { ?s a ?c ; ppkg:source ?src
            VALUES ?c { ppkg:Statement ppkg:ReportedSpeech ppkg:Characterisation } } }""")
    assert len(found) == 42  # 18 quotes, 14 reported speech, 10 of the articles' own judgements
    assert [r for r in found if r["g"] != r["src"]] == []


def test_every_quote_is_exactly_what_stands_between_the_quotation_marks(store):
    """A quote keeps the full stop or comma the article keeps inside the marks ("a welcome step.")."""
    seeds = {p.stem.split("_", 1)[1]: p.read_text(encoding="utf-8") for p in SEEDS.glob("*.txt")}
    found = rows(store, "SELECT ?g ?s ?t WHERE { GRAPH ?g { ?s a ppkg:Statement ; ppkg:text ?t } }")
    assert len(found) == 18
    not_between_marks = [(r["s"], r["t"]) for r in found
                         if f'"{r["t"]}"' not in seeds[r["g"].rsplit("/", 1)[1]]]
    assert not_between_marks == []


def test_the_articles_judgements_are_attributed_not_comments(store):
    """The articles' own characterisations are ppkg:Characterisation of their source, about what
    they characterise, and not rdfs:comment facts of it."""
    found = rows(store, """
        SELECT ?g ?about ?t WHERE { GRAPH ?g { ?c a ppkg:Characterisation ; ppkg:text ?t ;
            ppkg:about ?about } }""")
    texts = {(r["g"], r["about"].rsplit("/", 1)[1], r["t"].split(",")[0].split(" ")[0]) for r in found}
    assert (B, "ilham-aliyev", "Buoyed") in texts
    assert (A, "novruz-2019-pardon-decree", "This") in texts  # "This was the first time that amnesty ..."
    assert (A, "opposition-rally-2019-01-19", "That") in texts  # "... may have been the largest ..."
    assert (B, "novruz-2019-mass-release", "Other") in texts  # "... also struck a defiant tone."
    reported = rows(store, """
        SELECT ?who WHERE { GRAPH ?g { ?r a ppkg:ReportedSpeech ; ppkg:speakerDescription ?who ;
            ppkg:about id:document/novruz-2019-pardon-decree ; ppkg:text ?t
            FILTER (CONTAINS(?t, "perceived by many as the start of reforms")) } }""")
    assert reported == [{"who": "many"}]
    comments = rows(store, """
        SELECT ?s ?c WHERE { VALUES ?s { id:person/ilham-aliyev id:document/novruz-2019-pardon-decree
            id:event/novruz-2019-mass-release id:event/opposition-rally-2019-01-19
            id:event/freethemall-campaign } ?s rdfs:comment ?c }""")
    assert comments == []


def test_labels_of_each_source_use_its_own_words(store):
    """No label in a source's graph names a year, a month or a spelling its article does not use."""
    seeds = {p.stem.split("_", 1)[1]: p.read_text(encoding="utf-8") for p in SEEDS.glob("*.txt")}
    labels = rows(store, "SELECT ?g ?l WHERE { GRAPH ?g { ?s rdfs:label ?l } FILTER (?g != <https://w3id.org/ppkg/ontology>) }")
    months = r"January|February|March|April|May|June|July|August|September|October|November|December"
    variants = ["Heydar", "Haydar", "Popular Front of Azerbaijan Party", "Popular Front Party", "PFPA"]
    foreign = []
    for r in labels:
        seed = seeds[r["g"].rsplit("/", 1)[1]]
        words = re.findall(rf"\b(?:[0-9]{{4}}|{months})\b", r["l"]) + [v for v in variants if v in r["l"]]
        foreign += [(r["g"], r["l"], w) for w in words if w not in seed]
    assert foreign == []
    b_labels = {r["l"] for r in labels if r["g"] == B}
    assert "Mass holiday pardon on the eve of Novruz holiday" in b_labels
    assert "Death of Haydar Aliyev in office" in b_labels


def test_hedges_and_attributions_only_where_the_sentence_makes_them(store):
    # "Before the most recent pardon, there were 128 of them." attributes the figure to no one;
    # "dozens more remain imprisoned on what observers view as political motivated charges":
    # the observers' view is of the charges, not of the count.
    estimated = rows(store, """
        SELECT ?g ?kind ?by WHERE { GRAPH ?g { id:document/novruz-2019-pardon-decree ?kind ?f .
            ?f ppkg:estimatedBy ?by } }""")
    assert {(r["g"], r["kind"].rsplit("#", 1)[1], r["by"]) for r in estimated} == {
        (A, "politicalPrisonersRemaining", "local rights activists")}
    identified = rows(store, """
        SELECT ?g ?by WHERE { GRAPH ?g { id:document/novruz-2019-pardon-decree
            ppkg:politicalPrisonersReleased ?f . ?f ppkg:identifiedBy ?by } }""")
    assert identified == [{"g": B, "by": "international rights organizations"}]
    # PACE "was preparing" the report, Intigam Aliyev said: it is issued by no one
    assert rows(store, """SELECT ?x WHERE {
        id:document/pace-report-political-prisoners-azerbaijan ppkg:issuedBy ?x }""") == []
    said = rows(store, f"""SELECT ?speaker WHERE {{ GRAPH <{A}> {{ ?r a ppkg:ReportedSpeech ;
        ppkg:speaker ?speaker ; ppkg:about id:document/pace-report-political-prisoners-azerbaijan,
        id:organization/pace }} }}""")
    assert said == [{"speaker": "https://w3id.org/ppkg/id/person/intigam-aliyev"}]


def test_individual_releases_carry_no_date_the_source_does_not_give_them(store):
    found = rows(store, f"""
        SELECT ?r ?date ?mass WHERE {{ GRAPH <{A}> {{ ?r a ppkg:Release ; ppkg:concerns ?p ;
            ppkg:partOf ?mass OPTIONAL {{ ?r ppkg:date ?date }} }} }}""")
    assert len(found) == 3
    assert {r["date"] for r in found} == {None}
    assert {r["mass"] for r in found} == {"https://w3id.org/ppkg/id/event/novruz-2019-mass-release"}


def test_what_the_issue_found_missing_is_recorded(store):
    # "members of other opposition parties and young activists" were freed too (B)
    assert rows(store, f"""SELECT ?d WHERE {{ GRAPH <{B}> {{
        id:event/novruz-2019-mass-release ppkg:concernsDescription ?d }} }}""") == [
        {"d": "members of other opposition parties and young activists"}]
    # Bayramli counts herself among political prisoners, in her own quoted words (B)
    found = rows(store, f"""SELECT ?status ?words WHERE {{ GRAPH <{B}> {{
        ?e a ppkg:SelfIdentification ; ppkg:concerns id:person/gozal-bayramli ;
           ppkg:agent id:person/gozal-bayramli ; ppkg:recognisedAs ?status ;
           ppkg:expressedIn/ppkg:text ?words }} }}""")
    assert len(found) == 1 and found[0]["status"].endswith("#PoliticalPrisoner")
    assert found[0]["words"].startswith("Like most other political prisoners,")
    # Huseynov (A): the activists' belief, the outcry, the fresh prison term of "the end of 2018"
    assert rows(store, f"""SELECT ?who WHERE {{ GRAPH <{A}> {{ ?r a ppkg:ReportedSpeech ;
        ppkg:about id:person/mehman-huseynov ; ppkg:speakerDescription ?who ; ppkg:text ?t
        FILTER (CONTAINS(?t, "served as an impetus")) }} }}""") == [
        {"who": "Local rights activists and civil society representatives"}]
    assert rows(store, f"""SELECT ?c WHERE {{ GRAPH <{A}> {{ ?c a ppkg:Characterisation ;
        ppkg:about id:person/mehman-huseynov ; ppkg:text ?t
        FILTER (CONTAINS(?t, "sparked major public outcry")) }} }}""") != []
    assert rows(store, f"""SELECT ?date ?words WHERE {{ GRAPH <{A}> {{ ?e a ppkg:Prosecution ;
        ppkg:concerns id:person/mehman-huseynov ; ppkg:date ?date ; ppkg:dateDescription ?words }} }}""") == [
        {"date": "2018", "words": "Back at the end of 2018 – two months before the end of a jail term "
                                  "that he got on libel charges"}]
    # "In the meantime, campaigns continue in the country that demand the release of political prisoners."
    assert rows(store, f"""SELECT ?demand WHERE {{ GRAPH <{A}> {{ ?c a ppkg:Campaign ;
        ppkg:ongoing true ; ppkg:demand ?demand }} }}""") == [
        {"demand": "the release of political prisoners"}]


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
