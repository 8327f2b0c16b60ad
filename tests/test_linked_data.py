"""Linked data through a real `ppkg serve` on 127.0.0.1: dereferencing /id/ IRIs in every format,
who says what (named graphs, "according to", conflicting claims), class and term pages, the
ontology, HTTP caching and negotiation, bad input, PPKG_BASE_IRI, and a crawl of the whole graph
with nothing but requests and rdflib."""

from __future__ import annotations

import html
import re
from collections import deque
from urllib.parse import urldefrag

import pytest
import rdflib
import requests
from rdflib import OWL, RDF, RDFS, XSD, Literal, URIRef

from conftest import BACKENDS, stop_server
from ld_helpers import (ONTOLOGY_GRAPH, PPKG, RDF_PARSERS, SOURCE_A, SOURCE_B, W3ID, in_graph,
                        parse, sparql_select, start_shipped)

PERSON = W3ID + "id/person/gozal-bayramli"
EVENT = W3ID + "id/event/imprisonment-ilkin-rustamzade"
DECREE = W3ID + "id/document/novruz-2019-pardon-decree"
TERM = PPKG + "timeServed"
P = rdflib.Namespace(PPKG)
SKOS = rdflib.Namespace("http://www.w3.org/2004/02/skos/core#")


@pytest.fixture(scope="module", params=BACKENDS)
def ld(request, tmp_path_factory):
    srv = start_shipped(tmp_path_factory.mktemp("ld"), request=request)
    yield srv
    stop_server(srv)


@pytest.fixture(scope="module", params=BACKENDS)
def local(request, tmp_path_factory):
    """The same graph under the public base IRI http://127.0.0.1:<port>/ (the server itself)."""
    srv = start_shipped(tmp_path_factory.mktemp("ld-local"), local_base=True, request=request)
    yield srv
    stop_server(srv)


def path(iri: str) -> str:
    assert iri.startswith(W3ID)
    return "/" + iri[len(W3ID):]


def get(server, path_or_url, accept=None, **kwargs):
    url = path_or_url if path_or_url.startswith("http") else server.url + path_or_url
    headers = kwargs.pop("headers", {})
    if accept is not None:
        headers["Accept"] = accept
    return requests.get(url, headers=headers, timeout=30, **kwargs)


# --- every format parses back, with the expected triples and graphs --------------------------

def U(iri):
    return URIRef(iri)


EXPECTED = {
    PERSON: [
        (U(PERSON), RDF.type, P.Person),
        (U(PERSON), RDFS.label, Literal("Gozal Bayramli")),
        # what points at the person: events, memberships, statements
        (U(W3ID + "id/event/imprisonment-gozal-bayramli"), P.concerns, U(PERSON)),
        (U(W3ID + "id/membership/gozal-bayramli-popular-front-of-azerbaijan-party"), P.member,
         U(PERSON)),
        (U(W3ID + "id/statement/b5ef6d9da071791b-bayramli-motives"), P.speaker, U(PERSON)),
        # labels of the linked resources
        (U(W3ID + "id/event/imprisonment-gozal-bayramli"), RDFS.label,
         Literal("Imprisonment of Gozal Bayramli")),
    ],
    EVENT: [
        (U(EVENT), RDF.type, P.Imprisonment),
        (U(EVENT), P.timeServed, Literal("P6Y", datatype=XSD.duration)),
        (U(EVENT), P.timeServed, Literal("P4Y", datatype=XSD.duration)),
        (U(EVENT), P.concerns, U(W3ID + "id/person/ilkin-rustamzade")),
        (U(W3ID + "id/person/ilkin-rustamzade"), RDFS.label, Literal("Ilkin Rustamzade")),
    ],
    DECREE: [
        (U(DECREE), RDF.type, P.PardonDecree),
        (U(DECREE), P.peopleReleased,
         U(W3ID + "id/figure/novruz-2019-people-released-d406463585ba4a26")),
        (U(DECREE), P.politicalPrisonersReleased,
         U(W3ID + "id/figure/novruz-2019-political-prisoners-released-d406463585ba4a26")),
        (U(W3ID + "id/event/novruz-2019-mass-release"), P.underDecree, U(DECREE)),
    ],
    TERM: [
        (U(TERM), RDF.type, OWL.FunctionalProperty),
        (U(TERM), RDFS.label, Literal("time served", lang="en")),
        (U(TERM), RDFS.range, XSD.duration),
    ],
}

