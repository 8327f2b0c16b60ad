"""The vendored browser libraries (server/ppkg/web/static/vendor/) load and draw offline.

A throwaway http.server on 127.0.0.1 serves a temporary folder holding `static/` (a link to
server/ppkg/web/static, so the URLs are the Flask app's: /static/vendor/...), one small HTML page per
library, and a dummy SPARQL endpoint for YASGUI. Debian's Chromium (tests/browser.py) opens each
page with every request to another host aborted, and each test asserts: no console or page error,
no failed request, nothing sent outside 127.0.0.1, and the DOM that the library should have drawn.
The ppkg server is not involved.
"""

from __future__ import annotations

import functools
import hashlib
import json
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from browser import open_page

REPO = Path(__file__).resolve().parent.parent
STATIC = REPO / "server" / "ppkg" / "web" / "static"
VENDOR = STATIC / "vendor"
MAX_FILE_BYTES = 2 * 1024 * 1024

SPARQL_RESULT = {
    "head": {"vars": ["person", "name"]},
    "results": {
        "bindings": [
            {
                "person": {"type": "uri", "value": f"https://w3id.org/ppkg/id/person/{i}"},
                "name": {"type": "literal", "value": name, "xml:lang": "en"},
            }
            for i, name in enumerate(["Ada", "Bo", "Cy"], start=1)
        ]
    },
}


class Handler(SimpleHTTPRequestHandler):
    """Static files, plus /sparql answering every query with SPARQL_RESULT."""

    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, ".js": "text/javascript", ".mjs": "text/javascript"}

    def log_message(self, format, *args):  # quiet
        pass

    def _sparql(self) -> None:
        if self.command == "POST":
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = json.dumps(SPARQL_RESULT).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path.split("?", 1)[0] == "/sparql":
            return self._sparql()
        return super().do_GET()

    def do_POST(self):
        if self.path.split("?", 1)[0] == "/sparql":
            return self._sparql()
        self.send_error(404)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """(base URL, folder it serves): write a page into the folder, open base URL + "/" + its name."""
    root = tmp_path_factory.mktemp("vendor-site")
    (root / "static").symlink_to(STATIC, target_is_directory=True)
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", root
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def show(site, name: str, html: str) -> str:
    """Write the page into the served folder and give its URL."""
    base, root = site
    (root / name).write_text(html, encoding="utf-8")
    return base + "/" + name


PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<link rel="icon" href="data:,">
{head}
</head><body>
{body}
</body></html>
"""

# JavaScript: how many pixels of a canvas are not fully transparent (something was drawn).
PAINTED = """(canvas) => {
  const ctx = canvas.getContext('2d');
  const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
  let n = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) n++;
  return n;
}"""


# YASQE's "class" and "property" autocompleters ask Linked Open Vocabularies (lov.linkeddata.es)
# whenever a prefixed name is completed; "prefixes" and "variables" work from the bundle. A ppkg
# page turns the two off (or registers its own, asking ppkg's endpoint) before creating Yasgui.
YASGUI_OFFLINE = """Yasgui.defaults.yasqe.autocompleters =
    Yasgui.defaults.yasqe.autocompleters.filter(n => n !== "class" && n !== "property");"""


def test_yasgui_editor_and_results(site, browser):
    base, _ = site
    url = show(site, "yasgui.html", PAGE.format(
        title="YASGUI",
        head='<link rel="stylesheet" href="/static/vendor/yasgui/yasgui.min.css">\n'
             '<script src="/static/vendor/yasgui/yasgui.min.js"></script>',
        body=f"""<div id="yasgui"></div>
<script>
  {YASGUI_OFFLINE}
  window.yasgui = new Yasgui(document.getElementById("yasgui"), {{
    requestConfig: {{ endpoint: "{base}/sparql", method: "POST" }},
    copyEndpointOnNewTab: false,
    persistenceId: null,
  }});
