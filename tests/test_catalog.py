"""The query catalog: loading and checking queries/*.rq, typed parameter binding (and that it
cannot be used for injection), and every catalog query's answers on the shipped graph, asserted
against what the two seed articles say.

Expectations come from the seed facts, not from re-running the queries. Queries run on the real
embedded store loaded from the shipped files, bound by the same code the HTTP API and the CLI use.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from ppkg.catalog.columns import columns, humanise
from ppkg.catalog.queries import (CatalogError, ParameterError, UnknownQuery, load_catalog, parse_query, undef_blocks)
from ppkg.files import shipped
from ppkg.store.embedded.dataset import load_dataset

SEEDS = Path(__file__).parent / "seeds"
ID = "https://w3id.org/ppkg/id/"
PPKG = "https://w3id.org/ppkg/ontology#"
A = ID + "source/d406463585ba4a26"  # "The March Pardon and #FreeThemAll"
B = ID + "source/b5ef6d9da071791b"  # the untitled article
DECREE = ID + "document/novruz-2019-pardon-decree"

INJECTIONS = [
    '"> } DROP ALL #',
    'x" } UNION { ?s ?p ?o } #',
    "> } UNION { ?s ?p ?o } #",
    "https://w3id.org/ppkg/id/document/x> } UNION { ?s ?p ?o } #",
    "https://w3id.org/ppkg/id/document/novruz 2019",
    'https://w3id.org/ppkg/id/document/"novruz"',
    "https://w3id.org/ppkg/id/document/novruz-2019-pardon-decree>",
    "<https://w3id.org/ppkg/id/document/novruz-2019-pardon-decree>",
    "https://w3id.org/ppkg/id/x}",
    "javascript:alert(1)",
    "urn:x:y",
    "https://",
    "?decree",
    "UNDEF",
]


def p(kind_slug: str) -> str:
    return ID + kind_slug


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.fixture(scope="module")
def store() -> ox.Store:
    return load_dataset().store


def run(catalog, store, name, **params) -> list[dict]:
    """Rows of a catalog query as {variable: value string}, unbound variables left out."""
    text = catalog.get(name).bind(params)
    result = store.query(text)
    names = [v.value for v in result.variables]
    return [{n: s[n].value for n in names if s[n] is not None} for s in result]


def people_by_source(rows, key="person") -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for r in rows:
        out.setdefault(r["source"], set()).add(r[key])
    return out


# --- the catalog files ----------------------------------------------------------------------

REQUIRED = {"released-by-decree": ["decree"], "still-imprisoned": ["date"], "status-not-reported": [],
            "source-disagreements": [], "statements": ["speaker"], "timeline": ["person"],
            "party-members": ["organization"], "charges": []}


def test_every_rq_file_is_in_the_catalog(catalog):
    files = {f.stem for f in shipped("queries").glob("*.rq")}
    assert set(catalog.queries) == files
    assert len(catalog) == 12


@pytest.mark.parametrize("name, params", REQUIRED.items())
def test_the_issue_names_and_parameters(catalog, name, params):
    query = catalog.get(name)
    assert query.title and query.description
    for param in params:
        assert param in query.params


def test_every_parameter_has_one_values_block_and_typed_example(catalog):
    for query in catalog:
        blocks = undef_blocks(query.text)
        assert sorted(b.name for b in blocks) == sorted(query.params), query.name
        for param in query.params.values():
            assert param.type in ("iri", "date", "string", "integer")
            assert param.description and param.example is not None
            param.term(param.example)  # the example fits the type


def test_every_row_carries_labels_next_to_iris(catalog, store):
    """Each IRI column ?x that is bound comes with its ?xLabel (the catalog's naming rule)."""
    for query in catalog:
        result = store.query(query.text)
        names = [v.value for v in result.variables]
        rows = list(result)
        assert rows, query.name
        for row in rows:
            for name in names:
                term = row[name]
                if isinstance(term, ox.NamedNode) and name + "Label" in names:
                    assert row[name + "Label"] is not None, (query.name, name, term)


def test_unknown_query(catalog):
    with pytest.raises(UnknownQuery) as err:
        catalog.get("no-such-question")
    assert err.value.status == 404
    assert "no-such-question" in err.value.message


# --- binding ---------------------------------------------------------------------------------

def test_binding_replaces_exactly_the_values_block(catalog):
    query = catalog.get("released-by-decree")
    bound = query.bind({"decree": DECREE})
    assert f"VALUES ?decree {{ <{DECREE}> }}" in bound
    assert "UNDEF" not in bound
    assert bound.replace(f"VALUES ?decree {{ <{DECREE}> }}", "VALUES ?decree { UNDEF }") == query.text
    assert query.bind({}) == query.text
    assert query.bind({"decree": ""}) == query.text  # an empty value leaves the parameter out


def test_date_binding_is_a_typed_literal(catalog):
    bound = catalog.get("still-imprisoned").bind({"date": "2019-01-01"})
    assert 'VALUES ?date { "2019-01-01"^^<http://www.w3.org/2001/XMLSchema#date> }' in bound


@pytest.mark.parametrize("value", INJECTIONS)
def test_iri_parameters_refuse_anything_but_an_iri(catalog, value):
    for name in ("released-by-decree", "statements", "timeline", "party-members", "charges"):
        query = catalog.get(name)
        (param,) = query.params
        with pytest.raises(ParameterError) as err:
            query.bind({param: value})
        assert err.value.parameter == param and repr(param) in err.value.message
        assert err.value.status == 400


@pytest.mark.parametrize("value", ["2019-02-30", "2019-1-1", "01/01/2019", "2019-01-01T00:00:00",
                                   '2019-01-01" } UNION { ?s ?p ?o } #', "yesterday", "20190101"])
def test_date_parameter_refuses_what_is_not_a_date(catalog, value):
    with pytest.raises(ParameterError) as err:
        catalog.get("still-imprisoned").bind({"date": value})
    assert err.value.parameter == "date" and "'date'" in err.value.message


def test_unknown_and_missing_parameters_are_named(catalog):
    with pytest.raises(ParameterError) as err:
        catalog.get("timeline").bind({"persn": p("person/mehman-huseynov")})
    assert err.value.parameter == "persn" and "'persn'" in err.value.message
    with pytest.raises(ParameterError) as err:
        catalog.get("people").bind({"person": p("person/mehman-huseynov")})
    assert err.value.parameter == "person"


STRING_QUERY = """#+ title: Quotes by their text
#+ description: Statements whose text is exactly the one given.
#+ params:
#+   text:
#+     type: string
#+     description: The exact words.
#+     example: I did not expect this,
#+   limit:
#+     type: integer
#+     description: Most rows.
#+     example: 5
#+   since:
#+     type: date
#+     description: Not used by the pattern; any date.
#+     example: "2019-01-01"
#+     default: "2000-01-01"

PREFIX ppkg: <https://w3id.org/ppkg/ontology#>
SELECT ?statement ?text ?limit WHERE {
  VALUES ?text { UNDEF }   # a comment: VALUES ?nothing { UNDEF } here is not a block
  VALUES ?limit { UNDEF }
  VALUES ?since { UNDEF }
  ?statement ppkg:text ?text .
  FILTER (!BOUND(?limit) || ?limit > 0)
  BIND ("VALUES ?text { UNDEF }" AS ?inAString)
}
"""


@pytest.fixture(scope="module")
def string_query():
    return parse_query(STRING_QUERY, "quotes-by-text")


def test_comments_and_strings_hold_no_blocks(string_query):
    assert [b.name for b in string_query.blocks] == ["text", "limit", "since"]


def test_string_parameter_is_an_escaped_literal(string_query, store):
    def texts(value):
        bound = string_query.bind({"text": value})
        rows = list(store.query(bound))
        return bound, [r["text"].value for r in rows]

    bound, found = texts("I did not expect this,")
    assert found == ["I did not expect this,"]
    everything = len(list(store.query(string_query.text)))
    assert everything > 1
    for value in INJECTIONS + ['\\" } } SELECT * WHERE { ?s ?p ?o } #', "line\nbreak\"\"\"",
                               "back\\slash", "'single' } #", "nul\x00"]:
        bound, found = texts(value)
        assert found == [], value  # bound as a literal, it matches no statement
        expected = string_query.bind({}).replace("VALUES ?text { UNDEF }",
                                                 f"VALUES ?text {{ {ox.Literal(value)} }}", 1)
        assert bound == expected
        parsed = store.query(bound)
        assert [v.value for v in parsed.variables] == ["statement", "text", "limit"]


def test_integer_parameter(string_query, store):
    bound = string_query.bind({"limit": "3"})
    assert 'VALUES ?limit { "3"^^<http://www.w3.org/2001/XMLSchema#integer> }' in bound
    assert string_query.bind({"limit": 3}) == bound
    assert "VALUES ?limit { UNDEF }" in string_query.bind({"limit": ""})
    for value in ["3.5", "three", "3 } UNION {", " ", True]:
        with pytest.raises(ParameterError) as err:
            string_query.bind({"limit": value})
        assert err.value.parameter == "limit"


def test_default_applies_when_left_out(string_query):
    assert 'VALUES ?since { "2000-01-01"^^' in string_query.bind({})
    assert 'VALUES ?since { "2019-03-16"^^' in string_query.bind({"since": "2019-03-16"})


# --- broken catalog files are startup errors naming the file ---------------------------------

GOOD = """#+ title: T
#+ description: D
#+ params:
#+   who:
#+     type: iri
#+     description: Someone.
#+     example: https://w3id.org/ppkg/id/person/x
SELECT ?who WHERE { VALUES ?who { UNDEF } ?who ?p ?o }
"""


@pytest.mark.parametrize("text, message", [
    ("SELECT * WHERE { ?s ?p ?o }\n", "no '#+' metadata header"),
    ("#+ title: [unclosed\nSELECT * WHERE { ?s ?p ?o }\n", "not valid YAML"),
    ("#+ description: no title\nSELECT * WHERE { ?s ?p ?o }\n", "title"),
    ("#+ title: T\n#+ summary: grlc's\nSELECT * WHERE { ?s ?p ?o }\n", "unknown header key 'summary'"),
    ("#+ title: T\nSELECT * WHERE { ?s ?p ?o }\n", "needs a description"),
    (GOOD.replace("VALUES ?who { UNDEF }", ""), "'who' must appear exactly once"),
    (GOOD.replace("VALUES ?who { UNDEF }", "VALUES ?who { UNDEF } VALUES ?who { UNDEF }"),
     "found 2"),
    (GOOD.replace("VALUES ?who { UNDEF }", "# VALUES ?who { UNDEF }\n"), "found 0"),
    (GOOD.replace("?who ?p ?o", "?who ?p ?o VALUES ?other { UNDEF }"),
     "'VALUES ?other { UNDEF }' is not declared"),
    (GOOD.replace("type: iri", "type: uri"), "type must be one of"),
    (GOOD.replace("example: https://w3id.org/ppkg/id/person/x", "example: not an IRI"),
     "example: Parameter 'who' must be an absolute http(s) IRI"),
    (GOOD.replace("#+     example: https://w3id.org/ppkg/id/person/x\n", ""), "needs an example"),
    (GOOD.replace("?who ?p ?o }", "?who ?p ?o"), "SPARQL syntax error"),
    (GOOD.replace("SELECT ?who WHERE", "CONSTRUCT { ?who ?p ?o } WHERE"), "must be a SELECT"),
    (GOOD + "#+ late: header\n", "must all come at the top"),
    (GOOD.replace("who:", "who-is:"), "not a SPARQL variable name"),
])
def test_broken_files_are_refused_naming_the_file(tmp_path, text, message):
    (tmp_path / "fine.rq").write_text(GOOD, encoding="utf-8")
    (tmp_path / "broken-one.rq").write_text(text, encoding="utf-8")
    with pytest.raises(CatalogError) as err:
        load_catalog(tmp_path)
    assert str(err.value).startswith(str(tmp_path / "broken-one.rq") + ":")
    assert message in str(err.value)


def test_a_good_folder_loads(tmp_path):
    (tmp_path / "fine.rq").write_text(GOOD, encoding="utf-8")
    loaded = load_catalog(tmp_path)
    assert list(loaded.queries) == ["fine"] and loaded.get("fine").columns == ("who",)


def test_file_names_must_be_plain(tmp_path):
    (tmp_path / "Bad Name.rq").write_text(GOOD, encoding="utf-8")
    with pytest.raises(CatalogError, match="Bad Name.rq"):
        load_catalog(tmp_path)


def test_columns_merge_labels():
    shown = columns(["person", "personLabel", "roleLabel", "source1", "source1Label", "date"])
    assert [(c.header, c.value, c.label) for c in shown] == [
        ("Person", "person", "personLabel"), ("Role", "roleLabel", None),
        ("Source 1", "source1", "source1Label"), ("Date", "date", None)]
    assert humanise("ledByDescription") == "Led by description"


# --- each query's answers on the shipped graph -------------------------------------------------

RELEASED_A = {p("person/giyas-ibrahimov"), p("person/bayram-mammadov"), p("person/ilkin-rustamzade")}
RELEASED_B = {p("person/ali-insanov"), p("person/gozal-bayramli"), p("person/fuad-gahramanli"),
              p("person/fikret-faramazoglu"), p("person/ilkin-rustamzade")}
PARTY = p("organization/popular-front-of-azerbaijan-party")


def parts(value: str | None, separator: str = ", ") -> set[str]:
    """A GROUP_CONCAT column's values (their order is the engine's; none: unbound)."""
    return set(value.split(separator)) if value else set()


def test_released_by_decree(catalog, store):
    rows = run(catalog, store, "released-by-decree")
    named = [r for r in rows if "person" in r]
    assert people_by_source(named) == {A: RELEASED_A, B: RELEASED_B}
    # one row per person and source (and membership): never one per charge
    assert len(named) == len({(r["person"], r["source"]) for r in named}) == 8
    assert {r["decree"] for r in rows} == {DECREE}
    assert all(r["personLabel"] and r["decreeLabel"] and r["sourceLabel"] for r in named)
    # each source names the decree in its own words
    assert {(r["source"], r["decreeLabel"]) for r in rows} == {
        (A, "March 2019 Novruz pardon decree"), (B, "Mass holiday pardon on the eve of Novruz holiday")}
    # Only the first article gives Bayramli's "smuggling", and it does not report her release.
    bayramli = [r for r in named if r["person"] == p("person/gozal-bayramli")]
    assert [(r["source"], r["organization"], r["organizationLabel"], r["roleLabel"], r.get("charges"))
            for r in bayramli] == [(B, PARTY, "Popular Front Party", "deputy chairperson", None)]
    # Only the second article gives Rustamzade's charges.
    rustamzade = {r["source"]: parts(r.get("charges")) for r in named
                  if r["person"] == p("person/ilkin-rustamzade")}
    assert rustamzade == {A: set(), B: {"inciting violence", "organizing mass disorder"}}
    insanov = [r for r in named if r["person"] == p("person/ali-insanov")]
    assert [(r["roleLabel"], r["former"]) for r in insanov] == [("former minister of health", "true")]
    # Those the second article does not name, in its words.
    assert [(r["source"], r["unnamedPeople"]) for r in rows if "person" not in r] == [
        (B, "members of other opposition parties and young activists")]
    # The first article dates the mass release its three people were part of; the second does not.
    assert {(r["person"], r.get("date"), r["dateAsStated"]) for r in named if r["source"] == A} == {
        (person, "2019-03-16", "On 16 March, ahead of the Novruz holiday") for person in RELEASED_A}
    assert {(r.get("date"), r["dateAsStated"]) for r in rows if r["source"] == B} == {
        (None, "Saturday on the eve of Novruz holiday"), (None, "Saturday")}


def test_released_by_decree_for_one_decree(catalog, store):
    rows = run(catalog, store, "released-by-decree", decree=DECREE)
    assert people_by_source([r for r in rows if "person" in r]) == {A: RELEASED_A, B: RELEASED_B}
    assert run(catalog, store, "released-by-decree", decree=ID + "document/another-decree") == []
    assert run(catalog, store, "released-by-decree", decree=p("person/gozal-bayramli")) == []


def test_still_imprisoned(catalog, store):
    """Only people a source reports as still held ("dozens more remain imprisoned ... Among them
    are ... Afgan Mukhtarli and Seymour Hazi"), with when, as that source gives it."""
    rows = run(catalog, store, "still-imprisoned")
    assert {(r["person"], r["source"]) for r in rows} == {
        (p("person/afgan-mukhtarli"), B), (p("person/seymour-hazi"), B)}
    for r in rows:
        assert r["stillHeldAfter"] == p("event/novruz-2019-mass-release")
        assert r["stillHeldAfterDateAsStated"] == "Saturday on the eve of Novruz holiday"
        assert "stillHeldAfterDate" not in r  # the second article gives no date
        assert r["recognisedByDescription"] == "observers"
    held = {r["person"] for r in rows}
    assert not held & (RELEASED_A | RELEASED_B)
    assert p("person/rasul-jafarov") not in held  # a former political prisoner
    # a rally demanded his release on 19 January; no source says he is still held
    assert p("person/mehman-huseynov") not in held


def test_still_imprisoned_as_of_a_date(catalog, store):
    # The second article dates neither its report nor the mass release: its report is kept.
    early = {r["person"] for r in run(catalog, store, "still-imprisoned", date="2019-01-01")}
    assert early == {p("person/afgan-mukhtarli"), p("person/seymour-hazi")}


def test_still_imprisoned_as_of_a_date_leaves_out_later_reports_and_releases(catalog):
    """On a copy of the shipped graph with a source that dates its report and a release."""
    dataset = load_dataset()
    copy = ox.Store()
    copy.extend(dataset.store)
    source = ox.NamedNode(ID + "source/test-dated")
    person, other = ox.NamedNode(p("person/test-held")), ox.NamedNode(p("person/test-freed"))
    after, release = ox.NamedNode(p("event/test-hearing")), ox.NamedNode(p("event/test-release"))
    ppkg = lambda name: ox.NamedNode(PPKG + name)  # noqa: E731
    rdfs_label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    date = ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")
    triples = [(source, rdfs_label, ox.Literal("Test source")),
               (after, rdfs_label, ox.Literal("Hearing")), (after, ppkg("date"), ox.Literal("2019-05-01", datatype=date))]
    for who, name in ((person, "Held"), (other, "Freed")):
        imprisonment, recognition = ox.NamedNode(who.value + "-imprisonment"), ox.NamedNode(who.value + "-recognition")
        triples += [(who, rdfs_label, ox.Literal(name)),
                    (imprisonment, rdf_type, ppkg("Imprisonment")), (imprisonment, ppkg("concerns"), who),
                    (imprisonment, ppkg("ongoing"), ox.Literal(True)), (imprisonment, ppkg("ongoingAfter"), after),
                    (imprisonment, rdfs_label, ox.Literal("Imprisonment of " + name)),
                    (recognition, rdf_type, ppkg("Recognition")), (recognition, ppkg("concerns"), who),
                    (recognition, ppkg("recognisedAs"), ppkg("PoliticalPrisoner"))]
    triples += [(release, rdf_type, ppkg("Release")), (release, ppkg("concerns"), other),
                (release, ppkg("date"), ox.Literal("2019-06-01", datatype=date))]
    for s_, p_, o_ in triples:
        copy.add(ox.Quad(s_, p_, o_, source))
        copy.add(ox.Quad(s_, p_, o_, ox.DefaultGraph()))

    def held(**params):
        return {r["person"] for r in run(catalog, copy, "still-imprisoned", **params)}

    shipped_held = {p("person/afgan-mukhtarli"), p("person/seymour-hazi")}
    assert held() == shipped_held | {person.value}  # the other was freed on 1 June
    assert held(date="2019-04-30") == shipped_held  # the report holds after 1 May: not yet
    assert held(date="2019-05-15") == shipped_held | {person.value, other.value}  # not yet freed
    assert held(date="2019-06-01") == shipped_held | {person.value}


def test_still_imprisoned_after_the_releases_is_the_latest_state(catalog, store):
    later = {r["person"] for r in run(catalog, store, "still-imprisoned", date="2019-12-31")}
    assert later == {p("person/afgan-mukhtarli"), p("person/seymour-hazi")}


def test_status_not_reported(catalog, store):
    """Named a political prisoner, and no source says what became of them: not "still imprisoned"."""
    rows = run(catalog, store, "status-not-reported")
    assert [(r["person"], r["source"], r["statusNotReportedAfter"], r["statusNotReportedAfterAsStated"],
             r["recognisedByDescription"]) for r in rows] == [
        (p("person/mehman-huseynov"), A, "2019-01-19", "on 19 January", "An opposition rally on 19 January")]
    held = {r["person"] for r in run(catalog, store, "still-imprisoned")}
    assert not {r["person"] for r in rows} & (held | RELEASED_A | RELEASED_B)


def test_source_disagreements(catalog, store):
    rows = run(catalog, store, "source-disagreements")
    assert len(rows) == 5
    found = {(r["subject"], r["property"]) for r in rows}
    label = "http://www.w3.org/2000/01/rdf-schema#label"
    assert found == {(DECREE, PPKG + "peopleReleased"),
                     (DECREE, PPKG + "politicalPrisonersReleased"),
                     (p("event/imprisonment-ilkin-rustamzade"), PPKG + "timeServed"),
                     (p("person/heydar-aliyev"), label),
                     (PARTY, label)}
    for r in rows:
        assert {r["source1"], r["source2"]} == {A, B}
        assert r["subjectLabel"] and r["propertyLabel"] and r["source1Label"] and r["source2Label"]
        by_source = {r["source1"]: r["value1"], r["source2"]: r["value2"]}
        if r["property"] == PPKG + "peopleReleased":
            assert "399" in by_source[A] and "more than 400" in by_source[B]
        elif r["property"] == PPKG + "politicalPrisonersReleased":
            assert "52" in by_source[A] and "51" in by_source[B]
        elif r["subject"] == p("person/heydar-aliyev"):
            assert by_source == {A: "Heydar Aliyev", B: "Haydar Aliyev"} and r["propertyLabel"] == "name"
        elif r["subject"] == PARTY:
            assert by_source == {A: "Popular Front of Azerbaijan Party", B: "Popular Front Party"}
        else:
            assert by_source == {A: "P6Y", B: "P4Y"}


def _seed_texts() -> dict[str, str]:
    return {f"{ID}source/{path.stem.split('_', 1)[1]}": path.read_text(encoding="utf-8")
            for path in SEEDS.glob("*.txt")}


def test_statements(catalog, store):
    rows = run(catalog, store, "statements")
    assert len(rows) == 18
    seeds = _seed_texts()
    for r in rows:
        assert r["text"] in seeds[r["source"]], r["statement"]
        assert r["speakerLabel"] and r["sourceLabel"]
    speakers = {r["speaker"] for r in rows}
    assert {p("person/gozal-bayramli"), p("person/ilkin-rustamzade"),
            p("person/maja-kocijancic")} <= speakers


def test_statements_of_one_speaker(catalog, store):
    rows = run(catalog, store, "statements", speaker=p("person/gozal-bayramli"))
    assert len(rows) == 3
    assert sorted(r["source"] for r in rows) == sorted([A, B, B])
    assert {r["speaker"] for r in rows} == {p("person/gozal-bayramli")}
    assert any("motives behind my arrests were purely political" in r["text"] for r in rows)


def test_timeline(catalog, store):
    rows = run(catalog, store, "timeline")
    dates = [r["date"] for r in rows]
    assert dates == sorted(dates)
    assert rows[0]["event"] == p("event/peaceful-protest-2013") and dates[0] == "2013"
    assert dates[-1] == "2019-03-16" and rows[-1]["kind"] == "Release"
    last = {r["event"] for r in rows if r["date"] == "2019-03-16"}
    # Source A dates the mass release (16 March), not the releases of the people it names.
    assert last == {p("event/novruz-2019-mass-release")}
    assert all(r["eventLabel"] and r["kind"] and r["sourceLabel"] for r in rows)


def test_timeline_of_one_person(catalog, store):
    rows = run(catalog, store, "timeline", person=p("person/mehman-huseynov"))
    assert {r["event"] for r in rows} == {p("event/prosecution-mehman-huseynov-2018"),
                                          p("event/charging-mehman-huseynov-2019"),
                                          p("event/opposition-rally-2019-01-19"),
                                          p("event/recognition-mehman-huseynov")}
    assert [r["date"] for r in rows] == sorted(r["date"] for r in rows)
    # "Back at the end of 2018 ... he faced a fresh prison term"
    assert rows[0]["event"] == p("event/prosecution-mehman-huseynov-2018") and rows[0]["date"] == "2018"


def test_party_members(catalog, store):
    rows = run(catalog, store, "party-members", organization=PARTY)
    by = {(r["member"].rsplit("/", 1)[1], r["source"]): r for r in rows}
    assert set(by) == {("gozal-bayramli", A), ("gozal-bayramli", B), ("fuad-gahramanli", B)}
    assert {r["roleLabel"] for r in rows} == {"deputy chairperson"}
    assert {r["organization"] for r in rows} == {PARTY}
    # the party as each source names it
    assert {(r["source"], r["organizationLabel"], r.get("organizationAlsoCalled")) for r in rows} == {
        (A, "Popular Front of Azerbaijan Party", None), (B, "Popular Front Party", "PFPA")}
    # what happened to her, as each source reports it: the first her sentence, the second her release
    assert parts(by[("gozal-bayramli", A)]["whatHappened"], " | ") == {
        'Gozal Bayramli sentenced to three years in jail for "smuggling"', "Imprisonment of Gozal Bayramli"}
    assert "Release of Gozal Bayramli under the mass holiday pardon" in \
        parts(by[("gozal-bayramli", B)]["whatHappened"], " | ")
    assert not any("sentenced" in e for e in parts(by[("gozal-bayramli", B)]["whatHappened"], " | "))
    everyone = run(catalog, store, "party-members")
    assert (p("organization/nida"), p("person/ilkin-rustamzade")) in {
        (r["organization"], r["member"]) for r in everyone}
    heydar = {r["source"]: parts(r.get("whatHappened"), " | ") for r in everyone
              if r["member"] == p("person/heydar-aliyev")}
    assert heydar == {A: set(), B: {"Death of Haydar Aliyev in office"}}  # only B reports his death
    rustamzade = {r["source"]: parts(r.get("whatHappened"), " | ") for r in everyone
                  if r["member"] == p("person/ilkin-rustamzade")}
    # the first article gives his eight-year sentence, the second his charges
    assert "Ilkin Rustamzade sentenced to eight years" in rustamzade[A]
    assert not any("charged" in e for e in rustamzade[A])
    assert "Ilkin Rustamzade charged with inciting violence and organizing mass disorder" in rustamzade[B]
    assert not any("eight years" in e for e in rustamzade[B])


def test_charges(catalog, store):
    rows = run(catalog, store, "charges")
    mine = [r for r in rows if r["person"] == p("person/ilkin-rustamzade")]
    charged = {(r["charge"], r["source"]) for r in mine if r["kind"] == "Charging"}
    assert charged == {(p("offence/inciting-violence"), B), (p("offence/organizing-mass-disorder"), B)}
    assert {(r["sentence"], r["source"]) for r in mine if "sentence" in r} == {("P8Y", A)}
    assert {(r["timeServed"], r["source"]) for r in mine if "timeServed" in r} == {("P6Y", A), ("P4Y", B)}
    bayramli = [r for r in rows if r["person"] == p("person/gozal-bayramli")]
    assert {(r.get("chargeLabel"), r.get("sentence")) for r in bayramli if "sentence" in r} == {
        ("smuggling", "P3Y")}


def test_charges_of_one_person(catalog, store):
    rows = run(catalog, store, "charges", person=p("person/ilkin-rustamzade"))
    assert {r["person"] for r in rows} == {p("person/ilkin-rustamzade")}
    assert {r["timeServed"] for r in rows if "timeServed" in r} == {"P6Y", "P4Y"}


def test_decree_figures(catalog, store):
    rows = run(catalog, store, "decree-figures", decree=DECREE)
    figures = {(r["figureKind"].rsplit("#", 1)[1], r["source"]): (r.get("value"), r["qualifier"])
               for r in rows}
    assert figures == {
        ("peopleReleased", A): ("399", "exactly"),
        ("peopleReleased", B): ("400", "more than"),
        ("politicalPrisonersReleased", A): ("52", "exactly"),
        ("politicalPrisonersReleased", B): ("51", "exactly"),
        ("politicalPrisonersBefore", A): ("128", "exactly"),
        ("politicalPrisonersRemaining", A): ("70", "more than"),
        ("politicalPrisonersRemaining", B): (None, "dozens"),
    }
    assert len(rows) == 7
    assert all(r["asStated"] in _seed_texts()[r["source"]] for r in rows)
    assert run(catalog, store, "decree-figures", decree=ID + "document/another-decree") == []


def test_recognitions(catalog, store):
    rows = run(catalog, store, "recognitions")
    assert len(rows) == 5
    status = {r["person"]: r["status"] for r in rows}
    assert status == {p("person/afgan-mukhtarli"): "political prisoner",
                      p("person/mehman-huseynov"): "political prisoner",
                      p("person/seymour-hazi"): "political prisoner",
                      p("person/gozal-bayramli"): "political prisoner",
                      p("person/rasul-jafarov"): "former political prisoner"}
    one = run(catalog, store, "recognitions", person=p("person/afgan-mukhtarli"))
    assert [(r["source"], r.get("recognisedByDescription")) for r in one] == [(B, "observers")]
    # "Like most other political prisoners, I did not lose my will and determination." (Bayramli)
    (own,) = run(catalog, store, "recognitions", person=p("person/gozal-bayramli"))
    assert (own["source"], own["recognisedBy"]) == (B, p("person/gozal-bayramli"))
    assert own["inTheirWords"].startswith("Like most other political prisoners,")


def test_campaigns(catalog, store):
    rows = run(catalog, store, "campaigns")
    by_action = {r["action"]: r for r in rows}
    campaign = by_action[p("event/freethemall-campaign")]
    assert campaign["kind"] == "Campaign" and campaign["source"] == A
    assert "release of all political prisoners" in campaign["demand"]
    rally = by_action[p("event/opposition-rally-2019-01-19")]
    assert rally["date"] == "2019-01-19" and "Mehman Huseynov" in rally["concerning"]
    assert p("event/hunger-strike-mehman-huseynov") in by_action
    resolution = by_action[p("event/ep-resolution-case-of-mehman-huseynov-passed")]
    assert resolution["ledBy"] == "European Parliament"
    assert "release all political prisoners" in resolution["demand"]
    # "In the meantime, campaigns continue in the country that demand the release of political prisoners."
    going_on = by_action[p("event/campaigns-continue-d406463585ba4a26")]
    assert (going_on["ongoing"], going_on["dateAsStated"]) == ("true", "In the meantime")
    # Not actions for prisoners: what people were jailed for, and protests about something else.
    assert not {p("event/monument-slogans"), p("event/protest-against-non-combatant-soldier-deaths"),
                p("event/peaceful-protest-2013")} & set(by_action)
    assert len(rows) == 5
    assert all(r["actionLabel"] and r["kind"] for r in rows)


def test_people(catalog, store):
    rows = run(catalog, store, "people")
    assert len(rows) == 19  # 16 people, three of them in both sources
    assert len({r["person"] for r in rows}) == 16
    by = {(r["person"], r["source"]): r for r in rows}
    assert {person for person, _ in by} >= set(RELEASED_A | RELEASED_B)
    # each name with the source that uses it
    assert by[(p("person/heydar-aliyev"), A)]["personLabel"] == "Heydar Aliyev"
    assert by[(p("person/heydar-aliyev"), B)]["personLabel"] == "Haydar Aliyev"
    assert "deputy chairperson of the Popular Front Party" in \
        by[(p("person/gozal-bayramli"), B)]["affiliations"]
    assert "deputy chairperson of the Popular Front of Azerbaijan Party" in \
        by[(p("person/gozal-bayramli"), A)]["affiliations"]
    # only the second article calls Rustamzade a blogger
    assert by[(p("person/ilkin-rustamzade"), B)]["occupations"] == "blogger"
    assert "occupations" not in by[(p("person/ilkin-rustamzade"), A)]
    assert all(r["personLabel"] for r in rows)
