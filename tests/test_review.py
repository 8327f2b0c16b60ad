"""Archivists review what contributors submit, on real servers over both stores.

Roles and 401/403; a contributor's submission stays out of /sparql, /id/, the dumps, the list of
published submissions and the data version until it is accepted; the review's report, diff and
conflicts name the right resources and sources; a stale review is refused with the new one, an
unrelated change does not make it stale; violations that appear meanwhile block acceptance;
rejection needs a note; two decisions at once give one 200 and one 409; the history and PROV-O
records; the HTML pages with their session; the answers match /openapi.json's schemas.
"""

from __future__ import annotations

import gzip
import json
import threading
from datetime import datetime

import jsonschema
import pytest
import requests

from archive_helpers import (PREFIXES, PROVENANCE_GRAPH, SUBMISSION_BASE, ask, cite,
                             post_turtle, ppkg, select, source)

PERSON = "https://w3id.org/ppkg/id/person/"
EVENT = "https://w3id.org/ppkg/id/event/"
ARCHIVE_SOURCE = "https://w3id.org/ppkg/id/source/archive-test"  # the published graph's source


VIRTUOSO_STORE = "review"  # its own Virtuoso for the conftest `archive` fixture


@pytest.fixture(scope="module")
def schemas(archive):
    """A validator for each schema /openapi.json documents."""
    spec = requests.get(archive.url + "/openapi.json", timeout=30).json()

    def check(name: str, body: dict) -> None:
        jsonschema.Draft202012Validator(
            {"$ref": f"#/components/schemas/{name}", "components": spec["components"]}).validate(body)
    return check


def submit(archive, text: str, token: str = "clara", **params):
    return post_turtle(archive.url, "/submissions", text,
                       {**archive.auth(token), "Accept": "application/json"},
                       summary=params.pop("summary", "Reviewed data"), **params)


def queued(archive, text: str, token: str = "clara") -> str:
    response = submit(archive, text, token)
    assert response.status_code == 202, response.text
    return response.json()["id"]


def review(archive, submission_id: str, token: str = "alice") -> requests.Response:
    return requests.get(f"{archive.url}/review/{submission_id}", timeout=60,
                        headers={**archive.auth(token), "Accept": "application/json"})


def decide(archive, submission_id: str, action: str, token: str = "alice", **fields):
    return requests.post(f"{archive.url}/review/{submission_id}/{action}", json=fields, timeout=60,
                         headers={**archive.auth(token), "Accept": "application/json"})


def new_person(tag: str, extra: str = "") -> str:
    return PREFIXES + source(tag) + f"""
person:{tag} a ppkg:Person ; rdfs:label "Person {tag}" ; {cite(tag)} .
{extra}"""


# --- roles ------------------------------------------------------------------------------------

def test_roles_and_authentication(archive):
    submission_id = queued(archive, new_person("roles"))
    for method, path in (("GET", "/review"), ("GET", f"/review/{submission_id}"),
                         ("POST", f"/review/{submission_id}/accept"),
                         ("POST", f"/review/{submission_id}/reject")):
        for headers in ({}, {"Authorization": "Bearer ppkg_not-a-token"}):
            response = requests.request(method, archive.url + path, timeout=30,
                                        headers={**headers, "Accept": "application/json"})
            assert response.status_code == 401, (method, path, headers)
            assert response.headers["WWW-Authenticate"].startswith("Bearer")
    # a contributor decides nothing, and sees only their own submissions
    assert decide(archive, submission_id, "accept", "clara", fingerprint="x").status_code == 403
    assert decide(archive, submission_id, "reject", "clara", note="no").status_code == 403
    assert review(archive, submission_id, "clara").json()["mayDecide"] is False
    assert review(archive, submission_id, "carl").status_code == 404
    listed = requests.get(archive.url + "/review", headers=archive.auth("carl"), timeout=30).json()
    assert submission_id not in [s["id"] for s in listed["submissions"]]
    assert listed["viewer"] == {"name": "carl", "role": "contributor"}
    # nor publishes at once
    refused = submit(archive, new_person("roles-self"), review="self")
    assert refused.status_code == 403 and "archivist" in refused.json()["error"]
    # archivists see everything; an admin token is an archivist's too
    for token in ("alice", "root"):
        listed = requests.get(archive.url + "/review", headers=archive.auth(token), timeout=30).json()
        assert submission_id in [s["id"] for s in listed["submissions"]]
    tokens = ppkg(archive.data_dir, "token", "list").stdout
    assert "clara\tcontributor" in tokens and "alice\tarchivist" in tokens and "root\tadmin" in tokens