</script>""",
    ))
    with open_page(browser) as rec:
        page = rec.page
        page.goto(url)
        page.wait_for_selector(".yasqe .CodeMirror")
        assert page.locator(".yasgui .tabPanel").count() >= 1
        assert page.evaluate("window.yasgui.getTab().getEndpoint()") == f"{base}/sparql"

        # The editor completes prefixes from the list inside the bundle...
        complete = """t => { const y = window.yasgui.getTab().getYasqe();
          y.setValue(t); y.focus(); y.setCursor(y.lastLine(), 1000); y.autocomplete(); }"""
        page.evaluate(complete, "PREFIX rd")
        page.wait_for_selector(".CodeMirror-hints li")
        assert any(h.startswith("rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>")
                   for h in page.locator(".CodeMirror-hints li").all_inner_texts())
        # ... and, configured as above, completing a class or a property asks nobody.
        page.evaluate(complete, "PREFIX foaf: <http://xmlns.com/foaf/0.1/>\nSELECT * { ?s a foaf:Per")
        page.evaluate(complete, "PREFIX foaf: <http://xmlns.com/foaf/0.1/>\nSELECT * { ?s foaf:na")
        page.wait_for_timeout(500)
        assert rec.outside_requests == []

        # A query goes to the local endpoint and YASR draws its table.
        page.evaluate("""() => {
          const yasqe = window.yasgui.getTab().getYasqe();
          yasqe.setValue('SELECT ?person ?name WHERE { ?person <http://xmlns.com/foaf/0.1/name> ?name }');
          yasqe.query();
        }""")
        page.wait_for_selector(".yasr table.dataTable tbody tr")
        rows = page.locator(".yasr table.dataTable tbody tr")
        assert rows.count() == 3
        assert "Ada" in rows.nth(0).inner_text()
        rec.assert_clean()


def test_vis_timeline_items(site, browser):
    url = show(site, "timeline.html", PAGE.format(
        title="vis-timeline",
        head='<link rel="stylesheet" href="/static/vendor/vis-timeline/vis-timeline-graph2d.min.css">\n'
             '<script src="/static/vendor/vis-timeline/vis-timeline-graph2d.min.js"></script>',
        body="""<div id="timeline"></div>
<script>
  const items = new vis.DataSet([
    { id: 1, content: "Arrest", start: "2021-02-01" },
    { id: 2, content: "Trial", start: "2021-06-15" },
    { id: 3, content: "Detention", start: "2021-02-02", end: "2022-03-01" },
  ]);
  window.timeline = new vis.Timeline(document.getElementById("timeline"), items, {});
</script>""",
    ))
    with open_page(browser) as rec:
        page = rec.page
        page.goto(url)
        # A point item is drawn as a box, a line and a dot (all .vis-item); a range as one bar.
        page.wait_for_function(
            "document.querySelectorAll('.vis-timeline .vis-item.vis-box, .vis-timeline .vis-item.vis-range').length === 3"
        )
        assert page.locator(".vis-item.vis-box").count() == 2
        assert page.locator(".vis-item.vis-range").count() == 1
        texts = sorted(t.strip() for t in page.locator(".vis-item .vis-item-content").all_inner_texts())
        assert texts == ["Arrest", "Detention", "Trial"]
        assert page.locator(".vis-time-axis .vis-text").count() > 0
        rec.assert_clean()


def test_cytoscape_network(site, browser):
    url = show(site, "network.html", PAGE.format(
        title="cytoscape",
        head='<script src="/static/vendor/cytoscape/cytoscape.min.js"></script>',
        body="""<div id="cy" style="width: 600px; height: 400px"></div>
<script>
  window.cy = cytoscape({
    container: document.getElementById("cy"),
    elements: [
      { data: { id: "a", label: "Person" } },
      { data: { id: "b", label: "Court" } },
      { data: { id: "c", label: "Prison" } },
      { data: { id: "ab", source: "a", target: "b" } },
      { data: { id: "bc", source: "b", target: "c" } },
    ],
    style: [
      { selector: "node", style: { label: "data(label)", "background-color": "#36c" } },
      { selector: "edge", style: { width: 3, "line-color": "#999" } },
    ],
    layout: { name: "grid" },
  });
  window.cy.ready(() => { window.cyReady = true; });
</script>""",
    ))
    with open_page(browser) as rec:
        page = rec.page
        page.goto(url)
        page.wait_for_function("window.cyReady === true")
        assert page.evaluate("cy.nodes().length") == 3
        assert page.evaluate("cy.edges().length") == 2
        canvases = page.locator("#cy canvas")
        assert canvases.count() >= 1
        # The renderer draws on a later frame: wait until some canvas has pixels.
        page.wait_for_function(
            f"Array.from(document.querySelectorAll('#cy canvas')).some(c => ({PAINTED})(c) > 0)"
        )
        rec.assert_clean()


def test_chartjs_bar_chart(site, browser):
    url = show(site, "chart.html", PAGE.format(
        title="chart.js",
        head='<script src="/static/vendor/chart.js/chart.umd.min.js"></script>',
        body="""<div style="width: 600px; height: 300px"><canvas id="chart"></canvas></div>
<script>
  window.chart = new Chart(document.getElementById("chart"), {
    type: "bar",
    data: { labels: ["detained", "released", "unknown"], datasets: [{ label: "people", data: [12, 7, 3] }] },
    options: { animation: false, responsive: true, maintainAspectRatio: false },
  });
