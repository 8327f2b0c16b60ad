"""The researchers' workbench in a real browser: Debian's Chromium (tests/browser.py) against a real
`ppkg serve` of the shipped graph, every request outside 127.0.0.1 aborted and recorded, and every
page served with the Content-Security-Policy a deployment sends (no inline script, no eval).

The query editor loads and runs a catalog example; its timeline, network and chart views draw
(their elements counted against the results); the row-limit notice shows; a person's page draws
its timeline and network from its data; the header's search finds "Gahramanli" from "gahramanlı";
no page logs an error; and without JavaScript the pages still give their lists and forms.
"""

from __future__ import annotations

import pytest
import requests

from browser import open_page
from conftest import start_server, stop_server
from ld_helpers import start_shipped

# What the server will send with its pages (script-src 'self': no inline script, no eval), and
# nothing fetched or sent anywhere but the server itself.
CSP = "script-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'"

# JavaScript: how many pixels of the canvases in an element are not fully transparent.
PAINTED = """(el) => Array.from(el.querySelectorAll('canvas')).reduce((n, canvas) => {
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) n++;
  return n;
}, 0)"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    srv = start_shipped(tmp_path_factory.mktemp("workbench"), backend="embedded")
    yield srv
    stop_server(srv)


def rows_of(site, name: str) -> list[dict]:
    response = requests.get(f"{site.url}/queries/{name}.json", timeout=30)
    assert response.status_code == 200
    return response.json()["results"]["bindings"]


def open_editor(rec, url: str) -> None:
    rec.page.goto(url + "/sparql")
    rec.page.wait_for_selector("#editor[data-ready=true] .yasqe .CodeMirror")


def run_example(rec, title: str) -> None:
    rec.page.get_by_role("button", name=title, exact=True).click()
    rec.page.wait_for_selector(".tabPanel.active .yasr table.dataTable tbody tr")


# --- the query editor ----------------------------------------------------------------------------

def test_query_editor_runs_a_catalog_example_with_nothing_sent_elsewhere(site, browser):
    expected = rows_of(site, "people")
    with open_page(browser, csp=CSP) as rec:
        open_editor(rec, site.url)
        page = rec.page
        assert page.evaluate("window.ppkgEditor.getTab().getEndpoint()") == site.url + "/sparql"
        first = page.evaluate("window.ppkgEditor.getTab().getYasqe().getValue()")
        assert "PREFIX ppkg: <https://w3id.org/ppkg/ontology#>" in first
        run_example(rec, "Everyone in the graph, source by source")
        assert page.locator(".tab.active").inner_text().strip().startswith("Everyone in the graph")
        shown = page.locator(".tabPanel.active .yasr table.dataTable tbody tr")
        assert shown.count() == len(expected) > 10
        assert "Fuad Gahramanli" in page.locator(".tabPanel.active .yasr").inner_text()
        # completing a prefix offers ppkg's, from nothing but the page
        page.evaluate("""() => { const y = window.ppkgEditor.getTab().getYasqe();
            y.setValue('PREFIX pers'); y.focus(); y.setCursor(0, 11); y.autocomplete(); }""")
        page.wait_for_selector(".CodeMirror-hints li")
        assert "person: <https://w3id.org/ppkg/id/person/>" in \
            page.locator(".CodeMirror-hints li").all_inner_texts()
        page.wait_for_timeout(300)
        rec.assert_clean()


def test_timeline_and_network_views_draw_the_results(site, browser):
    rows = rows_of(site, "timeline")
    dated = [r for r in rows if "date" in r]
    iris = {r[v]["value"] for r in rows for v in r if r[v]["type"] == "uri"}
    with open_page(browser, csp=CSP) as rec:
        open_editor(rec, site.url)
        page = rec.page
        run_example(rec, "Timeline of dated events")
        panel = ".tabPanel.active .yasr"
        page.locator(f"{panel} .select_timeline").click()
        page.wait_for_selector(f"{panel} .yasr-view.timeline[data-drawn]")
        items = page.locator(f"{panel} .vis-item.vis-box, {panel} .vis-item.vis-range")
        assert items.count() == len(dated) > 5
        assert page.locator(f"{panel} .vis-item.vis-range").count() >= 2  # the years 2018, 2019
        page.locator(f"{panel} .select_network").click()
        page.wait_for_selector(f"{panel} .yasr-view.network[data-drawn]")
        view = page.locator(f"{panel} .yasr-view.network")
        assert view.evaluate("el => el.ppkgPicture.nodes().length") == len(iris)
        assert view.evaluate("el => el.ppkgPicture.edges().length") > 5
        page.wait_for_function(f"({PAINTED})(document.querySelector('{panel} .yasr-view.network')) > 0")
        rec.assert_clean()


def test_chart_view_draws_counts(site, browser):
    query = ("PREFIX ppkg: <https://w3id.org/ppkg/ontology#>\nSELECT ?kind (COUNT(DISTINCT ?x) AS ?n)"
             " WHERE { ?x a ?kind FILTER (STRSTARTS(STR(?kind), STR(ppkg:))) } GROUP BY ?kind")
    with open_page(browser, csp=CSP) as rec:
        open_editor(rec, site.url)
        page = rec.page
        page.evaluate("q => { const y = window.ppkgEditor.getTab().getYasqe(); y.setValue(q); "
                      "y.query(); }", query)
        page.wait_for_selector(".tabPanel.active .yasr table.dataTable tbody tr")
        rows = page.locator(".tabPanel.active .yasr table.dataTable tbody tr").count()
        page.locator(".tabPanel.active .yasr .select_chart").click()
        view = page.locator(".tabPanel.active .yasr-view.chart[data-drawn]")
        view.wait_for()
        bars = view.evaluate("el => el.ppkgPicture.getDatasetMeta(0).data.length")
        assert bars == rows > 10
        page.wait_for_function(f"({PAINTED})(document.querySelector('.tabPanel.active .yasr-view.chart')) > 0")
        rec.assert_clean()


@pytest.fixture(scope="module")
def small_limit(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("row-limit")
    srv = start_server(["--row-limit", "3"], tmp / "serve.log", env={"PPKG_DATA_DIR": str(tmp / "data")})
    yield srv
    stop_server(srv)


def test_the_editor_says_when_the_row_limit_cut_the_result(small_limit, browser):
    with open_page(browser, csp=CSP) as rec:
        open_editor(rec, small_limit.url)
        page = rec.page
        ask = "q => { const y = window.ppkgEditor.getTab().getYasqe(); y.setValue(q); y.query(); }"
        page.evaluate(ask, "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 10")
        notice = page.locator(".tabPanel.active .ppkg-truncated")
        notice.wait_for()
        assert "row limit (3 rows)" in notice.inner_text()
        assert page.locator(".tabPanel.active .yasr table.dataTable tbody tr").count() == 3
        page.locator(".tabPanel.active .yasr .select_response").click()
        assert notice.is_visible()  # whichever view shows the result
        page.evaluate(ask, "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 2")
        page.wait_for_function("() => !document.querySelector('.tabPanel.active .ppkg-truncated')")
        rec.assert_clean()


# --- pages -----------------------------------------------------------------------------------------

def test_a_person_page_draws_its_timeline_and_network(site, browser):
    timeline = requests.get(site.url + "/timeline/person/mehman-huseynov.json", timeout=30).json()
    network = requests.get(site.url + "/network/person/mehman-huseynov.json", timeout=30).json()
    dated = [c for e in timeline["timeline"]["events"] for c in e["claims"] if c["when"]]
    with open_page(browser, csp=CSP) as rec:
        page = rec.page
        page.goto(site.url + "/id/person/mehman-huseynov")
        drawn = page.locator("[data-picture=timeline][data-drawn]")
        drawn.wait_for()
        assert drawn.locator(".vis-item.vis-box, .vis-item.vis-range").count() == len(dated) == 4
        assert drawn.locator(".vis-item.vis-range").count() == 2  # 2018 and 2019: whole years
        labels = drawn.locator(".vis-item .vis-item-content").all_inner_texts()
        assert "Opposition rally of 19 January 2019" in labels
        net = page.locator("[data-picture=network][data-drawn]")
        net.wait_for()
        assert net.evaluate("el => el.ppkgPicture.nodes().length") == len(network["network"]["nodes"])
        assert net.evaluate("el => el.ppkgPicture.edges().length") == len(network["network"]["edges"])
        page.wait_for_function(f"({PAINTED})(document.querySelector('[data-picture=network]')) > 0")
        # the lists stay under the pictures
        assert page.locator("ol.timeline li").count() == len(timeline["timeline"]["events"])
        rec.assert_clean()


def test_search_from_any_page_finds_gahramanli(site, browser):
    with open_page(browser, csp=CSP) as rec:
        page = rec.page
        page.goto(site.url + "/id/person/ilkin-rustamzade")
        page.fill("#site-search", "gahramanlı")
        page.press("#site-search", "Enter")
        page.wait_for_selector("ol.results li.result")
        first = page.locator("ol.results li.result").first
        assert first.locator("a").first.inner_text() == "Fuad Gahramanli"
        assert first.locator("mark").first.inner_text() == "Gahramanli"
        rec.assert_clean()


PAGES = ["/", "/search?q=rustamzade", "/id/person/ilkin-rustamzade", "/id/person/gozal-bayramli",
         "/id/organization/popular-front-of-azerbaijan-party", "/id/organization/nida",
         "/id/event/novruz-2019-mass-release", "/id/event/imprisonment-ilkin-rustamzade",
         "/id/document/novruz-2019-pardon-decree", "/id/source/d406463585ba4a26",
         "/id/source/b5ef6d9da071791b", "/id/statement/b5ef6d9da071791b-insanov-big-prison",
         "/id/membership/ilkin-rustamzade-nida", "/id/offence/smuggling", "/terms/Person",
         "/timeline", "/timeline/person/gozal-bayramli", "/network/organization/nida",
         "/sparql", "/queries", "/queries/timeline", "/classes", "/classes/Person", "/dataset",
         "/submissions", "/validate", "/ontology"]


def test_no_page_logs_an_error_or_reaches_outside(site, browser):
    for path in PAGES:
        with open_page(browser, csp=CSP) as rec:
            rec.page.goto(site.url + path)
            rec.page.wait_for_load_state("networkidle")
            assert rec.page.title(), path
            problems = rec.problems()
            assert not problems, f"{path}: {problems}"


def test_without_javascript_the_lists_and_forms_remain(site, browser):
    with open_page(browser, javascript=False) as rec:
        page = rec.page
        page.goto(site.url + "/id/person/mehman-huseynov")
        assert page.locator("ol.timeline li").count() >= 8
        assert page.locator("[data-picture] canvas").count() == 0
        page.locator("details.edges summary").click()
        assert page.locator("ul.edges li").count() > 5
        page.goto(site.url + "/sparql")
        assert page.locator("textarea#query").is_visible()
        page.fill("#site-search", "Gahramanli")
        page.press("#site-search", "Enter")
        page.wait_for_selector("ol.results li.result")
        assert "Fuad Gahramanli" in page.locator("ol.results").inner_text()