def test_unsourced_submission_is_refused(archive):
    """The issue's example: a person with no source document at all."""
    response = submit(archive, PREFIXES + 'person:test-person a ppkg:Person ; rdfs:label "Test Person" .')
    assert response.status_code == 422
    [result] = response.json()["results"]
    assert result["focusNode"] == PERSON + "test-person"
    assert "Say which source document states this" in result["message"]
    half = PREFIXES + source("half").replace(" ; ppkg:url <https://example.org/reports/half>", "") + \
        f'person:half a ppkg:Person ; rdfs:label "Half" ; {cite("half")} .'
    [result] = submit(archive, half).json()["results"]
    assert result["focusNode"] == "https://w3id.org/ppkg/id/source/half-report"
    assert "must say where to find it" in result["message"]


# --- pending data is not public --------------------------------------------------------------

def public_mentions(archive, tag: str) -> dict[str, bool]:
    url = archive.url
    dump = requests.get(url + "/dumps/ppkg.trig", timeout=60).text
    nq = gzip.decompress(requests.get(url + "/dumps/ppkg.nq.gz", timeout=60).content).decode()
    listed = requests.get(url + "/submissions?limit=1000", timeout=30).json()["submissions"]
    return {
        "sparql": ask(url, f'ASK {{ GRAPH ?g {{ ?s ?p ?o FILTER(CONTAINS(STR(?s), "{tag}") '
                           f'|| CONTAINS(STR(?o), "{tag}")) }} }}'),
        "id": requests.get(f"{url}/id/person/{tag}", timeout=30).status_code != 404,
        "dumps": tag in dump or tag in nq,
        "submissions": any(tag in s["summary"] for s in listed),
    }


def test_pending_data_is_not_public_until_accepted(archive, schemas):
    tag = "pending-secret"
    version = requests.get(archive.url + "/health", timeout=30).json()["dataset_version"]
    response = submit(archive, new_person(tag), summary=f"About {tag}")
    assert response.status_code == 202
    body = response.json()
    schemas("Queued", body)
    assert body["status"] == "pending" and response.headers["Location"] == f"/review/{body['id']}"
    for _ in range(3):  # whichever worker answers
        assert public_mentions(archive, tag) == dict.fromkeys(
            ("sparql", "id", "dumps", "submissions"), False)
    assert requests.get(archive.url + f"/submissions/{body['id']}", timeout=30).status_code == 404
    assert requests.get(archive.url + "/health", timeout=30).json()["dataset_version"] == version

    seen = review(archive, body["id"])
    schemas("Review", seen.json())
    accepted = decide(archive, body["id"], "accept", fingerprint=seen.json()["fingerprint"],
                      note="Checked against the report")
    assert accepted.status_code == 200, accepted.text
    schemas("QueueItem", accepted.json())
    assert accepted.headers["Location"] == f"/submissions/{body['id']}"
    for _ in range(3):
        assert public_mentions(archive, tag) == dict.fromkeys(
            ("sparql", "id", "dumps", "submissions"), True)
    assert requests.get(archive.url + "/health", timeout=30).json()["dataset_version"] != version


# --- the review: report, diff, conflicts -----------------------------------------------------------

CONFLICTING = PREFIXES + source("court", "Court record") + f"""
person:rauf-testov rdfs:label "Rauf Testoff" ; ppkg:knownFor "his blog" ; {cite("court")} .
event:arrest-rauf-testov ppkg:date "2018-05-03"^^xsd:date ; {cite("court")} .
person:new-witness a ppkg:Person ; rdfs:label "New Witness" ; {cite("court")} .
event:hearing-rauf-testov a ppkg:Event ; rdfs:label "Hearing of Rauf Testov" ; ppkg:dateUnknown true ;
    ppkg:concerns person:rauf-testov ; {cite("court")} .
person:aysel-testova a ppkg:Person ; {cite("court")} .
"""