# (resource, graph, triple): the fact must be in that named graph of a TriG / N-Quads answer
IN_GRAPHS = [
    (EVENT, SOURCE_A, (U(EVENT), P.timeServed, Literal("P6Y", datatype=XSD.duration))),
    (EVENT, SOURCE_B, (U(EVENT), P.timeServed, Literal("P4Y", datatype=XSD.duration))),
    (PERSON, SOURCE_A, (U(W3ID + "id/event/imprisonment-gozal-bayramli"), P.concerns, U(PERSON))),
    (PERSON, SOURCE_B, (U(W3ID + "id/statement/b5ef6d9da071791b-bayramli-motives"), P.speaker,
                        U(PERSON))),
    (DECREE, SOURCE_A, (U(DECREE), P.peopleReleased,
                        U(W3ID + "id/figure/novruz-2019-people-released-d406463585ba4a26"))),
    (DECREE, SOURCE_B, (U(DECREE), P.peopleReleased,
                        U(W3ID + "id/figure/novruz-2019-people-released-b5ef6d9da071791b"))),
    (TERM, ONTOLOGY_GRAPH, (U(TERM), RDF.type, OWL.FunctionalProperty)),
]
NOT_IN_GRAPHS = [
    (EVENT, SOURCE_A, (U(EVENT), P.timeServed, Literal("P4Y", datatype=XSD.duration))),
    (EVENT, SOURCE_B, (U(EVENT), P.timeServed, Literal("P6Y", datatype=XSD.duration))),
]


def resource_path(iri: str) -> str:
    if iri.startswith(PPKG):
        return "/terms/" + iri[len(PPKG):]
    return path(iri)


@pytest.mark.parametrize("fmt", sorted(RDF_PARSERS))
@pytest.mark.parametrize("iri", [PERSON, EVENT, DECREE, TERM])
def test_every_format_parses_back_with_the_expected_triples(ld, iri, fmt):
    media_type, _, _, datasets = RDF_PARSERS[fmt]
    response = get(ld, resource_path(iri), media_type)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].split(";")[0] == media_type
    assert "Accept" in response.headers.get("Vary", "")
    graph = parse(response, fmt)
    triples = set(graph.quads()) if datasets else set(graph)
    if datasets:
        triples = {(s, p, o) for s, p, o, _ in triples}
    for triple in EXPECTED[iri]:
        assert triple in triples, f"{fmt}: missing {triple}"
    if datasets:
        for resource, graph_iri, triple in IN_GRAPHS:
            if resource == iri:
                assert in_graph(graph, graph_iri, triple), f"{triple} not in <{graph_iri}>"
        for resource, graph_iri, triple in NOT_IN_GRAPHS:
            if resource == iri:
                assert not in_graph(graph, graph_iri, triple), f"{triple} in <{graph_iri}>"
        names = {str(c.identifier) for c in graph.contexts() if len(c)}
        expected_graphs = {ONTOLOGY_GRAPH} if iri == TERM else {SOURCE_A, SOURCE_B}
        assert expected_graphs <= names


@pytest.mark.parametrize("fmt", sorted(RDF_PARSERS))
def test_extension_format_parameter_and_accept_give_the_same_document(ld, fmt):
    media_type, _, ext, _ = RDF_PARSERS[fmt]
    by_accept = get(ld, path(EVENT), media_type)
    by_ext = get(ld, path(EVENT) + ext)
    by_param = get(ld, path(EVENT) + "?format=" + fmt, "text/html")  # ?format= wins over Accept
    for response in (by_accept, by_ext, by_param):
        assert response.status_code == 200
        assert response.headers["Content-Type"].split(";")[0] == media_type
    assert by_accept.content == by_ext.content == by_param.content
    assert by_accept.headers["Content-Location"] == path(EVENT) + ext