</script>""",
    ))
    with open_page(browser) as rec:
        page = rec.page
        page.goto(url)
        page.wait_for_function("window.chart && window.chart.getDatasetMeta(0).data.length === 3")
        bars = page.evaluate("chart.getDatasetMeta(0).data.map(b => Math.round(b.height))")
        assert len(bars) == 3 and bars[0] > bars[1] > bars[2] > 0
        assert page.eval_on_selector("#chart", PAINTED) > 0
        rec.assert_clean()


SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <http://example.org/> .

ex:PersonShape a sh:NodeShape ;
  sh:targetClass ex:Person ;
  sh:property [ sh:path ex:name ; sh:name "name" ; sh:datatype xsd:string ; sh:minCount 1 ; sh:maxCount 1 ; sh:order 1 ] ;
  sh:property [ sh:path ex:born ; sh:name "born" ; sh:datatype xsd:date ; sh:maxCount 1 ; sh:order 2 ] ;
  sh:property [ sh:path ex:age ; sh:name "age" ; sh:datatype xsd:integer ; sh:maxCount 1 ; sh:order 3 ] ;
  sh:property [ sh:path ex:status ; sh:name "status" ; sh:maxCount 1 ; sh:order 4 ] .
"""


def test_shacl_form_from_shapes(site, browser):
    url = show(site, "shacl-form.html", PAGE.format(
        title="shacl-form",
        head='<script type="module" src="/static/vendor/shacl-form/form-default.js"></script>',
        body=f"""<shacl-form id="form" data-shapes="{SHAPES.replace('"', '&quot;')}"
  data-shape-subject="http://example.org/PersonShape" data-values-subject="http://example.org/p1"></shacl-form>
<script type="module">
  // A plugin, loaded as its own module: ex:status is edited with a fixed list.
  import {{ FixedListPlugin }} from "/static/vendor/shacl-form/plugins/fixed-list.js";
  document.getElementById("form").registerPlugin(new FixedListPlugin(
    {{ predicate: "http://example.org/status" }},
    [{{ value: "detained", label: "Detained" }}, {{ value: "released", label: "Released" }}],
  ));
  window.pluginRegistered = true;
</script>""",
    ))
    in_form = "(sel) => Array.from(document.getElementById('form').shadowRoot.querySelectorAll(sel))"
    with open_page(browser) as rec:
        page = rec.page
        page.goto(url)
        page.wait_for_function("window.pluginRegistered === true && customElements.get('shacl-form') !== undefined")
        # Four properties: three inputs and, through the plugin, one select with the two choices.
        page.wait_for_function(f"({in_form})('input').length === 3 && ({in_form})('select').length === 1")
        labels = page.evaluate(f"({in_form})('label').map(l => l.textContent.trim())")
        assert [label.lstrip("*").strip() for label in labels] == ["name", "born", "age", "status"], labels
        options = page.evaluate(f"({in_form})('select option').map(o => o.value)")
        assert {"detained", "released"} <= set(options)

        # The in-browser SHACL validation: name is required.
        assert page.evaluate("document.getElementById('form').validate()") is False
        page.locator("#form input").first.fill("Ada")
        page.locator("#form select").select_option("released")
        assert page.evaluate("document.getElementById('form').validate()") is True
        turtle = page.evaluate("document.getElementById('form').serialize()")
        assert '"Ada"' in turtle and "released" in turtle, turtle
        rec.assert_clean()


def test_the_browser_helper_sees_what_it_should(browser):
    """The assertions above mean something: outside requests and errors are all caught."""
    with open_page(browser) as rec:
        rec.page.set_content("""<!doctype html><html><head><link rel="icon" href="data:,"></head><body>
<img src="http://example.invalid/pixel.png">
<script>console.error("an error on purpose"); fetch("https://example.invalid/api").catch(() => {});</script>
<script>throw new Error("thrown on purpose")</script>
</body></html>""")
        rec.page.wait_for_timeout(300)
        assert "http://example.invalid/pixel.png" in rec.outside_requests
        assert "https://example.invalid/api" in rec.outside_requests
        assert any("an error on purpose" in m for m in rec.console_errors)
        assert any("thrown on purpose" in m for m in rec.page_errors)
        with pytest.raises(AssertionError):
            rec.assert_clean()


def test_the_browser_helper_sees_a_missing_file(site, browser):
    base, _ = site
    with open_page(browser) as rec:
        rec.page.goto(base + "/static/vendor/no-such-file.js")
        assert any("no-such-file.js: HTTP 404" in m for m in rec.failed_requests)


def test_versions_json_matches_the_files():
    versions = json.loads((VENDOR / "VERSIONS.json").read_text(encoding="utf-8"))
    listed = set()
    for lib in versions["libraries"]:
        assert lib["version"] and lib["licence"], lib["name"]
        assert any(n.startswith("LICENSE") for n in lib["files"]), f"{lib['name']}: no licence file"
        for name, meta in lib["files"].items():
            path = VENDOR / lib["name"] / name
            data = path.read_bytes()
            assert len(data) == meta["bytes"] and hashlib.sha256(data).hexdigest() == meta["sha256"], path
            listed.add(path)
    on_disk = {p for p in VENDOR.rglob("*") if p.is_file() and p.name != "VERSIONS.json"}
    assert on_disk == listed
    too_big = [str(p) for p in on_disk if p.stat().st_size > MAX_FILE_BYTES]
    assert not too_big