def test_review_shows_report_diff_and_conflicts(archive, schemas):
    submission_id = queued(archive, CONFLICTING)
    body = review(archive, submission_id).json()
    schemas("Review", body)
    assert body["status"] == "pending" and body["mayDecide"] is True
    # the report: no violation, the warning listed
    report = body["report"]
    assert report["conforms"] and report["counts"]["Warning"] == 1
    [warning] = report["results"]
    assert warning["focusNode"] == EVENT + "hearing-rauf-testov" and "specific type" in warning["message"]
    # the diff: new resources and new statements about published ones, with their published names
    diff = body["diff"]
    new = {r["resource"]: r for r in diff["newResources"]}
    assert set(new) == {PERSON + "new-witness", EVENT + "hearing-rauf-testov",
                        "https://w3id.org/ppkg/id/source/court-report"}
    assert new[PERSON + "new-witness"]["label"] == "New Witness"
    existing = {r["resource"]: r for r in diff["existingResources"]}
    assert set(existing) == {PERSON + "rauf-testov", EVENT + "arrest-rauf-testov", PERSON + "aysel-testova"}
    rauf = existing[PERSON + "rauf-testov"]
    assert rauf["label"] == "Rauf Testov"  # as published
    assert rauf["publishedIn"] == [{"graph": ARCHIVE_SOURCE, "label": "Archive test article"}]
    added = {(s["predicateLabel"], s["object"]["value"]) for s in rauf["statements"]}
    assert ("known for", "his blog") in added and ("name", "Rauf Testoff") in added
    aysel = existing[PERSON + "aysel-testova"]
    assert aysel["alreadyPublished"] == 1  # her type; only the source is new
    assert [s["predicate"] for s in aysel["statements"]] == ["https://w3id.org/ppkg/ontology#source"]
    assert diff["counts"]["newResources"] == 3 and diff["counts"]["existingResources"] == 3
    # the conflicts: side by side, each with its source; no overwrite
    conflicts = {(c["resource"], c["propertyLabel"]): c for c in body["conflicts"]}
    assert set(conflicts) == {(EVENT + "arrest-rauf-testov", "date"), (PERSON + "rauf-testov", "name")}
    date = conflicts[(EVENT + "arrest-rauf-testov", "date")]
    assert date["resourceLabel"] == "Arrest of Rauf Testov"
    assert date["submitted"]["text"] == "2018-05-03"
    assert date["submitted"]["sources"] == [{"iri": "https://w3id.org/ppkg/id/source/court-report",
                                             "label": "Court record"}]
    assert date["published"]["text"] == "2018-05-01"
    assert date["published"]["source"]["graph"] == ARCHIVE_SOURCE
    assert date["published"]["source"]["label"] == "Archive test article"
    name = conflicts[(PERSON + "rauf-testov", "name")]
    assert (name["submitted"]["text"], name["published"]["text"]) == ("Rauf Testoff", "Rauf Testov")
    # accepted, both values stand, each in its own graph
    done = decide(archive, submission_id, "accept", fingerprint=body["fingerprint"])
    assert done.status_code == 200, done.text
    rows = select(archive.url, f"""SELECT ?g ?d WHERE {{ GRAPH ?g {{
        <{EVENT}arrest-rauf-testov> <https://w3id.org/ppkg/ontology#date> ?d }} }} ORDER BY ?d""")
    assert [(r["g"], r["d"]) for r in rows] == [(ARCHIVE_SOURCE, "2018-05-01"),
                                              (SUBMISSION_BASE + submission_id, "2018-05-03")]


