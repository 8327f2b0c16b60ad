"""The query catalog over HTTP, on a real `ppkg serve` of the shipped graph (conftest's
`shipped_server`): the list, the pages, results as JSON / CSV / TSV by extension and by Accept,
404 and 400 naming the parameter, injection attempts, and the OpenAPI document."""

from __future__ import annotations

import csv
import io
import re

import pytest
import requests
from openapi_spec_validator import validate

from ppkg.files import shipped

ID = "https://w3id.org/ppkg/id/"
A = ID + "source/d406463585ba4a26"
B = ID + "source/b5ef6d9da071791b"
DECREE = ID + "document/novruz-2019-pardon-decree"
NAMES = sorted(f.stem for f in shipped("queries").glob("*.rq"))
RELEASED = {
    A: {"giyas-ibrahimov", "bayram-mammadov", "ilkin-rustamzade"},
    B: {"ali-insanov", "gozal-bayramli", "fuad-gahramanli", "fikret-faramazoglu", "ilkin-rustamzade"},
}
INJECTIONS = ['"> } DROP ALL #', 'x" } UNION { ?s ?p ?o } #',
              DECREE + "> } UNION { ?s ?p ?o } #", DECREE + " x", DECREE + '"',
              "https://w3id.org/ppkg/id/<x>", "> ; DROP ALL"]


@pytest.fixture(scope="module")
def base(shipped_server) -> str:
    return shipped_server.url


def get(base, path, accept=None, **params) -> requests.Response:
    headers = {"Accept": accept} if accept else {}
    return requests.get(base + path, params=params, headers=headers, timeout=30)


def bindings(response) -> list[dict]:
    assert response.status_code == 200, response.text
    data = response.json()
    return [{k: v["value"] for k, v in b.items()} for b in data["results"]["bindings"]]


def released(rows) -> dict[str, set[str]]:
    """The people each source names as released (rows for those it does not name left aside)."""
    out: dict[str, set[str]] = {}
    for r in rows:
        if "person" in r:
            out.setdefault(r["source"], set()).add(r["person"].rsplit("/", 1)[1])
    return out


# --- the list ----------------------------------------------------------------------------------

def test_list_as_html(base):
    response = get(base, "/queries", accept="text/html")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    for name in NAMES:
        assert f'href="/queries/{name}"' in response.text
    assert "People released by a pardon decree" in response.text
    assert 'href="/openapi.json"' in response.text


@pytest.mark.parametrize("path, accept", [("/queries.json", None), ("/queries", "application/json")])
def test_list_as_json(base, path, accept):
    response = get(base, path, accept=accept)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    data = response.json()
    assert [q["name"] for q in data["queries"]] == NAMES
    assert data["openapi"] == "/openapi.json"
    entry = next(q for q in data["queries"] if q["name"] == "still-imprisoned")
    assert entry["parameters"] == [{
        "name": "date", "type": "date", "required": False, "example": "2019-03-01",
        "description": entry["parameters"][0]["description"]}]
    assert entry["links"]["csv"] == "/queries/still-imprisoned.csv"
    assert "personLabel" in entry["columns"]


# --- one query -------------------------------------------------------------------------------

def test_page_shows_question_sparql_form_and_results(base):
    response = get(base, "/queries/released-by-decree", accept="text/html")
    assert response.status_code == 200
    page = response.text
    assert "<h1>People released by a pardon decree</h1>" in page
    pre = re.search(r"<pre>(.*?)</pre>", page, re.S).group(1)
    assert "SELECT ?decree" in pre and "VALUES ?decree { UNDEF }" in pre and "#+" not in pre
    assert re.search(r'<input id="param-decree" name="decree" type="url"', page)
    assert f'placeholder="{DECREE}"' in page
    assert '<a href="/id/person/gozal-bayramli" title="https://w3id.org/ppkg/id/person/gozal-bayramli">Gozal Bayramli</a>' in page
    assert ">Popular Front Party</a>" in page
    assert "inciting violence, organizing mass disorder" in page  # one row, its charges together
    assert "smuggling" not in page  # only the first article gives it, and not her release
    assert "members of other opposition parties and young activists" in page
    assert "9 rows" in page
    assert 'href="/queries/released-by-decree.csv"' in page


def test_page_with_a_date_form_and_value(base):
    response = get(base, "/queries/still-imprisoned", accept="text/html", date="2019-01-01")
    assert response.status_code == 200
    assert re.search(r'name="date" type="date"[^>]*placeholder="2019-03-01"[^>]*value="2019-01-01"',
                     re.sub(r"\s+", " ", response.text))
    assert "Afgan Mukhtarli" in response.text and "Seymour Hazi" in response.text
    assert "Mehman Huseynov" not in response.text
    assert "2 rows" in response.text


def test_page_with_a_bad_value_is_400_and_names_it(base):
    response = get(base, "/queries/still-imprisoned", accept="text/html", date="1st of May")
    assert response.status_code == 400
    assert "Parameter &#39;date&#39; must be a date" in response.text
    assert "<form" in response.text  # the form is shown again to correct it


def test_json_results(base):
    response = get(base, "/queries/released-by-decree.json")
    assert response.headers["Content-Type"] == "application/sparql-results+json"
    rows = bindings(response)
    assert released(rows) == RELEASED
    assert "personLabel" in response.json()["head"]["vars"]
    one = bindings(get(base, "/queries/released-by-decree.json", decree=DECREE))
    assert released(one) == RELEASED
    assert bindings(get(base, "/queries/released-by-decree.json", decree=ID + "document/x")) == []


