"""The pages people read, through a real `ppkg serve` on both stores: what a person's,
organisation's, event's, decree's and source's page shows, their pictures' JSON twins — each
claim checked against the named graph of the source it names, undated events never given a
date — the plain HTML that works without JavaScript, and the home page at a glance."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
import rdflib
import requests
from rdflib import Literal, URIRef

from conftest import BACKENDS, start_server, stop_server
from ld_helpers import SOURCE_A, SOURCE_B, W3ID, start_shipped

REPO = Path(__file__).resolve().parent.parent
P = rdflib.Namespace(W3ID + "ontology#")
ID = W3ID + "id/"
RUSTAMZADE = ID + "person/ilkin-rustamzade"
HUSEYNOV = ID + "person/mehman-huseynov"
PARTY = ID + "organization/popular-front-of-azerbaijan-party"
DECREE = ID + "document/novruz-2019-pardon-decree"
MASS_RELEASE = ID + "event/novruz-2019-mass-release"
SOURCE_A_LABEL = "The March Pardon and #FreeThemAll"
SOURCE_B_LABEL = "Untitled news article on the mass holiday pardon (004_b5ef6d9da071791b)"


@pytest.fixture(scope="module", params=BACKENDS)
def site(request, tmp_path_factory):
    srv = start_shipped(tmp_path_factory.mktemp("reading"), request=request)
    yield srv
    stop_server(srv)


@pytest.fixture(scope="module")
def graphs() -> rdflib.Dataset:
    """The shipped graph files, each named graph as its source states it."""
    dataset = rdflib.Dataset()
    for path in sorted((REPO / "graph").glob("*.trig")):
        dataset.parse(path, format="trig")
    return dataset


def states(graphs, source: str, triple) -> bool:
    return triple in graphs.graph(URIRef(source))


def page(site, path: str) -> str:
    response = requests.get(site.url + path, headers={"Accept": "text/html"}, timeout=30)
    assert response.status_code == 200, (path, response.status_code)
    return response.text


def twin(site, path: str) -> dict:
    response = requests.get(site.url + path, timeout=30)
    assert response.status_code == 200, (path, response.text)
    assert response.headers["Content-Type"].startswith("application/json")
    return response.json()


def text_of(body: str) -> str:
    """The words of a page, as a person reads them (no space before a comma, inside brackets)."""
    body = re.sub(r"<script.*?</script>", " ", body, flags=re.S)
    text = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body)))
    return re.sub(r"\(\s+", "(", re.sub(r"\s+([,;)])", r"\1", text))


def embedded(body: str, picture: str) -> dict:
    """The JSON block a picture on the page draws from."""
    found = re.search(r'data-picture="%s">\s*<script type="application/json">(.*?)</script>'
                      % picture, body, flags=re.S)
    assert found, f"no {picture} data on the page"
    return json.loads(found.group(1))


# --- timelines --------------------------------------------------------------------------------------

def test_timeline_dates_are_the_sources_own_and_undated_events_get_none(site, graphs):
    for person in (RUSTAMZADE, HUSEYNOV):
        timeline = twin(site, "/timeline/" + person[len(ID):] + ".json")["timeline"]
        assert timeline["events"]
        for event in timeline["events"]:
            subject = URIRef(event["iri"])
            for claim in event["claims"]:
                source = claim["source"]["iri"]
                dates = {str(o) for o in graphs.graph(URIRef(source)).objects(subject, P.date)}
                if claim["when"]:
                    assert claim["when"]["lexical"] in dates, (event["label"], claim)
                else:  # a claim without a date: its source gives none
                    assert not dates, (event["label"], claim)
                if claim["wording"]:
                    assert states(graphs, source, (subject, P.dateDescription,
                                                   Literal(claim["wording"])))
            if not any(c["when"] for c in event["claims"]):
                assert not event["dated"]


def test_undated_events_are_placed_by_what_the_sources_relate_them_to(site):
    events = twin(site, "/timeline/person/ilkin-rustamzade.json")["timeline"]["events"]
    order = [e["iri"] for e in events]
    by_iri = {e["iri"]: e for e in events}
    release = by_iri[ID + "event/release-ilkin-rustamzade-2019"]
    assert not release["dated"] and "part of" in release["placement"]
    assert "dates 16 March 2019" in release["placement"]
    mass = by_iri[MASS_RELEASE]  # dated by one source, so shown as the related event
    assert mass["related"] and mass["dated"]
    assert {(c["source"]["iri"], c["when"]["text"] if c["when"] else c["wording"])
            for c in mass["claims"]} == {(SOURCE_A, "16 March 2019"),
                                         (SOURCE_B, "Saturday on the eve of Novruz holiday")}
    # the charging after the 2013 protest it is in connection with, the release at the end
    charging = ID + "event/charging-ilkin-rustamzade"
    protest = ID + "event/peaceful-protest-2013"
    assert order.index(protest) < order.index(charging) < order.index(release["iri"])
    assert "after “Peaceful protest in 2013”" in by_iri[charging]["placement"]
    # what nothing places is listed last, marked so
    interview = by_iri[ID + "event/interview-ilkin-rustamzade-meydan-tv"]
    assert interview["unplaced"] and interview["involvement"] == ["participant"]
    assert order.index(interview["iri"]) > order.index(release["iri"])


def test_a_timeline_drawn_in_one_lane_per_source(site):
    timeline = twin(site, "/timeline/person/mehman-huseynov.json")["timeline"]
    assert [lane["iri"] for lane in timeline["lanes"]] == [SOURCE_A]
    dated = [e for e in timeline["events"] if e["dated"]]
    assert [e["claims"][0]["when"]["text"] for e in dated] == \
        ["2018", "2019", "19 January 2019", "19 January 2019"]
    year = dated[0]["claims"][0]["when"]
    assert (year["precision"], year["start"], year["end"]) == ("year", "2018-01-01", "2018-12-31")


# --- networks ----------------------------------------------------------------------------------------

def test_network_edges_are_stated_by_their_sources(site, graphs):
    network = twin(site, "/network/person/ilkin-rustamzade.json")["network"]
    nodes = {n["id"]: n for n in network["nodes"]}
    assert nodes[RUSTAMZADE]["focus"] and nodes[RUSTAMZADE]["kind"] == "person"
    assert nodes[ID + "organization/nida"]["kind"] == "organization"
    kinds = {n["kind"] for n in network["nodes"]}
    assert {"person", "organization", "event", "statement"} <= kinds
    membership = next(e for e in network["edges"]
                      if e["source"] == RUSTAMZADE and e["target"] == ID + "organization/nida")
    assert membership["label"] == "member of"
    assert {s["iri"] for s in membership["sources"]} == {SOURCE_A, SOURCE_B}
    for edge in network["edges"]:
        assert edge["source"] in nodes and edge["target"] in nodes
        for source in edge["sources"]:
            graph = graphs.graph(URIRef(source["iri"]))
            s, o = URIRef(edge["source"]), URIRef(edge["target"])
            direct = any(True for _ in graph.predicates(s, o))
            via_membership = any((m, P.organization, o) in graph
                                 for m in graph.subjects(P.member, s))
            assert direct or via_membership, (edge, source["iri"])


# --- the pages ---------------------------------------------------------------------------------------

def test_person_page(site):
    body = page(site, "/id/person/ilkin-rustamzade")
    text = text_of(body)
    for heading in ("Who they are", "Timeline", "Charges and sentences", "In their own words",
                    "Network"):
        assert f"<h2>{heading}</h2>" in body, heading
    assert f"blogger according to {SOURCE_B_LABEL}" in text
    assert f"member of NIDA according to {SOURCE_A_LABEL}, {SOURCE_B_LABEL}" in text
    # both times served, each with its source, and the disagreement said
    assert f"4 years according to {SOURCE_B_LABEL}" in text
    assert f"6 years according to {SOURCE_A_LABEL}" in text
    assert re.search(r"Time served\s+the sources disagree", text)
    # quotes in full, with their source
    assert ("But our struggle continues. What is important is not our freedom, but the freedom "
            "of Azerbaijan and the triumph of our values.") in text
    assert "Reported, not verbatim" in text
    # the pictures draw from the same data as their JSON twins, and link them
    assert embedded(body, "timeline") == \
        twin(site, "/timeline/person/ilkin-rustamzade.json")["timeline"]
    assert embedded(body, "network") == \
        twin(site, "/network/person/ilkin-rustamzade.json")["network"]
    assert 'href="/timeline/person/ilkin-rustamzade.json"' in body
    assert 'href="/network/person/ilkin-rustamzade.json"' in body
    # and the raw facts stay below
    assert "Every statement about Ilkin Rustamzade, as recorded, with its source" in text


def test_without_javascript_the_pictures_are_lists(site):
    body = page(site, "/id/person/mehman-huseynov")
    text = text_of(body)
    timeline = re.search(r'<ol class="timeline">.*?</ol>', body, flags=re.S).group(0)
    assert "Mehman Huseynov faces a fresh prison term at the end of 2018" in timeline
    assert "2018" in text_of(timeline) and "Back at the end of 2018" in text_of(timeline)
    assert "Not dated by the sources, nor related by them to a dated event" in text
    edges = re.search(r'<ul class="edges">.*?</ul>', body, flags=re.S).group(0)
    assert re.search(r"Opposition rally of 19 January 2019 — concerns → .*Mehman Huseynov",
                     text_of(edges))
    for picture in ("timeline", "network"):
        alone = page(site, f"/{picture}/person/mehman-huseynov")
        assert 'data-picture="%s"' % picture in alone
    # JavaScript only from files of this server, never inline
    for tag in re.findall(r"<script[^>]*>", body):
        assert 'src="/static/' in tag or 'type="application/json"' in tag \
            or 'type="application/ld+json"' in tag, tag
    assert not re.search(r"\son[a-z]+=", body) and "javascript:" not in body


def test_organisation_page_lists_members_and_what_happened_to_them(site):
    body = page(site, "/id/organization/popular-front-of-azerbaijan-party")
    text = text_of(body)
    assert f"Popular Front Party according to {SOURCE_B_LABEL}" in text
    assert f"Popular Front of Azerbaijan Party according to {SOURCE_A_LABEL}" in text
    assert f"PFPA according to {SOURCE_B_LABEL}" in text
    members = re.search(r'<table class="wide members">.*?</table>', body, flags=re.S).group(0)
    assert 'href="/id/person/gozal-bayramli">Gozal Bayramli</a>' in members
    assert 'href="/id/event/release-fuad-gahramanli-2019"' in members
    assert 'href="/id/event/sentencing-gozal-bayramli"' in members
    events = {e["iri"] for e in embedded(body, "timeline")["events"]}
    assert ID + "event/imprisonment-gozal-bayramli" in events


def test_decree_page_figures_per_source_and_who_it_freed(site):
    body = page(site, "/id/document/novruz-2019-pardon-decree")
    figures = text_of(re.search(r'<table class="wide figures">.*?</table>', body,
                                flags=re.S).group(0))
    assert re.search(r"People released\s+the sources disagree\s+399 “399 people were released "
                     r"from prison” " + re.escape(SOURCE_A_LABEL), figures)
    assert "more than 400 “more than 400 convicted people freed Saturday” " \
        + SOURCE_B_LABEL in figures
    assert "dozens “dozens more remain imprisoned" in figures
    freed = text_of(re.search(r'<section id="freed">.*?</section>', body, flags=re.S).group(0))
    for name in ("Fuad Gahramanli", "Gozal Bayramli", "Ilkin Rustamzade", "Bayram Mammadov"):
        assert name in freed
    assert "Afgan Mukhtarli" not in freed  # still imprisoned


def test_event_and_source_pages(site):
    event = page(site, "/id/event/novruz-2019-mass-release")
    text = text_of(event)
    assert "<h2>What happened</h2>" in event
    assert f"16 March 2019 (On 16 March, ahead of the Novruz holiday) according to {SOURCE_A_LABEL}" \
        in text
    assert f"no date given: Saturday on the eve of Novruz holiday according to {SOURCE_B_LABEL}" \
        in text
    assert "Ali Insanov" in text_of(re.search(r'<section id="freed">.*?</section>', event,
                                              flags=re.S).group(0))
    source = page(site, "/id/source/d406463585ba4a26")
    assert "<h2>Timeline of the events this source reports</h2>" in source
    timeline = embedded(source, "timeline")
    assert all(c["source"]["iri"] == SOURCE_A for e in timeline["events"] for c in e["claims"])
    assert "What is important is not our freedom" not in text_of(source)  # the other source's
    assert "I spent two years behind bars on bogus charges." in text_of(source)


def test_pictures_of_what_has_none(site):
    for path in ("/timeline/person/nobody-at-all", "/network/person/nobody-at-all.json",
                 "/timeline/membership/ilkin-rustamzade-nida.json"):
        assert requests.get(site.url + path, timeout=30).status_code == 404, path
    assert requests.get(site.url + "/timeline/person/x.ttl", timeout=30).status_code == 404
    assert requests.get(site.url + "/network/person/a%20b", timeout=30).status_code == 400


def test_home_page_at_a_glance(site):
    data = twin(site, "/index.json")
    assert data["counts"]["person"] == 16 and data["counts"]["source"] == 2
    assert data["counts"]["triples"] > 1000
    assert data["timeline"] == {"events": 6, "total": 6, "href": "/timeline.json"}
    assert data["submissions"] == []
    body = page(site, "/")
    assert 'action="/search"' in body and "<h2>Dated events</h2>" in body
    everything = twin(site, "/timeline.json")["timeline"]
    assert embedded(body, "timeline") == everything
    assert {lane["label"] for lane in everything["lanes"]} == {SOURCE_A_LABEL, SOURCE_B_LABEL}


# --- links ------------------------------------------------------------------------------------------

ODD_IRIS = """@prefix ppkg: <https://w3id.org/ppkg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/ppkg/id/source/odd> {
  <https://w3id.org/ppkg/id/source/odd> a ppkg:NewsArticle ; rdfs:label "Odd links" .
  <https://w3id.org/ppkg/id/person/odd> a ppkg:Person ; rdfs:label "Odd Person" ;
      rdfs:seeAlso <javascript:alert(1)>, <urn:isbn:9780000000000>, <https://example.org/odd> .
  <https://w3id.org/ppkg/id/event/odd> a ppkg:Release ; rdfs:label "Odd release" ;
      ppkg:concerns <https://w3id.org/ppkg/id/person/odd> ; ppkg:location <javascript:alert(2)> ;
      ppkg:date "2020-02-02"^^<http://www.w3.org/2001/XMLSchema#date> .
}
"""


def test_only_web_addresses_become_links(tmp_path):
    data = tmp_path / "odd.trig"
    data.write_text(ODD_IRIS, encoding="utf-8")
    server = start_server([str(data)], tmp_path / "serve.log")
    try:
        for path in ("/id/person/odd", "/id/event/odd", "/network/person/odd",
                     "/timeline/person/odd"):
            body = page(server, path)
            assert 'href="javascript:' not in body and 'href="urn:' not in body, path
        body = page(server, "/id/person/odd")
        assert "javascript:alert(1)" in text_of(body) and "urn:isbn:9780000000000" in text_of(body)
        assert 'href="https://example.org/odd"' in body
        network = twin(server, "/network/person/odd.json")["network"]
        assert {n["label"]: n["kind"] for n in network["nodes"]} == {
            "Odd Person": "person", "Odd release": "event"}
    finally:
        stop_server(server)


def test_a_resource_linked_from_more_than_the_row_limit_still_has_its_page(tmp_path):
    """A hub (a president named by thousands of sources) is described as far as the row limit
    goes, its own triples first — never "unknown" because labels of sources filled the answer."""
    graphs = []
    for i in range(30):
        source = f"https://w3id.org/ppkg/id/source/hub-{i:02d}"
        graphs.append(f"""<{source}> {{
  <{source}> a ppkg:NewsArticle ; rdfs:label "Source {i:02d}" .
  <https://w3id.org/ppkg/id/person/hub> a ppkg:Person ; rdfs:label "Hub Person" .
  <https://w3id.org/ppkg/id/event/hub-{i:02d}> a ppkg:Release ; rdfs:label "Release {i:02d}" ;
      ppkg:concerns <https://w3id.org/ppkg/id/person/hub> .
}}""")
    data = tmp_path / "hub.trig"
    data.write_text("@prefix ppkg: <https://w3id.org/ppkg/ontology#> .\n"
                    "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
                    + "\n".join(graphs), encoding="utf-8")
    server = start_server([str(data), "--row-limit", "25"], tmp_path / "serve.log")
    try:
        turtle = requests.get(server.url + "/id/person/hub", timeout=30,
                              headers={"Accept": "text/turtle"})
        assert turtle.status_code == 200 and turtle.headers["X-PPKG-Truncated"] == "true"
        assert '"Hub Person"' in turtle.text
        body = page(server, "/id/person/hub")
        assert "<h1>Hub Person</h1>" in body and "was cut at the server's row limit" in body
        # the first six of the sources kept are named, and how many more there are
        assert re.search(r"Hub Person according to ([^,]+, ){5}[^,]+ and \d+ more sources",
                         text_of(body))
    finally:
        stop_server(server)
