"""Search through a real `ppkg serve`, on both stores: names in any case and with or without
diacritics, transliterations of Azerbaijani names, words of a quote, what matched and which source
states it, HTML and JSON; and a submission found once accepted and gone once withdrawn, whichever
worker answers (the index file is shared and kept current by the store's changes)."""

from __future__ import annotations

import re

import pytest
import requests

from archive_helpers import (PREFIXES, cite, post_turtle, source)
from conftest import BACKENDS, stop_server
from ld_helpers import SOURCE_A, SOURCE_B, W3ID, start_shipped
from ppkg.search.fold import fold, skeleton

GAHRAMANLI = W3ID + "id/person/fuad-gahramanli"
RUSTAMZADE = W3ID + "id/person/ilkin-rustamzade"


@pytest.fixture(scope="module", params=BACKENDS)
def shipped(request, tmp_path_factory):
    srv = start_shipped(tmp_path_factory.mktemp("search"), request=request)
    yield srv
    stop_server(srv)


def search(server, q: str, **params) -> list[dict]:
    response = requests.get(server.url + "/search.json", params={"q": q, **params}, timeout=30)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    return response.json()["results"]


def iris(results: list[dict]) -> list[str]:
    return [r["iri"] for r in results]


# --- folding --------------------------------------------------------------------------------------

def test_folding_rules():
    assert fold("Gahramanlı") == fold("GAHRAMANLI") == fold("gahramanli") == "gahramanli"
    assert fold("İlkin Rüstəmzadə") == "ilkin rustamzada"
    assert fold("Şəhla Çələbi Ağayeva") == "sahla calabi agayeva"
    assert fold("Øresund Straße Łódź") == "oresund strasse lodz"
    assert skeleton("Rüstəmzadə") == skeleton("Rustamzade")
    assert skeleton("Muxtarlı") == skeleton("Mukhtarli")
    assert skeleton("Quliyev") == skeleton("Guliyev")
    assert skeleton("Cəfərov") == skeleton("Jafarov")
    assert skeleton("Şahin") == skeleton("Shahin") and skeleton("Çingiz") == skeleton("Chingiz")
    assert skeleton("Mammadov") != skeleton("Mahmudov")


# --- the shipped graph ----------------------------------------------------------------------------

def test_a_name_without_its_dotless_i_finds_the_person(shipped):
    for typed in ("gahramanlı", "Gahramanli", "GAHRAMANLI", "Fuad Gahram"):
        found = search(shipped, typed)
        assert found and found[0]["iri"] == GAHRAMANLI, (typed, iris(found))
        first = found[0]
        assert first["kind"] == "person" and first["label"] == "Fuad Gahramanli"
        assert first["href"] == "/id/person/fuad-gahramanli"
        assert {"field": "label", "text": "Fuad Gahramanli",
                "sources": [{"iri": SOURCE_B, "href": "/id/source/b5ef6d9da071791b",
                             "label": "Untitled news article on the mass holiday pardon "
                                      "(004_b5ef6d9da071791b)"}]} in first["matched"]
    # the events of his case are found by his name too
    assert W3ID + "id/event/release-fuad-gahramanli-2019" in iris(search(shipped, "gahramanlı"))


def test_azerbaijani_spellings_find_the_english_one(shipped):
    for typed in ("rüstəmzadə", "RÜSTƏMZADƏ", "Rustamzade", "rustamzada", "İlkin"):
        assert RUSTAMZADE in iris(search(shipped, typed, kind="person")), typed
    assert W3ID + "id/person/afgan-mukhtarli" in iris(search(shipped, "Muxtarlı", kind="person"))
    assert search(shipped, "zzzqx") == []