def test_jsonld_has_a_compact_context(ld):
    doc = get(ld, path(EVENT), "application/ld+json").json()
    context = doc["@context"]
    for prefix, namespace in {"ppkg": PPKG, "rdfs": str(RDFS), "skos": str(SKOS),
                              "schema": "https://schema.org/", "xsd": str(XSD)}.items():
        assert context[prefix] == namespace
    node = next(n for n in doc["@graph"] if n["@id"] == EVENT)
    assert node["@type"] == "ppkg:Imprisonment"
    assert {"@value": "P6Y", "@type": "xsd:duration"} in node["ppkg:timeServed"]


@pytest.mark.parametrize("accept, expected", [
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/html"),  # browser
    ("*/*", "text/turtle"),
    (None, "text/turtle"),
    ("application/rdf+xml;q=0.5, text/turtle;q=0.9", "text/turtle"),
    ("text/turtle;q=0.1, application/ld+json", "application/ld+json"),
    ("application/json", "application/ld+json"),
    ("text/*;q=0.5, application/n-quads", "application/n-quads"),
    ("application/trig;q=0, text/html;q=0.2, application/*;q=0.1", "text/html"),
])
def test_accept_with_q_values_and_wildcards(ld, accept, expected):
    response = get(ld, path(PERSON), accept)
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == expected


# --- HTML pages: who says what ---------------------------------------------------------------

def page_text(body: str) -> str:
    body = re.sub(r"<script.*?</script>", " ", body, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body)))


def conflicts_box(body: str) -> str:
    found = re.search(r'<section class="conflicts".*?</section>', body, flags=re.S)
    assert found, "no conflicting-claims box"
    return found.group(0)


def embedded_jsonld(response) -> rdflib.Graph:
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', response.text,
                      flags=re.S)
    assert found, "no embedded JSON-LD"
    graph = rdflib.Graph()
    graph.parse(data=found.group(1), format="json-ld", publicID=response.url)
    return graph


def test_person_page_shows_facts_sources_and_what_refers_to_them(ld):
    response = get(ld, path(PERSON), "text/html")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    body = response.text
    text = page_text(body)
    assert "<h1>Gozal Bayramli</h1>" in body
    assert "according to" in text
    # the sources, by label, linked to their pages
    assert 'href="/id/source/d406463585ba4a26">The March Pardon and #FreeThemAll</a>' in body
    assert 'href="/id/source/b5ef6d9da071791b">' in body
    # the type links to the class page
    assert 'href="/classes/Person"' in body
    # events, memberships and statements about the person, with their labels and links
    assert "Events concerning Gozal Bayramli" in text
    assert 'href="/id/event/imprisonment-gozal-bayramli">Imprisonment of Gozal Bayramli</a>' in body
    assert "Statements by Gozal Bayramli" in text
    assert 'href="/id/statement/b5ef6d9da071791b-bayramli-motives"' in body
    assert 'href="/id/membership/gozal-bayramli-popular-front-of-azerbaijan-party"' in body
    # the same page as data
    assert 'href="/id/person/gozal-bayramli.ttl"' in body
    assert 'href="/id/person/gozal-bayramli.jsonld"' in body
    graph = embedded_jsonld(response)
    assert (U(PERSON), RDF.type, P.Person) in graph
    assert (U(W3ID + "id/event/imprisonment-gozal-bayramli"), P.concerns, U(PERSON)) in graph


def test_decree_page_shows_the_conflicting_figures_with_their_sources(ld):
    response = get(ld, path(DECREE) + ".html")
    assert response.status_code == 200
    box = page_text(conflicts_box(response.text))
    assert "Conflicting claims" in box
    assert "people released" in box and "political prisoners released" in box
    assert re.search(r"399 people were released from prison\W+according to The March Pardon",
                     box)
    assert re.search(r"more than 400 convicted people freed Saturday\W+according to Untitled",
                     box)
    assert "There were 52 political prisoners among those people." in box
    assert "51 individuals identified as political prisoners" in box
    # figures given only as "dozens" contradict nothing: not in the box
    assert "Dozens" not in box
    text = page_text(response.text)
    assert "399 people released (The March Pardon and #FreeThemAll)" in text
    assert (U(DECREE), RDF.type, P.PardonDecree) in embedded_jsonld(response)


