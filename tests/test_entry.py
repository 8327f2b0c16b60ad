"""Spreadsheets of records through a real `ppkg serve` (issue 17): templates, reports at rows and
columns (JSON, CSV), all-or-nothing submission into the review queue, non-ASCII names from the
sheet to the published graph, the CLI, and every kind of bad input answered with a 4xx."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
import requests
from openpyxl import Workbook, load_workbook

from archive_helpers import ask, graph_sizes, ppkg, start_archive, stop_archive

CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER = "name,other_names,occupation,known_for,source_title,source_url,source_date,source_reference"
GOOD = [
    "Gahramanlı,Qəhrəmanlı,blogger,,Court record 2019/12,,2019-12,Baku City Court case 12",
    "Rüstəmzadə,,journalist,,Court record 2019/12,,2019-12,Baku City Court case 12",
    "Aysel Testova,,,,Court record 2019/12,,2019-12,Baku City Court case 12",
]
# Row 3 (the second data row): an occupation no concept has; row 5: a month 13.
BAD = {3: "Leyla Testova,,astronaut,,Court record 2019/12,,2019-12,Baku City Court case 12",
       5: "Murad Testov,,,,Court record 2019/12,,2019-13,Baku City Court case 12"}


def sheet(rows: list[str]) -> bytes:
    return ("\r\n".join([HEADER] + rows) + "\r\n").encode()


def mixed() -> bytes:
    """Five data rows, spreadsheet rows 2 to 6: 2, 4 and 6 good, 3 and 5 bad."""
    return sheet([GOOD[0], BAD[3], GOOD[1], BAD[5], GOOD[2]])


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    archive = start_archive(tmp_path_factory.mktemp("entry"))
    yield archive
    stop_archive(archive)


def post(site, path, body: bytes, content_type=CSV, who="clara", accept="application/json",
         **params):
    headers = {"Content-Type": content_type, "Accept": accept}
    if who:
        headers.update(site.auth(who))
    return requests.post(site.url + path, data=body, headers=headers, params=params, timeout=120)


def queue(site) -> list:
    response = requests.get(site.url + "/review", params={"status": "all"},
                            headers={"Accept": "application/json", **site.auth("alice")},
                            timeout=30)
    assert response.status_code == 200, response.text
    return response.json()["submissions"]


def test_templates_list_the_documented_columns(site):
    page = requests.get(site.url + "/entry/person", headers={"Accept": "application/json"},
                        timeout=30).json()
    names = [c["name"] for c in page["columns"]]
    assert names[:3] == ["id", "name", "other_names"] and "source_title" in names
    assert all(c["description"] for c in page["columns"])
    template = requests.get(site.url + "/entry/person/template.csv", timeout=30)
    assert template.headers["Content-Type"].startswith("text/csv")
    assert next(csv.reader(io.StringIO(template.text))) == names
    book = load_workbook(io.BytesIO(requests.get(site.url + "/entry/person/template.xlsx",
                                                 timeout=30).content))
    assert [c.value for c in book.worksheets[0][1]] == names
    assert book["columns"]["C2"].value == page["columns"][0]["description"]
    csvw = requests.get(site.url + "/entry/release/template.csv-metadata.json", timeout=30)
    assert csvw.headers["Content-Type"] == "application/csvm+json"
    assert csvw.json()["tableSchema"]["aboutUrl"] == "{+id}"


def test_a_sheet_with_two_bad_rows_is_reported_at_those_rows_and_stores_nothing(site):
    before, queued = graph_sizes(site.url), len(queue(site))
    response = post(site, "/entry/person", mixed(), summary="five people")
    assert response.status_code == 422, response.text
    report = response.json()
    assert report["conforms"] is False and report["rows"] == 5
    assert report["rowsWithViolations"] == [3, 5]
    cells = {(e["row"], e["column"]) for e in report["errors"] if e["severity"] == "Violation"}
    assert cells == {(3, "occupation"), (5, "source_date")}
    by_cell = {(e["row"], e["column"]): e for e in report["errors"]}
    assert by_cell[(3, "occupation")]["value"] == "astronaut"
    assert "No occupation in the graph is named “astronaut”" in by_cell[(3, "occupation")]["message"]
    assert by_cell[(5, "source_date")]["message"].startswith(
        "A source's publication date (ppkg:datePublished) must be a valid xsd:date")
    assert graph_sizes(site.url) == before and len(queue(site)) == queued

    rows = list(csv.reader(io.StringIO(post(site, "/entry/person/check", mixed(),
                                            accept=CSV).text)))
    assert rows[0] == ["row"] + HEADER.split(",") + ["errors"]
    errors = {r[0]: r[-1] for r in rows[1:]}
    assert errors["2"] == errors["4"] == errors["6"] == ""
    assert errors["3"].startswith("occupation: No occupation") and errors["5"].startswith("source_date:")


def test_the_fixed_sheet_waits_for_review_and_keeps_its_names(site):
    fixed = sheet(GOOD + [BAD[3].replace("astronaut", "lawyer"), BAD[5].replace("2019-13", "2019-11")])
    checked = post(site, "/entry/person/check", fixed)
    assert checked.status_code == 200 and checked.headers["X-PPKG-Conforms"] == "true", checked.text
    response = post(site, "/entry/person", fixed, summary="five people, fixed")
    assert response.status_code == 202, response.text
    submission = response.json()["submission"]
    assert submission["status"] == "pending" and response.headers["Location"] == submission["url"]
    assert [s["id"] for s in queue(site) if s["status"] == "pending"] == [submission["id"]]
    assert not ask(site.url, 'ASK { ?p <http://www.w3.org/2000/01/rdf-schema#label> "Gahramanlı" }')

    review = requests.get(site.url + f"/review/{submission['id']}",
                          headers={"Accept": "application/json", **site.auth("alice")}, timeout=60)
    accepted = requests.post(site.url + f"/review/{submission['id']}/accept",
                             json={"fingerprint": review.json()["fingerprint"], "note": "ok"},
                             headers=site.auth("alice"), timeout=60)
    assert accepted.status_code == 200, accepted.text
    for name in ("Gahramanlı", "Rüstəmzadə", "Qəhrəmanlı"):
        assert ask(site.url, 'PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> '
                             'PREFIX skos: <http://www.w3.org/2004/02/skos/core#> '
                             f'ASK {{ ?p a <https://w3id.org/ppkg/ontology#Person> ; '
                             f'rdfs:label|skos:altLabel "{name}" ; '
                             '<https://w3id.org/ppkg/ontology#source> ?s . '
                             '?s <https://w3id.org/ppkg/ontology#archivalReference> '
                             '"Baku City Court case 12" }'), name
    # Aysel Testova was in the graph: the row added to her, under her own IRI.
    assert ask(site.url, "ASK { <https://w3id.org/ppkg/id/person/aysel-testova> "
                         "<https://w3id.org/ppkg/ontology#source> ?s }")


def test_a_release_sheet_finds_people_by_exact_name_and_says_which_name_is_unknown(site):
    header = "person,date,date_unknown,date_description,source_title,source_url"
    rows = ["Rauf Testov,2019-03-16,,,Report,https://example.org/r",
            "Rauf Testov,,true,on the eve of Novruz holiday,Report,https://example.org/r",
            "Nobody Testov,2019,,,Report,https://example.org/r",
            "Rauf Testov,16/03/2019,,,Report,https://example.org/r",
            "http://a%zz,2019,,,Report,https://example.org/r"]  # not an IRI pyoxigraph reads
    response = post(site, "/entry/release/check", ("\n".join([header] + rows) + "\n").encode())
    report = response.json()
    cells = {(e["row"], e["column"]) for e in report["errors"] if e["severity"] == "Violation"}
    assert response.status_code == 200
    assert (4, "person") in cells and (5, "date") in cells and (6, "person") in cells, report
    assert not {c for c in cells if c[0] in (2, 3)}
    assert any("An event's date (ppkg:date) must be a valid xsd:date" in e["message"]
               for e in report["errors"] if e["row"] == 5)


def test_xlsx_is_read_like_csv_and_formulas_are_refused(site):
    book = Workbook()
    ws = book.active
    ws.append(HEADER.split(","))
    for row in GOOD:
        ws.append(row.split(","))
    buffer = io.BytesIO()
    book.save(buffer)
    response = post(site, "/entry/person/check", buffer.getvalue(), XLSX)
    assert response.status_code == 200 and response.json()["conforms"] is True, response.text
    ws.append(["=HYPERLINK(\"http://example.org\")"] + [""] * 7)
    buffer = io.BytesIO()
    book.save(buffer)
    refused = post(site, "/entry/person/check", buffer.getvalue(), XLSX)
    assert refused.status_code == 422 and "row 5, column A holds a formula" in refused.json()["error"]


def test_the_report_neutralises_cells_a_spreadsheet_would_run(site):
    body = sheet(['=1+2,,,,Court record,,2019,x', '@SUM(A1),,,,Court record,,2019,x'])
    rows = list(csv.reader(io.StringIO(post(site, "/entry/person/check", body, accept=CSV).text)))
    assert rows[1][1] == "'=1+2" and rows[2][1] == "'@SUM(A1)"


def bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (80 * 1024 * 1024))
    return buffer.getvalue()


@pytest.mark.parametrize("path, body, content_type, status, words", [
    ("/entry/nosuchkind/check", b"name\nx\n", CSV, 404, "No kind of record called"),
    ("/entry/person/check", "name\nGahramanlı\n".encode("cp1254"), CSV, 415, "not UTF-8"),
    ("/entry/person/check", b"name,\x00\n", CSV, 415, "NUL bytes"),
    ("/entry/person/check", b"name,colour\nx,red\n", CSV, 400, "unknown column colour"),
    ("/entry/person/check", b"other_names\nx\n", CSV, 400, "missing required column name"),
    ("/entry/person/check", b"name\n" + b"x\n" * 10_001, CSV, 413, "more than 10000 rows"),
    ("/entry/person/check", b"not a zip at all", XLSX, 415, "not a zip archive"),
    ("/entry/person/check", bomb(), XLSX, 413, "unpacks"),
    ("/entry/person/check", b"name\nx\n", "application/pdf", 415, "Unsupported media type"),
    ("/entry/person/check", b"", CSV, 400, "is empty"),
])
def test_bad_input_is_a_4xx_naming_the_problem(site, path, body, content_type, status, words):
    before = graph_sizes(site.url)
    response = post(site, path, body, content_type)
    assert response.status_code == status, response.text
    assert words in response.json()["error"], response.json()
    assert graph_sizes(site.url) == before


def test_submitting_needs_a_token_and_a_summary(site):
    assert post(site, "/entry/person", sheet(GOOD), who=None, summary="x").status_code == 401
    assert post(site, "/entry/person", sheet(GOOD)).status_code == 400


def test_pick_lists_search_the_graph_and_the_concept_schemes(site):
    def choices(cls, q):
        return requests.get(site.url + "/entry/person/choices", params={"class": cls, "q": q},
                            timeout=30).json()["choices"]

    assert choices("https://w3id.org/ppkg/ontology#Person", "AYSEL") == [
        {"iri": "https://w3id.org/ppkg/id/person/aysel-testova", "label": "Aysel Testova"}]
    assert {c["label"] for c in choices("https://w3id.org/ppkg/ontology#Offence", "incit")} == {
        "inciting violence"}
    assert choices("https://w3id.org/ppkg/ontology#Agent", "test front")[0]["label"] == "Test Front Party"


def test_the_cli_submits_a_sheet_and_prints_rows_and_columns(site, tmp_path):
    people = tmp_path / "people.csv"
    people.write_bytes(mixed())
    done = ppkg(site.data_dir, "submit", str(people), "--kind", "person", "--endpoint", site.url,
                "--token", site.tokens["carl"], "--summary", "from the shell")
    assert done.returncode == 1, done.stderr
    assert "row 3, column occupation: Violation: No occupation" in done.stdout
    assert "row 5, column source_date: Violation:" in done.stdout
    assert "Refused: 2 of 5 rows to fix; nothing was stored." in done.stderr
    people.write_bytes(sheet(GOOD))
    done = ppkg(site.data_dir, "submit", str(people), "--kind", "person", "--endpoint", site.url,
                "--token", site.tokens["carl"], "--summary", "from the shell")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Queued for an archivist's review" in done.stdout