def test_every_name_a_source_gives_with_its_source(shipped):
    heydar = next(r for r in search(shipped, "heydar", kind="person"))
    assert heydar["iri"] == W3ID + "id/person/heydar-aliyev"
    names = {n["name"]: {s["iri"] for s in n["sources"]} for n in heydar["names"]}
    assert names == {"Heydar Aliyev": {SOURCE_A}, "Haydar Aliyev": {SOURCE_B}}
    # found by either spelling; an alternative name (skos:altLabel) finds the organisation
    assert heydar["iri"] in iris(search(shipped, "haydar"))
    party = search(shipped, "pfpa")[0]
    assert party["kind"] == "organization" and party["label"] != "PFPA"
    assert {"field": "name", "text": "PFPA"} == {k: party["matched"][0][k] for k in ("field", "text")}


def test_words_of_a_quote_find_the_statement(shipped):
    found = search(shipped, "our struggle contin", kind="statement")
    quote = next(r for r in found
                 if r["iri"] == W3ID + "id/statement/b5ef6d9da071791b-rustamzade-struggle-continues")
    matched = next(m for m in quote["matched"] if m["field"] == "quote")
    assert matched["text"].startswith("But our struggle continues. What is important")
    assert [s["iri"] for s in matched["sources"]] == [SOURCE_B]
    assert all(r["kind"] == "statement" for r in found)


def test_kinds_narrow_and_every_result_has_a_kind_and_a_source(shipped):
    everything = search(shipped, "aliyev", limit=50)
    assert {r["kind"] for r in everything} >= {"person", "event", "statement"}
    for r in everything:
        assert r["kind"] and r["label"] and r["matched"]
        assert all(s["iri"] in (SOURCE_A, SOURCE_B) for m in r["matched"] for s in m["sources"])
    people = search(shipped, "aliyev", kind="person")
    assert people and all(r["kind"] == "person" for r in people)
    # memberships and figures have labels too, but are not what is looked for
    assert not [r for r in search(shipped, "deputy chairperson", limit=50)
                if "/membership/" in r["iri"]]


def test_search_page_and_bad_requests(shipped):
    page = requests.get(shipped.url + "/search", params={"q": "gahramanlı"}, timeout=30)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert 'href="/id/person/fuad-gahramanli">Fuad Gahramanli</a>' in page.text
    assert re.search(r"<mark>Gahramanli</mark>", page.text)
    assert 'value="gahramanlı"' in page.text
    negotiated = requests.get(shipped.url + "/search", params={"q": "nida"}, timeout=30,
                              headers={"Accept": "application/json"})
    assert negotiated.json()["results"][0]["label"] == "NIDA"
    assert requests.get(shipped.url + "/search.json", timeout=30).json()["results"] == []
    for params in ({"q": "x", "kind": "membership"}, {"q": "x" * 201}, {"q": "x", "limit": "many"}):
        assert requests.get(shipped.url + "/search.json", params=params, timeout=30).status_code == 400
    # FTS5 syntax typed by someone is only words
    for typed in ('"', "a*", "NEAR(", "x OR", "-", "{col}:x"):
        assert requests.get(shipped.url + "/search.json", params={"q": typed},
                            timeout=30).status_code == 200


# --- accepted submissions --------------------------------------------------------------------------



def test_a_submission_is_found_once_accepted_and_not_once_withdrawn(archive):
    person = "https://w3id.org/ppkg/id/person/aysen-mammadli"
    text = (PREFIXES + source("court") + 'person:aysen-mammadli a ppkg:Person ; '
            f'rdfs:label "Ayşən Məmmədli" ; {cite("court")} .\n')
    assert not search(archive, "aysen mammadli")
    response = post_turtle(archive.url, "/submissions", text,
                           {**archive.auth("alice"), "Accept": "application/json"},
                           summary="A person from the court records")
    assert response.status_code == 201, response.text
    body = response.json()
    for _ in range(6):  # every worker
        found = search(archive, "aysen mammadli")
        assert [r["iri"] for r in found] == [person]
        assert found[0]["matched"][0]["sources"][0]["iri"] == body["graph"]
        assert found[0]["kind"] == "person"
    withdrawn = requests.delete(archive.url + f"/submissions/{body['id']}",
                                params={"note": "a test"}, headers=archive.auth("alice"),
                                timeout=30)
    assert withdrawn.status_code == 200
    for _ in range(6):
        assert search(archive, "aysen mammadli") == []
