"""The review pages in a real browser (Debian's Chromium through tests/browser.py): signing in, the
queue, a submission's review with its report, conflicts and diff, accepting and rejecting from
the page. No console error, no failed request, nothing leaves 127.0.0.1."""

from __future__ import annotations

import pytest
import requests

from archive_helpers import PREFIXES, ask, cite, post_turtle, source, start_archive, stop_archive
from browser import chromium, open_page

PERSON = "https://w3id.org/ppkg/id/person/"

SUBMISSION = PREFIXES + source("browser", "Browser court record") + f"""
event:arrest-rauf-testov ppkg:date "2018-05-03"^^xsd:date ; {cite("browser")} .
person:browser-witness a ppkg:Person ; rdfs:label "Browser Witness" ; {cite("browser")} .
"""


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    arch = start_archive(tmp_path_factory.mktemp("review-browser"), workers=2)
    yield arch
    stop_archive(arch)


def queued(archive, text: str) -> str:
    response = post_turtle(archive.url, "/submissions", text,
                           {**archive.auth("clara"), "Accept": "application/json"},
                           summary="From the court record")
    assert response.status_code == 202, response.text
    return response.json()["id"]


def sign_in(page, archive, token: str = "alice") -> None:
    page.goto(archive.url + "/review/sign-in")
    page.fill("#token", archive.tokens[token])
    page.click("#sign-in")
    page.wait_for_url(archive.url + "/review")


def test_review_and_accept_in_the_browser(archive):
    submission_id = queued(archive, SUBMISSION)
    with chromium() as browser, open_page(browser) as rec:
        page = rec.page
        sign_in(page, archive)
        assert page.locator("table.queue").is_visible()
        page.click(f"text={submission_id}")
        page.wait_for_url(f"{archive.url}/review/{submission_id}")
        for section in ("#report", "#conflicts", "#diff", "#decide"):
            assert page.locator(section).is_visible(), section
        conflicts = page.locator("#conflicts table").inner_text()
        assert "Arrest of Rauf Testov" in conflicts
        assert "2018-05-03" in conflicts and "Browser court record" in conflicts
        assert "2018-05-01" in conflicts and "Archive test article" in conflicts
        assert "Browser Witness" in page.locator("#new-resources").inner_text()
        assert "Arrest of Rauf Testov" in page.locator("#existing-resources").inner_text()
        assert "Conforms" in page.locator("#report").inner_text()
        page.fill("#accept-note", "Checked against the court record")
        page.click("#accept")
        page.wait_for_url(f"{archive.url}/review/{submission_id}")
        assert page.locator("#status").inner_text() == "accepted"
        decision = page.locator("#decision").inner_text()
        assert "alice" in decision and "Checked against the court record" in decision
        rec.assert_clean()
    assert ask(archive.url, f"ASK {{ <{PERSON}browser-witness> ?p ?o }}")


def test_reject_in_the_browser_needs_a_note(archive):
    text = PREFIXES + source("browser-reject") + \
        f'person:browser-rejected a ppkg:Person ; rdfs:label "Rejected Person" ; {cite("browser-reject")} .'
    submission_id = queued(archive, text)
    with chromium() as browser, open_page(browser) as rec:
        page = rec.page
        sign_in(page, archive, "bob")
        page.goto(f"{archive.url}/review/{submission_id}")
        page.click("#reject")  # no note: the browser does not send the form
        assert page.locator("#status").inner_text() == "pending"
        page.fill("#reject-note", "The court record names someone else")
        page.click("#reject")
        page.wait_for_selector("#decision")
        assert page.locator("#status").inner_text() == "rejected"
        assert "The court record names someone else" in page.locator("#decision").inner_text()
        page.goto(archive.url + "/review?status=rejected")
        assert submission_id in page.locator("table.queue").inner_text()
        rec.assert_clean()
    assert not ask(archive.url, f"ASK {{ <{PERSON}browser-rejected> ?p ?o }}")
    assert requests.get(f"{archive.url}/id/person/browser-rejected", timeout=30).status_code == 404