def test_event_page_shows_both_times_served_with_their_sources(ld):
    response = get(ld, path(EVENT), "text/html")
    box = conflicts_box(response.text)
    text = page_text(box)
    assert "time served" in text
    assert re.search(r"P6Y\W+according to The March Pardon and #FreeThemAll", text)
    assert re.search(r"P4Y\W+according to Untitled news article", text)
    assert 'href="/id/source/d406463585ba4a26"' in box and 'href="/id/source/b5ef6d9da071791b"' in box
    facts = page_text(response.text)
    assert "disputed" in facts
    assert (U(EVENT), P.timeServed, Literal("P6Y", datatype=XSD.duration)) in \
        embedded_jsonld(response)


def test_pages_without_disagreement_have_no_conflicts_box(ld):
    body = get(ld, path(PERSON), "text/html").text
    assert 'class="conflicts"' not in body


def test_every_link_on_a_page_resolves(ld):
    body = get(ld, path(EVENT), "text/html").text
    hrefs = {urldefrag(h)[0] for h in re.findall(r'href="([^"]+)"', body)}
    local = sorted(h for h in hrefs if h.startswith("/"))
    assert len(local) > 10
    for href in local:
        response = get(ld, html.unescape(href), "text/html")
        assert response.status_code == 200, href


def test_class_pages_list_their_instances(ld):
    listing = get(ld, "/classes", "text/html")
    assert listing.status_code == 200
    assert 'href="/classes/Person"' in listing.text
    data = get(ld, "/classes.json").json()
    person = next(c for c in data["classes"] if c["name"] == "Person")
    assert person["instances"] >= 10
    events = next(c for c in data["classes"] if c["name"] == "Event")
    imprisonments = next(c for c in data["classes"] if c["name"] == "Imprisonment")
    assert events["instances"] > imprisonments["instances"] > 0  # subclasses counted
    page = get(ld, "/classes/Person", "text/html")
    assert page.status_code == 200
    assert 'href="/id/person/gozal-bayramli">Gozal Bayramli</a>' in page.text
    assert 'href="/ontology#Person"' in page.text
    assert ">The March Pardon and #FreeThemAll</a>" in page.text  # sources by label
    event_page = get(ld, "/classes/Event", "text/html").text
    assert 'href="/id/event/imprisonment-ilkin-rustamzade"' in event_page  # a subclass instance
    graph = parse(get(ld, "/classes/Person.ttl"), "turtle")
    assert (U(PERSON), RDF.type, P.Person) in graph
    assert (U(PERSON), RDFS.label, Literal("Gozal Bayramli")) in graph
    assert get(ld, "/classes/NoSuchClass", "text/html").status_code == 404
    assert get(ld, "/classes/timeServed", "text/html").status_code == 404  # a property


def test_concepts_and_schemes_are_ordinary_resources(ld):
    concept = get(ld, "/id/offence/smuggling", "text/html")
    assert concept.status_code == 200
    assert "<h1>smuggling</h1>" in concept.text
    assert 'href="/terms/OffenceScheme">Offences</a>' in concept.text
    graph = parse(get(ld, "/id/offence/smuggling.ttl"), "turtle")
    assert (U(W3ID + "id/offence/smuggling"), SKOS.inScheme, P.OffenceScheme) in graph
    scheme = get(ld, "/terms/OffenceScheme", "text/html")
    assert scheme.status_code == 200
    assert 'href="/id/offence/smuggling">smuggling</a>' in scheme.text
    assert "Concepts in Offences" in page_text(scheme.text)
    assert "langString" not in scheme.text
    qualifier = get(ld, "/terms/Exactly", "text/html")
    assert qualifier.status_code == 200
    assert "novruz-2019-people-released-d406463585ba4a26" in qualifier.text
    assert get(ld, "/terms/NoSuchTerm", "text/html").status_code == 404