def test_figures_conflict_as_the_catalog_says(archive):
    """Exactly 399 against more than 400 is a disagreement; "dozens" contradicts nothing."""
    decree = "<https://w3id.org/ppkg/id/document/review-decree>"

    def figure(tag, qualifier, value, words):
        number = f"ppkg:value {value} ;" if value is not None else ""
        return PREFIXES + source(tag) + f"""
{decree} a ppkg:PardonDecree ; rdfs:label "Review decree" ; {cite(tag)} ;
    ppkg:peopleReleased [ a ppkg:Figure ; rdfs:label "{words}" ; ppkg:qualifier ppkg:{qualifier} ;
                          {number} ppkg:asStated "{words}" ] ."""
    published = submit(archive, figure("figures-a", "Exactly", 399, "399 people were released"),
                       token="alice")
    assert published.status_code == 201, published.text
    for text, expected in ((figure("figures-b", "MoreThan", 400, "more than 400 freed"), 1),
                           (figure("figures-c", "Dozens", None, "dozens freed"), 0),
                           (figure("figures-d", "Exactly", 399, "exactly 399"), 0)):
        found = review(archive, queued(archive, text)).json()["conflicts"]
        assert len(found) == expected, found
    [conflict] = review(archive, queued(archive, figure("figures-e", "MoreThan", 500, "over 500"))
                        ).json()["conflicts"]
    assert (conflict["submitted"]["text"], conflict["published"]["text"]) == (
        "over 500", "399 people were released")
    assert conflict["published"]["source"]["graph"] == published.json()["graph"]
    assert conflict["published"]["source"]["cites"] == [
        {"iri": "https://w3id.org/ppkg/id/source/figures-a-report", "label": "Report figures-a"}]


# --- decisions --------------------------------------------------------------------------------

def test_stale_review_is_refused_with_the_new_one(archive, schemas):
    submission_id = queued(archive, new_person("stale", 'person:rauf-testov ppkg:knownFor "chess" ; '
                                                         + cite("stale") + " ."))
    seen = review(archive, submission_id).json()
    assert seen["conflicts"] == []
    # an unrelated publication does not change the review: it still holds
    assert submit(archive, new_person("unrelated"), token="bob").status_code == 201
    assert review(archive, submission_id).json()["fingerprint"] == seen["fingerprint"]
    # a source that now says something else about the same resource does
    other = PREFIXES + source("stale-other") + \
        f'person:stale ppkg:knownFor "her letters" ; rdfs:label "Stale Person" ; {cite("stale-other")} .'
    assert submit(archive, other, token="bob").status_code == 201
    refused = decide(archive, submission_id, "accept", fingerprint=seen["fingerprint"])
    assert refused.status_code == 409
    body = refused.json()
    schemas("Refusal", body)
    assert body["reason"] == "stale" and body["review"]["fingerprint"] != seen["fingerprint"]
    [conflict] = body["review"]["conflicts"]
    assert (conflict["resource"], conflict["submitted"]["text"], conflict["published"]["text"]) == (
        PERSON + "stale", "Person stale", "Stale Person")
    assert not ask(archive.url, f"ASK {{ <{PERSON}stale> ?p \"Person stale\" }}")
    done = decide(archive, submission_id, "accept", fingerprint=body["review"]["fingerprint"])
    assert done.status_code == 200, done.text


def test_violations_appearing_meanwhile_block_acceptance(archive):
    """Two memberships' members: each valid alone, and the second one published meanwhile."""
    membership = "mem:review-contested"

    def member(tag, who):
        return PREFIXES + source(tag) + f"""
{membership} a ppkg:Membership ; rdfs:label "Contested" ; ppkg:member {who} ;
    ppkg:organization orgn:test-front ; ppkg:role role:member ; {cite(tag)} ."""
    submission_id = queued(archive, member("member-a", "person:aysel-testova"))
    fingerprint = review(archive, submission_id).json()["fingerprint"]
    assert submit(archive, member("member-b", "person:rauf-testov"), token="bob").status_code == 201
    refused = decide(archive, submission_id, "accept", fingerprint=fingerprint)
    assert refused.status_code == 422 and refused.json()["reason"] == "violations"
    assert refused.json()["review"]["report"]["counts"]["Violation"] == 1
    assert review(archive, submission_id).json()["status"] == "pending"