def test_csv_and_tsv_results(base):
    response = get(base, "/queries/still-imprisoned.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(response.text)))
    assert {r["personLabel"] for r in table} == {"Afgan Mukhtarli", "Seymour Hazi"}
    response = get(base, "/queries/still-imprisoned.tsv", date="2019-01-01")
    assert response.headers["Content-Type"].startswith("text/tab-separated-values")
    lines = response.text.strip("\n").split("\n")
    assert lines[0].split("\t")[:2] == ["?person", "?personLabel"]
    assert sorted(line.split("\t")[1] for line in lines[1:]) == ['"Afgan Mukhtarli"', '"Seymour Hazi"']


@pytest.mark.parametrize("accept, media_type", [
    ("application/sparql-results+json", "application/sparql-results+json"),
    ("application/json", "application/sparql-results+json"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/html", "text/html"),
])
def test_results_by_accept(base, shipped_server, accept, media_type):
    response = get(base, "/queries/source-disagreements", accept=accept)
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == media_type
    assert "Accept" in response.headers.get("Vary", "")
    if media_type == "application/sparql-results+json":
        assert len(response.json()["results"]["bindings"]) == 5


def test_not_acceptable(base):
    response = get(base, "/queries/people", accept="image/png")
    assert response.status_code == 406


def test_the_sparql_text(base):
    response = get(base, "/queries/timeline.rq")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/sparql-query")
    assert response.text == (shipped("queries") / "timeline.rq").read_text(encoding="utf-8")
    bound = get(base, "/queries/timeline.rq", person=ID + "person/mehman-huseynov").text
    assert f"VALUES ?person {{ <{ID}person/mehman-huseynov> }}" in bound


@pytest.mark.parametrize("path", ["/queries/no-such-question", "/queries/no-such-question.json",
                                  "/queries/people.pdf", "/queries/people/x"])
def test_unknown_query_is_404(base, path):
    response = get(base, path, accept="application/json")
    assert response.status_code == 404
    assert response.json()["status"] == 404


@pytest.mark.parametrize("path, params, name", [
    ("/queries/released-by-decree.json", {"decree": "not an iri"}, "decree"),
    ("/queries/still-imprisoned.csv", {"date": "2019-02-30"}, "date"),
    ("/queries/timeline.json", {"persn": ID + "person/mehman-huseynov"}, "persn"),
    ("/queries/people.json", {"limit": "3"}, "limit"),
    ("/queries/statements.json", {"speaker": [ID + "person/a", ID + "person/b"]}, "speaker"),
])
def test_bad_parameter_is_400_naming_it(base, path, params, name):
    response = get(base, path, **params)
    assert response.status_code == 400
    assert f"'{name}'" in response.json()["error"]


@pytest.mark.parametrize("value", INJECTIONS)
@pytest.mark.parametrize("name, param", [("released-by-decree", "decree"), ("statements", "speaker"),
                                         ("timeline", "person"), ("still-imprisoned", "date")])
def test_injection_attempts_are_refused(base, name, param, value):
    response = get(base, f"/queries/{name}.json", **{param: value})
    assert response.status_code == 400, response.text
    assert f"'{param}'" in response.json()["error"]


def test_empty_values_mean_no_restriction(base):
    """What an HTML form sends for a field left empty."""
    rows = bindings(get(base, "/queries/released-by-decree.json", decree=""))
    assert released(rows) == RELEASED


# --- OpenAPI ---------------------------------------------------------------------------------

def test_openapi_validates_and_has_one_operation_per_query(base):
    response = get(base, "/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    validate(spec)
    operations = {op["operationId"]: (path, op) for path, item in spec["paths"].items()
                  for method, op in item.items() if "queries" in op.get("tags", [])}
    assert sorted(operations) == NAMES
    for name, (path, op) in operations.items():
        assert path == f"/queries/{name}"
        assert op["summary"]
        content = op["responses"]["200"]["content"]
        assert {"application/sparql-results+json", "text/csv", "text/tab-separated-values",
                "text/html"} <= set(content)
        assert "400" in op["responses"]
    path, op = operations["still-imprisoned"]
    (param,) = op["parameters"]
    assert param["name"] == "date" and param["in"] == "query" and not param["required"]
    # a date, or empty: an empty value leaves the parameter out (as an HTML form sends it)
    assert param["schema"] == {"anyOf": [{"type": "string", "format": "date"},
                                         {"type": "string", "maxLength": 0}]}
    assert param["example"] == "2019-03-01" and param["description"]
    (param,) = operations["released-by-decree"][1]["parameters"]
    assert param["schema"]["anyOf"][0]["format"] == "iri" and param["example"] == DECREE


def test_openapi_examples_answer(base):
    """Every operation, called with its parameters' examples, answers 200 with rows."""
    spec = get(base, "/openapi.json").json()
    for path, item in spec["paths"].items():
        op = item.get("get", {})
        if "queries" not in op.get("tags", []):
            continue
        params = {p["name"]: p["example"] for p in op.get("parameters", [])}
        rows = bindings(get(base, path, accept="application/sparql-results+json", **params))
        assert rows, path