def test_source_page_lists_what_the_source_states(ld):
    page = get(ld, path(SOURCE_A), "text/html")
    assert page.status_code == 200
    text = page_text(page.text)
    assert "What this source states" in text
    assert 'href="/id/event/freethemall-campaign">#FreeThemAll campaign</a>' in page.text
    graph = parse(get(ld, path(SOURCE_A), "application/trig"), "trig")
    assert in_graph(graph, SOURCE_A, (U(W3ID + "id/event/freethemall-campaign"), RDF.type,
                                      P.Campaign))


def test_home_page_and_its_json_twin(ld):
    page = get(ld, "/", "text/html")
    assert page.status_code == 200
    for href in ("/sparql", "/dataset", "/ontology", "/queries", "/classes",
                 "/id/person/gozal-bayramli"):
        assert f'href="{href}"' in page.text
    data = get(ld, "/", "application/json").json()
    assert data["links"]["sparql"] == "/sparql"
    assert {"iri": PERSON, "href": "/id/person/gozal-bayramli", "label": "Gozal Bayramli"} in \
        data["people"]
    assert {s["iri"] for s in data["sources"]} == {SOURCE_A, SOURCE_B}
    assert get(ld, "/index.json").json() == data


# --- the ontology ------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["turtle", "jsonld", "rdfxml", "ntriples"])
def test_ontology_as_rdf(ld, fmt):
    media_type, _, ext, _ = RDF_PARSERS[fmt]
    for response in (get(ld, "/ontology", media_type), get(ld, "/ontology" + ext)):
        assert response.status_code == 200
        assert response.headers["Content-Type"].split(";")[0] == media_type
        graph = parse(response, fmt)
        assert (U(ONTOLOGY_GRAPH), RDF.type, OWL.Ontology) in graph
        assert (U(TERM), RDF.type, OWL.FunctionalProperty) in graph
        assert (U(ONTOLOGY_GRAPH), URIRef("http://purl.org/dc/terms/license"),
                U("https://creativecommons.org/licenses/by/4.0/")) in graph
    versioned = get(ld, "/ontology/0.1.0", "text/turtle")
    assert versioned.status_code == 200
    assert get(ld, "/ontology/9.9.9", "text/turtle").status_code == 404


def test_ontology_documentation_is_generated_by_pylode(ld):
    response = get(ld, "/ontology", "text/html")
    assert response.status_code == 200
    assert response.headers.get("X-PPKG-Ontology-Doc") is None, "pyLODE fell back"
    body = response.text
    assert "pyLODE" in body
    assert "<title>Political Prisoners Knowledge Graph ontology</title>" in body
    # fragments are the terms' local names: <…/ontology#term> lands on its term
    for name in ("timeServed", "PrisonerStatus", "ReportedSpeech", "Imprisonment"):
        assert f'id="{name}"' in body
    assert get(ld, "/ontology.html").content == response.content


# --- HTTP: caching, HEAD, 404, 406, Vary -------------------------------------------------------