def test_fingerprint_and_note_are_required_and_rejection_is_final(archive):
    submission_id = queued(archive, new_person("rejected"))
    assert decide(archive, submission_id, "accept").status_code == 400
    assert decide(archive, submission_id, "reject").status_code == 400
    assert decide(archive, submission_id, "reject", note="   ").status_code == 400
    bad_body = requests.post(f"{archive.url}/review/{submission_id}/reject", data=b"[1]",
                             headers={**archive.auth("alice"), "Content-Type": "application/json"},
                             timeout=30)
    assert bad_body.status_code == 400
    done = decide(archive, submission_id, "reject", note="The source does not say this")
    assert done.status_code == 200
    assert done.json()["decision"]["note"] == "The source does not say this"
    fingerprint = "sha256:" + "0" * 64
    again = decide(archive, submission_id, "accept", token="bob", fingerprint=fingerprint)
    assert again.status_code == 409 and again.json()["reason"] == "decided"
    assert again.json()["decision"]["reviewedBy"] == "alice"
    shown = review(archive, submission_id).json()
    assert shown["status"] == "rejected" and "report" not in shown
    assert not ask(archive.url, f"ASK {{ <{PERSON}rejected> ?p ?o }}")
    statuses = requests.get(archive.url + "/review?status=rejected", headers=archive.auth("alice"),
                            timeout=30).json()
    assert submission_id in [s["id"] for s in statuses["submissions"]]
    assert requests.get(archive.url + "/review?status=nonsense", headers=archive.auth("alice"),
                        timeout=30).status_code == 400
    assert decide(archive, "20990101-000000-000000", "reject", note="x").status_code == 404


def test_two_decisions_at_once_one_wins(archive):
    """Two archivists decide the same submission at the same moment: one 200, one 409."""
    for n in range(6):
        submission_id = queued(archive, new_person(f"race-{n}"))
        fingerprint = review(archive, submission_id).json()["fingerprint"]
        actions = [("alice", "accept", {"fingerprint": fingerprint}),
                   ("bob", "reject" if n % 2 else "accept",
                    {"note": "race", "fingerprint": fingerprint})]
        barrier = threading.Barrier(2)
        results: list = [None, None]

        def send(i: int) -> None:
            token, action, fields = actions[i]
            barrier.wait()
            results[i] = decide(archive, submission_id, action, token, **fields)

        pool = [threading.Thread(target=send, args=(i,)) for i in range(2)]
        for t in pool:
            t.start()
        for t in pool:
            t.join()
        statuses = sorted(r.status_code for r in results)
        assert statuses == [200, 409], [(r.status_code, r.text) for r in results]
        winner = results[[r.status_code for r in results].index(200)].json()
        loser = results[[r.status_code for r in results].index(409)].json()
        assert loser["reason"] == "decided" and loser["decision"] == winner["decision"]
        published = ask(archive.url, f"ASK {{ <{PERSON}race-{n}> ?p ?o }}")
        assert published is (winner["status"] == "accepted")
        assert len([g for g in select(archive.url, f"""SELECT DISTINCT ?g WHERE {{
            GRAPH ?g {{ <{PERSON}race-{n}> ?p ?o }} }}""")]) == (1 if published else 0)


# --- history, provenance, withdrawal -----------------------------------------------------------

