"""The record forms of /entry in Debian's Chromium, against a real `ppkg serve` with its
Content-Security-Policy (no inline script, no eval): shacl-form draws the form from the shapes,
a value that breaks a shape shows that shape's message before anything is sent, and a filled
person-and-release form lands pending in the review queue. With PPKG_SHOTS=DIR set, the pages
are also saved there as screenshots."""

from __future__ import annotations

import os
import time

import pytest
import requests

from archive_helpers import ask, start_archive, stop_archive
from browser import open_page

SHOTS = os.environ.get("PPKG_SHOTS")
FORM = "document.getElementById('record').shadowRoot"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    archive = start_archive(tmp_path_factory.mktemp("entry-browser"))
    yield archive
    stop_archive(archive)


def until(page, script: str, seconds: float = 20) -> None:
    """Poll a script (page.wait_for_function would eval a string, which the CSP forbids)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if page.evaluate(script):
            return
        time.sleep(0.1)
    raise AssertionError(f"never true: {script}")


def shot(page, name: str) -> None:
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        page.screenshot(path=os.path.join(SHOTS, name), full_page=True)


def open_form(page, url: str) -> None:
    page.goto(url)
    until(page, f"!!({FORM} && {FORM}.querySelectorAll('input').length > 0) "
                "&& document.body.dataset.entryReady === 'true'")


def messages(page) -> list[str]:
    return page.evaluate(f"Array.from({FORM}.querySelectorAll('.validation-error'))"
                         ".map(e => getComputedStyle(e, '::after').content + ' ' + e.title)")


def test_a_broken_field_shows_the_shapes_message_before_anything_is_sent(site, browser):
    with open_page(browser, viewport=(1200, 1400)) as rec:
        page = rec.page
        open_form(page, site.url + "/entry/release")
        form = page.locator("#record")
        form.locator("select").first.select_option(label="a new person")
        form.get_by_label("name", exact=True).fill("Gahramanlı")
        form.get_by_label("date", exact=True).fill("16/03/2019")
        until(page, f"{FORM}.querySelectorAll('.validation-error').length > 0")
        shown = messages(page)
        assert any("An event's date (ppkg:date) must be a valid xsd:date (2019-03-16)" in m
                   for m in shown), shown
        shot(page, "form-invalid-date.png")
        page.fill("#form-token", site.tokens["clara"])
        page.fill("#form-summary", "should not be sent")
        page.click("#entry-submit")
        until(page, "document.getElementById('entry-status').textContent.startsWith('Not sent')")
        assert page.url.endswith("/entry/release")
        rec.assert_clean()
    assert requests.get(site.url + "/review", headers={"Accept": "application/json",
                                                       **site.auth("alice")},
                        timeout=30).json()["count"] == 0


def test_a_person_and_release_form_lands_pending_in_the_review_queue(site, browser):
    with open_page(browser, viewport=(1200, 1400)) as rec:
        page = rec.page
        open_form(page, site.url + "/entry/release")
        shot(page, "form-release-empty.png")
        form = page.locator("#record")
        form.locator("select").first.select_option(label="a new person")
        form.get_by_label("name", exact=True).fill("Rüstəmzadə")
        form.get_by_label("other names", exact=True).fill("Rustamzade")
        form.get_by_label("date", exact=True).fill("2019-03")
        form.get_by_label("title", exact=True).fill("Court record 2019/12")
        form.get_by_label("archival reference", exact=True).fill("Baku City Court, case 12")
        publisher = form.get_by_label("publisher", exact=True)
        publisher.fill("front")  # the pick-list offers the graph's organisations
        until(page, f"{FORM}.querySelectorAll('datalist option').length > 0")
        options = page.evaluate(f"Array.from({FORM}.querySelectorAll('datalist option'))"
                                ".map(o => [o.value, o.textContent])")
        assert ["https://w3id.org/ppkg/id/organization/test-front", "Test Front Party"] in options
        publisher.fill("https://w3id.org/ppkg/id/organization/test-front")
        page.fill("#form-token", site.tokens["clara"])
        page.fill("#form-summary", "The release of Rüstəmzadə, from the court record")
        time.sleep(0.5)
        assert not messages(page)
        shot(page, "form-release-filled.png")
        with page.expect_navigation():
            page.click("#entry-submit")
        assert "Waiting for review" in page.inner_text("body")
        shot(page, "form-release-sent.png")
        rec.assert_clean()
    pending = requests.get(site.url + "/review", headers={"Accept": "application/json",
                                                          **site.auth("alice")}, timeout=30).json()
    assert [s["summary"] for s in pending["submissions"]] == [
        "The release of Rüstəmzadə, from the court record"]
    review = requests.get(site.url + pending["submissions"][0]["url"].split(site.url)[-1],
                          headers={"Accept": "text/turtle", **site.auth("alice")}, timeout=30)
    data = review.text
    assert '"Rüstəmzadə"' in data and '"Release of Rüstəmzadə"' in data, data
    assert '"2019-03"^^' in data and "gYearMonth" in data, data
    assert "forms#" not in data  # the form's own shapes are no fact of the record
    assert not ask(site.url, 'ASK { ?p <http://www.w3.org/2000/01/rdf-schema#label> "Rüstəmzadə" }')


def test_a_spreadsheet_report_page_names_rows_and_columns(site, browser, tmp_path):
    people = tmp_path / "people.csv"
    people.write_text("name,occupation,source_title,source_date\n"
                      "Gahramanlı,blogger,Court record,2019\n"
                      "Rüstəmzadə,astronaut,Court record,2019\n", encoding="utf-8")
    with open_page(browser, viewport=(1200, 900)) as rec:
        page = rec.page
        open_form(page, site.url + "/entry/person")  # drawn: no fetch of its left to abort
        page.set_input_files("#sheet", str(people))
        with page.expect_navigation():
            page.click("button[formaction]")
        text = page.inner_text("table.cells")
        assert "3\toccupation\tastronaut\tViolation: No occupation in the graph is named" in text
        shot(page, "sheet-report.png")
        rec.assert_clean()