def test_etag_last_modified_and_304(ld):
    first = get(ld, path(PERSON), "text/turtle")
    etag = first.headers["ETag"]
    assert etag and first.headers["Last-Modified"]
    exposed = first.headers["Access-Control-Expose-Headers"]
    assert "ETag" in exposed and "Link" in exposed  # readable by cross-origin scripts
    again = get(ld, path(PERSON), "text/turtle", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["ETag"] == etag
    assert "Accept" in again.headers["Vary"]
    assert get(ld, path(PERSON), "text/turtle",
               headers={"If-None-Match": '"something-else"'}).status_code == 200
    assert get(ld, path(PERSON), "text/turtle",
               headers={"If-Modified-Since": first.headers["Last-Modified"]}).status_code == 304
    # another representation has another ETag
    other = get(ld, path(PERSON), "application/ld+json")
    assert other.headers["ETag"] != etag
    assert get(ld, path(PERSON), "application/ld+json",
               headers={"If-None-Match": etag}).status_code == 200
    page = get(ld, path(PERSON), "text/html")
    assert get(ld, path(PERSON), "text/html",
               headers={"If-None-Match": page.headers["ETag"]}).status_code == 304


@pytest.mark.parametrize("target", [path(PERSON), path(EVENT) + ".trig", "/ontology",
                                    "/terms/timeServed", "/classes/Person", "/dataset"])
def test_head_answers_the_get_headers_without_a_body(ld, target):
    got = get(ld, target, "text/turtle")
    head = requests.head(ld.url + target, headers={"Accept": "text/turtle"}, timeout=30)
    assert head.status_code == got.status_code == 200
    assert head.content == b""
    for name in ("Content-Type", "ETag", "Last-Modified", "Vary"):
        assert head.headers.get(name) == got.headers.get(name), name
    assert int(head.headers["Content-Length"]) == len(got.content)


def test_unknown_resources_are_404(ld):
    for target in ("/id/person/nobody", "/id/person/nobody.ttl", "/id/no-such-kind/x",
                   "/id/person", "/terms/nothing", "/ontology.png"):
        response = get(ld, target, "text/turtle")
        assert response.status_code == 404, target
    response = get(ld, "/id/person/nobody", "application/json")
    assert response.json()["status"] == 404


def test_406_lists_what_is_available(ld):
    response = get(ld, path(PERSON), "image/png, application/pdf;q=0.5")
    assert response.status_code == 406
    body = response.json()
    for media_type in ("text/turtle", "application/n-triples", "application/ld+json",
                       "application/rdf+xml", "application/trig", "application/n-quads",
                       "text/html"):
        assert media_type in body["available"]
    assert get(ld, path(PERSON) + "?format=pdf").status_code == 406
    assert get(ld, "/ontology", "image/png").status_code == 406


# --- bad input: clear 4xx, never a 500 -----------------------------------------------------------

@pytest.mark.parametrize("target, expected", [
    ("/id/person/" + "a" * 5000, 414),
    ("/id/" + "x/" * 600 + "y", 414),
    ("/id/person/%2e%2e/%2e%2e/etc/passwd", 400),
    ("/id/person/%2E", 400),
    ("/id/person/a%00b", 400),
    ("/id/person/a%20b", 400),
    ("/id/person/%3Cscript%3E", 400),
    ("/id/person/a%22b", 400),
    ("/id/person/%ff%fe", 400),  # not UTF-8: U+FFFD, not an IRI character
    ("/id/person/%F0%9F%92%A9", 404),
    ("/id/person/x%2Fy", 404),
    ("/id/person/a%", 400),  # a bare % is not an IRI character
    ("/id/person/gozal-bayramli.exe", 404),
    ("/terms/" + "A" * 3000, 414),
    ("/terms/a%20b", 404),
    ("/classes/%00", 404),
    ("/ontology/%2e%2e", 400),
])
def test_bad_paths_get_a_clear_4xx(ld, target, expected):
    response = requests.get(ld.url + target, headers={"Accept": "text/turtle"}, timeout=30,
                            allow_redirects=False)
    assert response.status_code == expected, (target, response.text[:200])
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json()["status"] == expected


@pytest.mark.parametrize("accept", [
    "text/turtle;q=abc",
    "text/turtle;q=nan",
    "text/turtle;q=-1",
    "text/turtle;q=1e309",
    ";;;,,,;q=",
    "*/*;q=0.0000000001",
    "\x7f\x01text/turtle",
    ",".join(f"application/x-{i};q=0.{i % 10}" for i in range(700)),
    "text/turtle;" + "level=1;" * 800,
    "a" * 7000,
])
def test_absurd_accept_headers_are_not_errors(ld, accept):
    try:
        response = requests.get(ld.url + path(PERSON), headers={"Accept": accept}, timeout=30)
    except (ValueError, requests.exceptions.InvalidHeader):  # the client refuses to send it
        return
    assert response.status_code in (200, 400, 406, 431), response.text[:200]


def test_no_500_on_other_odd_requests(ld):
    for target in ("/id/", "/id", "/id//x", "/terms/", "/classes/", "/dumps/", "/dumps/../x",
                   "/id/person/gozal-bayramli?format=" + "x" * 3000,
                   "/id/person/gozal-bayramli?format=text/turtle;q=2"):
        response = requests.get(ld.url + target, timeout=30, allow_redirects=False)
        assert response.status_code < 500, target


# --- PPKG_BASE_IRI, and a crawl of the whole graph ----------------------------------------------

def test_default_base_iri_writes_w3id_iris(ld):
    graph = parse(get(ld, path(PERSON), "text/turtle"), "turtle")
    assert (U(PERSON), RDF.type, P.Person) in graph


def test_base_iri_maps_paths_and_every_iri_written(local):
    base = local.url + "/"
    person = base + "id/person/gozal-bayramli"
    response = get(local, "/id/person/gozal-bayramli", "text/turtle")
    assert response.status_code == 200
    assert W3ID not in response.text  # every ppkg IRI is the server's own
    graph = parse(response, "turtle")
    assert (U(person), RDF.type, U(base + "ontology#Person")) in graph
    assert (U(base + "id/event/imprisonment-gozal-bayramli"), U(base + "ontology#concerns"),
            U(person)) in graph
    quads = parse(get(local, "/id/event/imprisonment-ilkin-rustamzade.trig"), "trig")
    assert in_graph(quads, base + "id/source/d406463585ba4a26",
                    (U(base + "id/event/imprisonment-ilkin-rustamzade"),
                     U(base + "ontology#timeServed"), Literal("P6Y", datatype=XSD.duration)))
    context = get(local, "/id/person/gozal-bayramli.jsonld").json()["@context"]
    assert context["ppkg"] == base + "ontology#"
    page = get(local, "/id/person/gozal-bayramli", "text/html").text
    assert f'<p class="iri">{person}</p>' in page
    assert 'href="/id/event/imprisonment-gozal-bayramli"' in page
    ontology = parse(get(local, "/ontology.ttl"), "turtle")
    assert (U(base + "ontology#timeServed"), RDF.type, OWL.FunctionalProperty) in ontology


def test_crawl_reaches_the_whole_graph_from_one_person(local):
    """Follow every IRI under the base from one person's IRI, as a client with only requests and
    rdflib would (Turtle; a #fragment is fetched without it), and compare the resources reached
    with every resource IRI the store holds."""
    base = local.url + "/"
    start = base + "id/person/gozal-bayramli"
    seen, queue = {start}, deque([start])
    while queue:
        iri = queue.popleft()
        response = requests.get(iri, headers={"Accept": "text/turtle"}, timeout=30)
        assert response.status_code == 200, iri
        assert response.headers["Content-Type"].startswith("text/turtle")
        graph = rdflib.Graph()
        graph.parse(data=response.content, format="turtle", publicID=iri)
        for term in set(graph.subjects()) | set(graph.predicates()) | set(graph.objects()):
            if isinstance(term, URIRef) and str(term).startswith(base):
                found = urldefrag(str(term))[0]
                if found not in seen:
                    seen.add(found)
                    queue.append(found)
    rows = sparql_select(local.url, f"""
        SELECT DISTINCT ?x WHERE {{
          {{ ?x ?p ?o }} UNION {{ ?s ?p ?x }}
          FILTER (isIRI(?x) && STRSTARTS(STR(?x), "{W3ID}id/"))
        }}""")
    in_store = {base + row["x"]["value"][len(W3ID):] for row in rows}
    assert len(in_store) > 100
    assert {iri for iri in seen if iri.startswith(base + "id/")} == in_store
    assert base + "ontology" in seen


def test_dumps_and_dataset_follow_the_base_iri(local):
    base = local.url + "/"
    graph = parse(get(local, "/dataset.ttl"), "turtle")
    dataset = U(base + "dataset")
    assert (dataset, U("http://rdfs.org/ns/void#sparqlEndpoint"), U(base + "sparql")) in graph
    assert (dataset, U("http://rdfs.org/ns/void#dataDump"), U(base + "dumps/ppkg.trig")) in graph
    assert get(local, "/dumps/ppkg.trig").status_code == 200