def test_history_and_provenance(archive, schemas):
    extra = f'person:aysel-testova ppkg:knownFor "her reporting" ; {cite("history")} .'
    submission_id = queued(archive, new_person("history", extra))
    fingerprint = review(archive, submission_id).json()["fingerprint"]
    assert decide(archive, submission_id, "accept", token="bob", fingerprint=fingerprint,
                  note="Matches the article").status_code == 200
    self_reviewed = submit(archive, PREFIXES + source("history-self") +
                           f'person:aysel-testova ppkg:knownFor "her poems" ; {cite("history-self")} .',
                           token="alice", note="From my own notes")
    assert self_reviewed.status_code == 201
    history = requests.get(archive.url + "/submissions", timeout=30,
                           params={"resource": PERSON + "aysel-testova"}).json()
    schemas("SubmissionList", history)
    by_id = {s["id"]: s for s in history["submissions"]}
    record = by_id[submission_id]
    assert (record["attributedTo"], record["reviewedBy"], record["note"], record["selfReviewed"]) == (
        "clara", "bob", "Matches the article", False)
    # as times: a store may drop trailing zeros of the fraction ("13.9Z" is before "13.96Z")
    assert datetime.fromisoformat(record["submittedAt"]) < datetime.fromisoformat(
        record["generatedAt"])
    mine = by_id[self_reviewed.json()["id"]]
    assert (mine["attributedTo"], mine["reviewedBy"], mine["selfReviewed"], mine["note"]) == (
        "alice", "alice", True, "From my own notes")
    html = requests.get(archive.url + "/submissions", params={"resource": PERSON + "aysel-testova"},
                        headers={"Accept": "text/html"}, timeout=30).text
    assert "Matches the article" in html and submission_id in html
    page = requests.get(archive.url + "/id/person/aysel-testova", timeout=30,
                        headers={"Accept": "text/html"}).text  # the person's page lists both
    section = page[page.index('<section id="history">'):]
    section = section[:section.index("</section>")]
    assert f"/submissions/{submission_id}" in section and "reviewed by bob" in section
    assert "Matches the article" in section and "self-reviewed" in section
    assert requests.get(archive.url + "/submissions", params={"resource": "not an iri"},
                        timeout=30).status_code == 400
    graph = SUBMISSION_BASE + submission_id
    [row] = select(archive.url, f"""
        PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX dcterms: <http://purl.org/dc/terms/>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?submitter ?sent ?accepted ?reviewer ?ended ?note ?shapes WHERE {{
          GRAPH <{PROVENANCE_GRAPH}> {{
            <{graph}> prov:wasAttributedTo/rdfs:label ?submitter ; dcterms:dateSubmitted ?sent ;
                prov:generatedAtTime ?accepted ; prov:wasGeneratedBy ?review .
            ?review prov:wasAssociatedWith/rdfs:label ?reviewer ; prov:endedAtTime ?ended ;
                dcterms:description ?note ; prov:used/dcterms:identifier ?shapes }} }}""")
    assert (row["submitter"], row["reviewer"], row["note"]) == ("clara", "bob", "Matches the article")
    assert row["ended"] == row["accepted"] and row["shapes"].startswith("sha256:")
    # withdrawn by an archivist, with a note: recorded, and out of the resource's history
    withdrawn = requests.delete(archive.url + f"/submissions/{submission_id}", timeout=30,
                                params={"note": "The article was corrected"},
                                headers=archive.auth("root"))
    assert withdrawn.status_code == 200
    assert ask(archive.url, f"""PREFIX prov: <http://www.w3.org/ns/prov#>
        PREFIX dcterms: <http://purl.org/dc/terms/>
        ASK {{ GRAPH <{PROVENANCE_GRAPH}> {{ <{graph}> prov:wasInvalidatedBy ?w .
               ?w dcterms:description "The article was corrected" }} }}""")
    history = requests.get(archive.url + "/submissions", timeout=30,
                           params={"resource": PERSON + "aysel-testova"}).json()
    assert "submissions" in history, history
    assert submission_id not in [s["id"] for s in history["submissions"]]
    assert requests.get(archive.url + "/id/person/history", timeout=30).status_code == 404


# --- the CLI ----------------------------------------------------------------------------------

