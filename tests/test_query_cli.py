"""`ppkg query` run as the real console script: catalog queries in every format, raw SPARQL and
query files, errors with exit status 2 and no traceback, and `--endpoint` (SPARQLWrapper) against
a real `ppkg serve` of the shipped graph giving the same rows as the embedded store."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
from pathlib import Path

import pytest

from conftest import clean_env, ppkg_command
from ppkg.files import shipped

ID = "https://w3id.org/ppkg/id/"
A = ID + "source/d406463585ba4a26"
B = ID + "source/b5ef6d9da071791b"
NAMES = sorted(f.stem for f in shipped("queries").glob("*.rq"))


def ppkg(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(ppkg_command() + ["query", *args], capture_output=True, text=True,
                          env=clean_env(), cwd=cwd, timeout=120)


def ok(*args: str, cwd: Path | None = None) -> str:
    result = ppkg(*args, cwd=cwd)
    assert result.returncode == 0, result.stderr
    return result.stdout


def error(*args: str, code: int = 2) -> str:
    result = ppkg(*args)
    assert result.returncode == code, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    return result.stderr


def rows_of(json_text: str) -> list[dict]:
    data = json.loads(json_text)
    return [{k: v["value"] for k, v in b.items()} for b in data["results"]["bindings"]]


_GROUP_CONCAT = re.compile(r'GROUP_CONCAT\s*\(\s*(?:DISTINCT\s+)?\?\w+\s*;\s*separator\s*=\s*"([^"]*)"\s*\)'
                           r"\s*AS\s+\?(\w+)", re.IGNORECASE)


def concat_parts(name: str, rows: list[dict]) -> list[dict]:
    """The rows with each GROUP_CONCAT column as its sorted parts: SPARQL leaves the order in
    which GROUP_CONCAT joins values to the engine, so two engines may differ there and agree.
    Over no values Oxigraph leaves the column unbound and Virtuoso gives "": both are no parts."""
    columns = {column: separator for separator, column in
               _GROUP_CONCAT.findall((shipped("queries") / f"{name}.rq").read_text())}
    return [dict({k: v for k, v in row.items() if k not in columns},
                 **{k: sorted(p for p in row.get(k, "").split(sep) if p)
                    for k, sep in columns.items()})
            for row in rows]


# --- the catalog ---------------------------------------------------------------------------------

def test_list():
    out = ok("--list")
    for name in NAMES:
        assert name in out
    assert "params: date=date" in out
    data = json.loads(ok("--list", "--format", "json"))
    assert [q["name"] for q in data["queries"]] == NAMES


def test_table_shows_labels_aligned():
    out = ok("released-by-decree")
    lines = out.rstrip("\n").split("\n")
    header = lines[0]
    assert header.split()[:2] == ["Decree", "Person"]
    assert set(lines[1]) <= {"-", " "}
    assert "Gozal Bayramli" in out and "Popular Front Party" in out and "inciting violence" in out
    assert "https://" not in out  # labels, not IRIs
    assert lines[-1] == "(9 rows)"
    # aligned: every row's second column starts where the header's does
    start = header.index("Person")
    assert all(line[start - 2:start] == "  " for line in lines[2:-1])


def test_table_truncates_long_text():
    out = ok("statements", "--width", "30")
    rule = out.split("\n")[1]  # one run of dashes per column, as wide as the column
    assert max(len(dashes) for dashes in rule.split("  ")) == 30
    assert "…" in out
    wide = ok("statements", "--width", "0")
    assert "What is important is not our freedom" in wide or len(wide) > len(out)


def test_csv():
    out = ok("still-imprisoned", "--param", "date=2019-01-01", "--format", "csv")
    table = list(csv.DictReader(io.StringIO(out)))
    assert {r["personLabel"] for r in table} == {"Afgan Mukhtarli", "Seymour Hazi"}
    assert all(r["person"].startswith(ID + "person/") for r in table)


def test_tsv():
    out = ok("source-disagreements", "-f", "tsv")
    lines = out.strip("\n").split("\n")
    assert lines[0].startswith("?subject\t?subjectLabel")
    assert len(lines) == 6


def test_json():
    rows = rows_of(ok("statements", "-p", f"speaker={ID}person/gozal-bayramli", "-f", "json"))
    assert len(rows) == 3
    assert sorted(r["source"] for r in rows) == sorted([A, B, B])


def test_show_query_prints_the_bound_sparql():
    out = ok("timeline", "-p", f"person={ID}person/mehman-huseynov", "--show-query")
    assert f"VALUES ?person {{ <{ID}person/mehman-huseynov> }}" in out


# --- any SPARQL --------------------------------------------------------------------------------

def test_raw_sparql():
    out = ok("--sparql", "PREFIX ppkg: <https://w3id.org/ppkg/ontology#> "
                         "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a ppkg:Person }", "-f", "csv")
    assert out.split() == ["n", "16"]
    assert ok("--sparql", "ASK { ?s ?p ?o }").strip() == "true"
    turtle = ok("--sparql", f"CONSTRUCT {{ <{ID}person/seymour-hazi> ?p ?o }} "
                            f"WHERE {{ <{ID}person/seymour-hazi> ?p ?o }}")
    assert "Seymour Hazi" in turtle


def test_query_file_with_a_header_takes_params(tmp_path):
    path = tmp_path / "mine.rq"
    path.write_text((shipped("queries") / "charges.rq").read_text(encoding="utf-8"))
    rows = rows_of(ok("--file", str(path), "-p", f"person={ID}person/ilkin-rustamzade", "-f", "json"))
    assert {r["timeServed"] for r in rows if "timeServed" in r} == {"P6Y", "P4Y"}
    plain = tmp_path / "plain.rq"
    plain.write_text("SELECT ?label WHERE { <%sperson/mehman-huseynov> "
                     "<http://www.w3.org/2000/01/rdf-schema#label> ?label }" % ID)
    assert ok("--file", str(plain), "-f", "csv").split() == ["label", "Mehman", "Huseynov"]


def test_other_graph_files(tmp_path):
    data = tmp_path / "tiny.ttl"
    data.write_text(f'<{ID}person/x> <http://www.w3.org/2000/01/rdf-schema#label> "X" .\n')
    out = ok("--sparql", "SELECT ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l }",
             "--graph", str(data), "-f", "csv")
    assert out.split() == ["l", "X"]


# --- errors --------------------------------------------------------------------------------------

@pytest.mark.parametrize("args, words", [
    (["no-such-question"], ["No query named 'no-such-question'"]),
    (["timeline", "-p", "person=not an iri"], ["'person'", "IRI"]),
    (["still-imprisoned", "-p", "date=2019-13-01"], ["'date'"]),
    (["timeline", "-p", "persn=x"], ["Unknown parameter 'persn'"]),
    (["timeline", "-p", "person"], ["KEY=VALUE"]),
    (["released-by-decree", "-p", 'decree="> } DROP ALL #'], ["'decree'"]),
    (["--sparql", "SELECT WHERE {"], ["Syntax error"]),
    (["--sparql", "DROP ALL"], ["Update"]),
    (["--sparql", "SELECT * WHERE { ?s ?p ?o }", "-p", "x=1"], ["--param"]),
    (["--file", "/no/such/file.rq"], ["/no/such/file.rq"]),
    (["people", "--graph", "/no/such/graph.ttl"], ["/no/such/graph.ttl"]),
])
def test_errors_exit_2_with_a_message(args, words):
    message = error(*args)
    assert message.startswith("error: ")
    for word in words:
        assert word in message


def test_usage_errors_exit_2():
    result = ppkg()
    assert result.returncode == 2 and "exactly one of NAME" in result.stderr
    result = ppkg("people", "--sparql", "SELECT * {}")
    assert result.returncode == 2 and "Traceback" not in result.stderr


# --- against an endpoint (SPARQLWrapper) ---------------------------------------------------------

@pytest.mark.parametrize("name, params", [
    ("released-by-decree", []),
    ("still-imprisoned", ["-p", "date=2019-01-01"]),
    ("source-disagreements", []),
    ("statements", ["-p", f"speaker={ID}person/gozal-bayramli"]),
    ("timeline", []),
])
def test_endpoint_gives_the_same_rows(shipped_server, name, params):
    embedded = ok(name, *params, "-f", "json")
    remote = ok(name, *params, "-f", "json", "--endpoint", shipped_server.sparql)
    assert concat_parts(name, rows_of(remote)) == concat_parts(name, rows_of(embedded))
    assert rows_of(remote)
    assert ok(name, *params, "-f", "csv", "--endpoint", shipped_server.sparql) == \
        ok(name, *params, "-f", "csv")


def test_every_catalog_query_the_same_on_the_endpoint(shipped_server):
    for name in NAMES:
        remote = concat_parts(name, rows_of(ok(name, "-f", "json", "--endpoint",
                                                 shipped_server.sparql)))
        embedded = concat_parts(name, rows_of(ok(name, "-f", "json")))
        assert remote, name
        assert remote == embedded, name


def test_endpoint_raw_sparql_and_errors(shipped_server):
    assert ok("--sparql", "ASK { ?s ?p ?o }", "--endpoint", shipped_server.sparql).strip() == "true"
    message = error("--sparql", "SELECT WHERE {", "--endpoint", shipped_server.sparql)
    assert "rejected the query" in message and "Syntax error" in message
    message = error("people", "--endpoint", "http://127.0.0.1:9/sparql", code=1)
    assert "cannot reach" in message
