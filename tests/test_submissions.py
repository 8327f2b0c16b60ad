"""The submissions API on a real server with a temporary data dir: tokens, 401/403/400/422/201/410,
provenance, withdrawal, visibility through /sparql, concurrency (nothing lost, and two uploads that
only together violate a shape cannot both pass), restarts, the HTML form and the CLI.

alice and bob are archivists: what they submit is published at once, recorded as self-reviewed.
Contributors' submissions and their review are tests/test_review.py's."""

from __future__ import annotations

import json
import os
import stat
import threading

import requests

from archive_helpers import (PREFIXES, PROVENANCE_GRAPH, SUBMISSION_BASE, ask, cite,
                             graph_sizes, person_upload, post_turtle, ppkg, select, source,
                             start_archive_server)
from conftest import stop_server

PERSON = "https://w3id.org/ppkg/id/person/"




def submit(archive, text: str, token: str | None = "alice", summary: str | None = "Test data",
           accept: str = "application/json", **headers):
    params = {"summary": summary} if summary is not None else {}
    auth = archive.auth(token) if token else {}
    return post_turtle(archive.url, "/submissions", text, {**auth, "Accept": accept, **headers},
                       **params)


def triples_in(url: str, graph: str) -> int:
    rows = select(url, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    return int(rows[0]["n"])


# --- authentication and input checks ------------------------------------------------------------

def test_missing_and_bad_tokens_are_401(archive):
    text, _ = person_upload("auth")
    response = submit(archive, text, token=None)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    response = post_turtle(archive.url, "/submissions", text,
                           {"Authorization": "Bearer ppkg_not-a-real-token"}, summary="x")
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
    response = post_turtle(archive.url, "/submissions", text,
                           {"Authorization": "Basic YWxpY2U6c2VjcmV0"}, summary="x")
    assert response.status_code == 401


def test_tokens_are_stored_hashed_and_private(archive):
    path = archive.data_dir / "tokens.json"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    content = path.read_text()
    for token in archive.tokens.values():
        assert token not in content
    listed = ppkg(archive.data_dir, "token", "list")
    assert listed.returncode == 0 and "alice" in listed.stdout and "root\tadmin" in listed.stdout
    for token in archive.tokens.values():
        assert token not in listed.stdout
    assert ppkg(archive.data_dir, "token", "create", "alice").returncode == 2  # names are never reused
    for token in archive.tokens.values():
        assert token not in archive.server.log()


def test_summary_is_mandatory(archive):
    text, _ = person_upload("nosummary")
    assert submit(archive, text, summary=None).status_code == 400
    response = submit(archive, text, summary="   ")
    assert response.status_code == 400 and "summary" in response.json()["error"]


def test_bad_inputs(archive):
    text, _ = person_upload("bad-input")
    assert submit(archive, text, **{"Content-Type": "application/x-nope"}).status_code == 415
    broken = submit(archive, PREFIXES + "person:x a ppkg:Person ;;\n")
    assert broken.status_code == 400 and broken.json()["line"] is not None
    big = person_upload("big", 4000)[0]
    assert submit(archive, big).status_code == 413


def test_named_graphs_cannot_be_written(archive):
    before = graph_sizes(archive.url)
    for graph in ("https://w3id.org/ppkg/id/source/archive-test", PROVENANCE_GRAPH,
                  "https://w3id.org/ppkg/ontology", SUBMISSION_BASE + "20260101-000000-abcdef"):
        body = PREFIXES + f'<{graph}> {{ person:intruder a ppkg:Person ; rdfs:label "Intruder" }}'
        response = post_turtle(archive.url, "/submissions", body,
                               {**archive.auth("alice"), "Content-Type": "application/trig"},
                               summary="into another graph")
        assert response.status_code == 400
        assert f"<{graph}>" in response.json()["error"]
    assert graph_sizes(archive.url) == before


# --- accepted, rejected ------------------------------------------------------------------------

def test_valid_submission_is_published_at_once(archive):
    text, triples = person_upload("accepted", 3)
    version = requests.get(archive.url + "/health", timeout=30).json()["dataset_version"]
    assert requests.get(archive.url + "/id/person/accepted-1", timeout=30).status_code == 404
    response = submit(archive, text, summary="Three people from the court records")
    assert response.status_code == 201, response.text
    body = response.json()
    assert response.headers["Location"] == f"/submissions/{body['id']}"
    assert body["graph"] == SUBMISSION_BASE + body["id"]
    assert body["triples"] == triples and body["attributedTo"] == "alice"
    # visible to the very next query, whichever worker answers it
    for _ in range(6):
        assert triples_in(archive.url, body["graph"]) == triples
        assert ask(archive.url, f"ASK {{ <{PERSON}accepted-2> a <https://w3id.org/ppkg/ontology#Person> }}")
    # and to linked-data requests, under a new version
    for _ in range(6):
        page = requests.get(archive.url + "/id/person/accepted-1", timeout=30,
                            headers={"Accept": "text/turtle"})
        assert page.status_code == 200 and "Person 1 of accepted" in page.text
    assert requests.get(archive.url + "/health", timeout=30).json()["dataset_version"] != version
    record = requests.get(archive.url + response.headers["Location"], timeout=30).json()
    assert record["status"] == "published" and record["summary"] == "Three people from the court records"
    assert "accepted-1" in record["data"]
    listed = requests.get(archive.url + "/submissions", timeout=30).json()["submissions"]
    assert body["id"] in [s["id"] for s in listed]
    # provenance
    prov = select(archive.url, f"""
        PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX dcterms: <http://purl.org/dc/terms/>
        SELECT ?who ?when ?summary ?shapes WHERE {{ GRAPH <{PROVENANCE_GRAPH}> {{
          <{body['graph']}> prov:wasAttributedTo ?agent ; prov:generatedAtTime ?when ;
             dcterms:description ?summary ; prov:wasGeneratedBy/prov:used/dcterms:identifier ?shapes .
          ?agent <http://www.w3.org/2000/01/rdf-schema#label> ?who }} }}""")
    assert prov == [{"who": "alice", "when": body["generatedAt"],
                     "summary": "Three people from the court records",
                     "shapes": body["shapesVersion"]}]


def test_record_formats(archive):
    text, _ = person_upload("formats", 1)
    location = submit(archive, text).headers["Location"]
    turtle = requests.get(archive.url + location, headers={"Accept": "text/turtle"}, timeout=30)
    assert turtle.status_code == 200 and turtle.headers["Content-Type"].startswith("text/turtle")
    assert "formats-0" in turtle.text and "wasAttributedTo" in turtle.text
    trig = requests.get(archive.url + location + "?format=trig", timeout=30)
    assert f"<{SUBMISSION_BASE}" in trig.text and f"<{PROVENANCE_GRAPH}>" in trig.text
    html = requests.get(archive.url + location, headers={"Accept": "text/html"}, timeout=30)
    assert html.status_code == 200 and "Person 0 of formats" in html.text
    listing = requests.get(archive.url + "/submissions", headers={"Accept": "text/html"}, timeout=30)
    assert location.rsplit("/", 1)[1] in listing.text
    assert requests.get(archive.url + "/submissions/20990101-000000-000000", timeout=30).status_code == 404
    assert requests.get(archive.url + "/submissions/not-an-id", timeout=30).status_code == 404


def test_violation_is_422_and_nothing_is_stored(archive):
    before = graph_sizes(archive.url)
    log_before = sorted(os.listdir(archive.data_dir / "log")) if (archive.data_dir / "log").exists() else []
    text = PREFIXES + source("rejected") + f"""
person:rejected-one a ppkg:Person ; rdfs:label "Rejected One" ; {cite("rejected")} .
event:rejected-arrest a ppkg:Arrest ; rdfs:label "Rejected arrest" ; ppkg:concerns person:rejected-one ;
    ppkg:date "2019-02-30"^^xsd:date ; {cite("rejected")} .
"""
    response = submit(archive, text)
    assert response.status_code == 422
    body = response.json()
    assert body["status"] == 422 and body["conforms"] is False and body["counts"]["Violation"] == 1
    assert body["results"][0]["path"] == "<https://w3id.org/ppkg/ontology#date>"
    assert not ask(archive.url, f"ASK {{ <{PERSON}rejected-one> ?p ?o }}")
    assert graph_sizes(archive.url) == before
    log_after = sorted(os.listdir(archive.data_dir / "log")) if (archive.data_dir / "log").exists() else []
    assert log_after == log_before
    html = submit(archive, text, accept="text/html")
    assert html.status_code == 422 and "Refused: the report" in html.text


def test_warnings_are_kept_in_the_provenance(archive):
    text = PREFIXES + source("vague") + f"""
event:vague-event a ppkg:Event ; rdfs:label "Something happened" ; ppkg:dateUnknown true ;
    {cite("vague")} .
"""
    response = submit(archive, text, summary="An event of no specific kind")
    assert response.status_code == 201
    body = response.json()
    assert body["report"]["counts"]["Warning"] == 1
    record = requests.get(archive.url + f"/submissions/{body['id']}", timeout=30).json()
    [warning] = record["warnings"]
    assert warning["severity"] == "Warning" and "specific type" in warning["message"]
    assert warning["focusNode"] == "https://w3id.org/ppkg/id/event/vague-event"
    assert ask(archive.url, f"""PREFIX sh: <http://www.w3.org/ns/shacl#>
        ASK {{ GRAPH <{PROVENANCE_GRAPH}> {{ <{body['graph']}#report> sh:result ?r .
               ?r sh:resultSeverity sh:Warning ; sh:focusNode <https://w3id.org/ppkg/id/event/vague-event> }} }}""")


# --- withdrawal --------------------------------------------------------------------------------

def test_withdrawal(archive):
    text, triples = person_upload("withdrawn", 2)
    body = submit(archive, text, token="alice").json()
    url = archive.url + f"/submissions/{body['id']}"
    assert ask(archive.url, f"ASK {{ <{PERSON}withdrawn-0> ?p ?o }}")
    # a contributor may not, even with a note; nobody without a token may; nor without a note
    assert requests.delete(url, headers=archive.auth("clara"), params={"note": "mine"},
                           timeout=30).status_code == 403
    assert requests.delete(url, params={"note": "x"}, timeout=30).status_code == 401
    response = requests.delete(url, headers=archive.auth("alice"), timeout=30)
    assert response.status_code == 400 and "note" in response.json()["error"]
    response = requests.delete(url, headers=archive.auth("alice"), params={"note": "duplicate"},
                               timeout=30)
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"
    assert response.json()["withdrawalNote"] == "duplicate"
    # gone from the published graph, for every worker
    for _ in range(6):
        assert not ask(archive.url, f"ASK {{ <{PERSON}withdrawn-0> ?p ?o }}")
        rows = select(archive.url, f"SELECT ?o WHERE {{ <{PERSON}withdrawn-1> ?p ?o }}")
        assert rows == []
    assert body["graph"] not in graph_sizes(archive.url)
    assert requests.get(archive.url + "/id/person/withdrawn-0", timeout=30).status_code == 404
    # the record stays, and the URL answers 410
    gone = requests.get(url, timeout=30)
    assert gone.status_code == 410
    assert gone.json()["withdrawnBy"] == "alice" and gone.json()["summary"] == "Test data"
    assert gone.json()["withdrawalNote"] == "duplicate"
    assert ask(archive.url, f"""PREFIX prov: <http://www.w3.org/ns/prov#>
        ASK {{ GRAPH <{PROVENANCE_GRAPH}> {{ <{body['graph']}> prov:invalidatedAtTime ?t ;
               prov:generatedAtTime ?g ; prov:wasAttributedTo ?a }} }}""")
    assert requests.delete(url, headers=archive.auth("alice"), params={"note": "again"},
                           timeout=30).status_code == 410
    assert requests.get(url, headers={"Accept": "text/html"}, timeout=30).status_code == 410


def test_any_archivist_may_withdraw_anyones(archive):
    """Withdrawal is an archivist's decision, not the submitter's."""
    text, _ = person_upload("other-withdrawn", 1)
    body = submit(archive, text, token="bob").json()
    url = archive.url + f"/submissions/{body['id']}"
    assert requests.delete(url, headers=archive.auth("root"), params={"note": "unsourced claim"},
                           timeout=30).status_code == 200
    assert requests.get(url, timeout=30).json()["withdrawnBy"] == "root"
    assert requests.delete(archive.url + "/submissions/20990101-000000-000000", params={"note": "x"},
                           headers=archive.auth("alice"), timeout=30).status_code == 404


# --- concurrency --------------------------------------------------------------------------------

def test_concurrent_submissions_are_all_kept(archive):
    threads, per_thread = 8, 5
    results: list[tuple[str, int, int, dict]] = []
    lock = threading.Lock()

    def worker(n: int) -> None:
        for i in range(per_thread):
            tag = f"concurrent-{n}-{i}"
            text, triples = person_upload(tag, 1 + (n + i) % 4)
            response = submit(archive, text, token=("alice", "bob")[n % 2], summary=tag)
            with lock:
                results.append((tag, triples, response.status_code, response.json()))

    pool = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    assert len(results) == threads * per_thread
    assert all(status == 201 for _, _, status, _ in results), [r for r in results if r[2] != 201]
    sizes = graph_sizes(archive.url)
    for tag, triples, _, body in results:
        assert sizes[body["graph"]] == triples, tag
    assert len({body["id"] for *_, body in results}) == threads * per_thread
    print(f"\nconcurrent submissions: {threads} threads x {per_thread}: "
          f"{len(results)} sent, {len(results)} acknowledged, all present with their triples")


def test_uploads_that_only_together_violate_cannot_both_pass(archive):
    """A membership has at most one member (sh:maxCount 1). Each upload describes the same new
    membership with a different member: either is valid alone, both together are not. Sent at the
    same moment from two threads, exactly one is accepted and the other gets 422; repeated."""
    rounds = 6
    for n in range(rounds):
        membership = f"mem:contested-{n}"
        uploads = [PREFIXES + source(f"contested-{n}") + f"""
{membership} a ppkg:Membership ; rdfs:label "Contested membership {n}" ; {cite(f"contested-{n}")} ;
    ppkg:member {member} ; ppkg:organization orgn:test-front ; ppkg:role role:member .
""" for member in ("person:aysel-testova", "person:rauf-testov")]
        for text in uploads:  # each one alone conforms
            assert requests.post(archive.url + "/validate", data=text.encode(), timeout=60,
                                 headers={"Content-Type": "text/turtle"}).json()["conforms"]
        barrier = threading.Barrier(2)
        statuses: list[int] = [0, 0]
        bodies: list[dict] = [{}, {}]

        def send(i: int) -> None:
            barrier.wait()
            response = submit(archive, uploads[i], token=("alice", "bob")[i], summary=f"round {n}")
            statuses[i], bodies[i] = response.status_code, response.json()

        pool = [threading.Thread(target=send, args=(i,)) for i in range(2)]
        for t in pool:
            t.start()
        for t in pool:
            t.join()
        assert sorted(statuses) == [201, 422], (n, statuses, bodies)
        refused = bodies[statuses.index(422)]
        assert [r["constraint"] for r in refused["results"]] == [
            "http://www.w3.org/ns/shacl#MaxCountConstraintComponent"]
        members = select(archive.url, f"""SELECT ?m WHERE {{
            <https://w3id.org/ppkg/id/membership/contested-{n}> <https://w3id.org/ppkg/ontology#member> ?m }}""")
        assert len(members) == 1
    # and one after the other, the second is refused against the state the first left
    text = PREFIXES + source("second-member") + (
        f"mem:aysel-testova-test-front ppkg:member person:rauf-testov ; {cite('second-member')} .")
    refused = submit(archive, text)
    assert refused.status_code == 422
    assert [r["constraint"] for r in refused.json()["results"]] == [
        "http://www.w3.org/ns/shacl#MaxCountConstraintComponent"]


# --- the HTML form, the CLI, a restart -------------------------------------------------------------

def test_html_form_from_broken_to_accepted(archive):
    page = requests.get(archive.url + "/submissions/new", timeout=30)
    assert page.status_code == 200 and 'name="summary"' in page.text and 'name="token"' in page.text
    broken = PREFIXES + 'person:form-person a ppkg:Person ; ppkg:knownFor "" .\n'
    form = {"token": archive.tokens["alice"], "summary": "Via the form", "format": "turtle"}
    response = requests.post(archive.url + "/submissions", data={**form, "data": broken},
                             files={"file": ("", b"")}, headers={"Accept": "text/html"}, timeout=60)
    assert response.status_code == 422
    assert "must have a name" in response.text and "Via the form" in response.text
    fixed = PREFIXES + source("form") + (
        f'person:form-person a ppkg:Person ; rdfs:label "Form Person" ; ppkg:knownFor "her letters" ; {cite("form")} .\n')
    response = requests.post(archive.url + "/submissions", data={**form, "data": fixed},
                             files={"file": ("", b"")}, headers={"Accept": "text/html"}, timeout=60)
    assert response.status_code == 201
    assert "Published" in response.text and "self-reviewed" in response.text
    assert "Form Person" in response.text
    assert ask(archive.url, f'ASK {{ <{PERSON}form-person> ?p "Form Person" }}')
    bad_token = requests.post(archive.url + "/submissions", data={**form, "token": "nope", "data": fixed},
                              files={"file": ("", b"")}, headers={"Accept": "text/html"}, timeout=60)
    assert bad_token.status_code == 401


def test_cli_submit_and_remote_validate(archive, tmp_path):
    good = tmp_path / "good.ttl"
    good.write_text(person_upload("cli", 2)[0])
    bad = tmp_path / "bad.ttl"
    bad.write_text(PREFIXES + "person:cli-bad a ppkg:Person .\n")
    done = ppkg(archive.data_dir, "validate", str(good), "--endpoint", archive.url)
    assert done.returncode == 0, done.stderr
    assert "Conforms" in done.stdout
    done = ppkg(archive.data_dir, "validate", str(bad), "--endpoint", archive.url)
    assert done.returncode == 1 and "must have a name" in done.stdout
    done = ppkg(archive.data_dir, "validate", str(good), "--endpoint", archive.url, "--format", "json")
    assert done.returncode == 0 and json.loads(done.stdout)["conforms"] is True
    done = ppkg(archive.data_dir, "submit", str(good), "--endpoint", archive.url,
                "--token", archive.tokens["alice"], "--summary", "From the command line")
    assert done.returncode == 0, done.stderr
    assert "Published: " in done.stdout and "/submissions/" in done.stdout
    assert ask(archive.url, f"ASK {{ <{PERSON}cli-1> ?p ?o }}")
    done = ppkg(archive.data_dir, "submit", str(bad), "--endpoint", archive.url,
                "--token", archive.tokens["alice"], "--summary", "Broken")
    assert done.returncode == 1 and "must have a name" in done.stdout
    done = ppkg(archive.data_dir, "submit", str(good), "--endpoint", archive.url,
                "--token", "ppkg_wrong", "--summary", "x")
    assert done.returncode == 2 and "401" in done.stderr
    done = ppkg(archive.data_dir, "submit", str(tmp_path / "missing.ttl"), "--endpoint", archive.url,
                "--token", "x", "--summary", "x")
    assert done.returncode == 2


def test_disabled_without_tokens(tmp_path):
    """No token file: a request with a token answers 403 (disabled), one without 401; revoking the
    last token disables them again."""
    data_dir = tmp_path / "data"
    server = start_archive_server(data_dir, tmp_path / "logs", workers=1)
    try:
        text, _ = person_upload("disabled")
        response = post_turtle(server.url, "/submissions", text,
                               {"Authorization": "Bearer ppkg_anything"}, summary="x")
        assert response.status_code == 403 and "disabled" in response.json()["error"]
        anonymous = requests.delete(server.url + "/submissions/20260101-000000-abcdef", timeout=30)
        assert anonymous.status_code == 401 and "disabled" in anonymous.json()["error"]
        assert requests.get(server.url + "/submissions", timeout=30).json()["submissions"] == []
        token = ppkg(data_dir, "token", "create", "carol").stdout.strip()  # a contributor
        response = post_turtle(server.url, "/submissions", text,
                               {"Authorization": f"Bearer {token}"}, summary="x")
        assert response.status_code == 202 and response.json()["status"] == "pending"
        assert ppkg(data_dir, "token", "revoke", "carol").returncode == 0
        response = post_turtle(server.url, "/submissions", text,
                               {"Authorization": f"Bearer {token}"}, summary="x")
        assert response.status_code == 403
    finally:
        stop_server(server)


def test_restart_replays_the_log(archive):
    """Everything accepted so far, and every withdrawal, is there again after a restart."""
    before = graph_sizes(archive.url)
    listed = requests.get(archive.url + "/submissions?limit=1000", timeout=30).json()["submissions"]
    version = requests.get(archive.url + "/health", timeout=30).json()["dataset_version"]
    stop_server(archive.server)
    archive.server = start_archive_server(archive.data_dir, archive.log_dir, workers=2, name="restart",
                                          env=archive.env)
    assert graph_sizes(archive.url) == before
    again = requests.get(archive.url + "/submissions?limit=1000", timeout=30).json()["submissions"]
    assert again == listed
    assert requests.get(archive.url + "/health", timeout=30).json()["dataset_version"] == version