def test_cli_review(archive, tmp_path):
    def cli(*args, token="alice"):
        return ppkg(archive.data_dir, "review", *args, "--endpoint", archive.url,
                    "--token", archive.tokens[token])

    path = tmp_path / "sub.ttl"
    path.write_text(CONFLICTING.replace("court", "cli-court").replace("new-witness", "cli-witness"))
    sent = ppkg(archive.data_dir, "submit", str(path), "--endpoint", archive.url,
                "--token", archive.tokens["clara"], "--summary", "From the CLI")
    assert sent.returncode == 0 and "Queued for an archivist's review" in sent.stdout, sent.stderr
    submission_id = sent.stdout.split("/review/")[1].split()[0]
    listed = cli("list")
    assert listed.returncode == 0 and submission_id in listed.stdout
    shown = cli("show", submission_id)
    assert shown.returncode == 0
    assert "'2018-05-03' (this submission, after Court record) vs '2018-05-01' (Archive test article)" in shown.stdout
    assert "new cli-witness" not in shown.stdout and "new Person" not in shown.stdout
    fingerprint = json.loads(cli("show", submission_id, "--format", "json").stdout)["fingerprint"]
    assert f"--fingerprint {fingerprint}" in shown.stdout
    assert cli("accept", submission_id, "--fingerprint", fingerprint, token="clara").returncode == 2
    wrong = cli("accept", submission_id, "--fingerprint", "sha256:" + "1" * 64)
    assert wrong.returncode == 1 and "409" in wrong.stderr and "Fingerprint:" in wrong.stderr
    done = cli("accept", submission_id, "--fingerprint", fingerprint, "--note", "ok")
    assert done.returncode == 0 and f"/submissions/{submission_id}" in done.stdout
    assert cli("reject", submission_id, "--note", "late").returncode == 1
    withdrawn = cli("withdraw", submission_id, "--note", "the court record was wrong")
    assert withdrawn.returncode == 0
    other = queued(archive, new_person("cli-reject"))
    assert cli("reject", other, "--note", "no source for this").returncode == 0
    assert "rejected" in cli("show", other).stdout


# --- the HTML pages' session ------------------------------------------------------------------

def test_html_pages_need_a_session(archive):
    submission_id = queued(archive, new_person("html-session"))
    page = requests.get(archive.url + f"/review/{submission_id}", headers={"Accept": "text/html"},
                        allow_redirects=False, timeout=30)
    assert page.status_code == 303 and "/review/sign-in" in page.headers["Location"]
    session = requests.Session()
    wrong = session.post(archive.url + "/review/sign-in", data={"token": "ppkg_wrong"}, timeout=30)
    assert wrong.status_code == 401 and "Invalid" in wrong.text
    signed = session.post(archive.url + "/review/sign-in", allow_redirects=False, timeout=30,
                          data={"token": archive.tokens["alice"], "next": f"/review/{submission_id}"})
    assert signed.status_code == 303 and signed.headers["Location"] == f"/review/{submission_id}"
    cookie = signed.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/review" in cookie
    page = session.get(archive.url + f"/review/{submission_id}", headers={"Accept": "text/html"},
                       timeout=30)
    assert page.status_code == 200 and 'id="conflicts"' in page.text and "Person html-session" in page.text
    # a form posted with the session but without the page's csrf value is refused
    forged = session.post(archive.url + f"/review/{submission_id}/reject", timeout=30,
                          data={"note": "forged"}, headers={"Accept": "text/html"})
    assert forged.status_code == 403
    assert review(archive, submission_id).json()["status"] == "pending"
    # somewhere else to go after signing in is not followed
    elsewhere = session.post(archive.url + "/review/sign-in", allow_redirects=False, timeout=30,
                             data={"token": archive.tokens["alice"], "next": "https://evil.example/"})
    assert elsewhere.headers["Location"] == "/review"
    out = session.post(archive.url + "/review/sign-out", allow_redirects=False, timeout=30)
    assert out.status_code == 303
    assert session.get(archive.url + "/review", headers={"Accept": "text/html"},
                       allow_redirects=False, timeout=30).status_code == 303


def test_openapi_documents_the_archive(archive):
    from openapi_spec_validator import validate

    spec = requests.get(archive.url + "/openapi.json", timeout=30).json()
    validate(spec)
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    operations = {(path, method): op for path, item in spec["paths"].items()
                  for method, op in item.items()}
    for key in (("/validate", "post"), ("/submissions", "post"), ("/submissions", "get"),
                ("/submissions/{submission_id}", "get"), ("/submissions/{submission_id}", "delete"),
                ("/review", "get"), ("/review/{submission_id}", "get"),
                ("/review/{submission_id}/accept", "post"), ("/review/{submission_id}/reject", "post")):
        assert key in operations, key
    assert {"201", "202", "401", "403", "422"} <= set(operations[("/submissions", "post")]["responses"])
    assert {"200", "409", "422"} <= set(operations[("/review/{submission_id}/accept", "post")]["responses"])
