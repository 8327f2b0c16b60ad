"""`ppkg validate` run as the real console script, and the ppkg.validate API it is built on:
parsing with pyoxigraph in every format, errors with file, line and column, the report formats."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SH

from helpers_shapes import BASELINE, HEADER, PREFIXES, expand
from ppkg.formats import RDF_FORMATS, rdf_format
from ppkg.archive.rdf_input import InputRefused, ParseError, parse_data, parse_files
from conftest import ppkg_command
from ppkg.archive.shacl import validate_files, validate_graph

# The real console script, installed next to the interpreter running the tests.
PPKG = shutil.which("ppkg", path=str(Path(sys.executable).parent)) or shutil.which("ppkg")

BROKEN_STATEMENT = """
t:bad-statement a ppkg:Statement ; rdfs:label "A statement without its words" ;
    ppkg:speaker t:alice ; ppkg:source t:source .
"""
WARNING_ONLY = """
t:happening a ppkg:Event ; rdfs:label "Something happened" ; ppkg:dateUnknown true .
"""
MALFORMED = HEADER + """
t:a a ppkg:Person ;
    rdfs:label "A" .

t:b a ppkg:Person
    rdfs:label "B" .
"""


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    assert PPKG, "the ppkg console script is not installed"
    return subprocess.run([PPKG, "validate", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=300)


@pytest.fixture
def files(tmp_path: Path):
    def write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path
    return write


# ------------------------------------------------------------------------------------------------
# The command
# ------------------------------------------------------------------------------------------------


def test_conforming_file_exits_0(files):
    result = run(str(files("ok.ttl", BASELINE)))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Conforms" in result.stdout
    assert result.stderr == ""


def test_violating_file_exits_1_and_prints_the_message(files):
    result = run(str(files("bad.ttl", BASELINE + BROKEN_STATEMENT)))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "A statement must give its verbatim text (ppkg:text)" in result.stdout
    # Grouped by focus node, with its label next to the IRI.
    assert '<https://w3id.org/ppkg/id/test/bad-statement> "A statement without its words"' in result.stdout
    assert "VIOLATION" in result.stdout
    assert "Does not conform: 1 violation" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_warnings_are_printed_but_exit_0(files):
    result = run(str(files("warn.ttl", BASELINE + WARNING_ONLY)))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNING" in result.stdout
    assert "should have a specific type" in result.stdout
    assert "Conforms: 0 violations, 1 warning" in result.stdout


def test_references_across_files_are_resolved(files, tmp_path):
    """Validation is over the union: a statement in one file, its speaker and source in another."""
    files("people.ttl", BASELINE)
    files("statement.ttl", HEADER + """
t:more a ppkg:Statement ; rdfs:label "More words" ; ppkg:text "More." ;
    ppkg:speaker t:alice ; ppkg:source t:source .
""")
    assert run(str(tmp_path / "statement.ttl")).returncode == 1  # alone, the speaker is unknown
    both = run(str(tmp_path / "people.ttl"), str(tmp_path / "statement.ttl"))
    assert both.returncode == 0, both.stdout
    folder = run(str(tmp_path))
    assert folder.returncode == 0, folder.stdout


def test_malformed_turtle_exits_2_with_the_line_number(files):
    path = files("malformed.ttl", MALFORMED)
    line = MALFORMED.splitlines().index('    rdfs:label "B" .') + 1
    result = run(str(path))
    assert result.returncode == 2
    assert result.stdout == ""
    assert str(path) in result.stderr
    assert f"line {line}" in result.stderr
    assert "Traceback" not in result.stderr


def test_malformed_second_file_is_named(files):
    good = files("good.ttl", BASELINE)
    bad = files("bad.nt", '<https://w3id.org/ppkg/id/test/a> <http://www.w3.org/2000/01/rdf-schema#label> "A" .\n'
                          '<https://w3id.org/ppkg/id/test/a> <http://www.w3.org/2000/01/rdf-schema#label> .\n')
    result = run(str(good), str(bad))
    assert result.returncode == 2
    assert f"{bad}, line 2" in result.stderr


def test_missing_file_exits_2(tmp_path):
    result = run(str(tmp_path / "nowhere.ttl"))
    assert result.returncode == 2
    assert "nowhere.ttl" in result.stderr and "no such file" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_extension_exits_2(files):
    result = run(str(files("data.txt", BASELINE)))
    assert result.returncode == 2
    assert "data.txt" in result.stderr and "unknown RDF file extension" in result.stderr


def test_folder_without_rdf_files_exits_2(tmp_path):
    (tmp_path / "notes.txt").write_text("nothing here", encoding="utf-8")
    result = run(str(tmp_path))
    assert result.returncode == 2
    assert "no RDF files" in result.stderr


def test_json_output_parses(files):
    result = run("--format", "json", str(files("bad.ttl", BASELINE + BROKEN_STATEMENT + WARNING_ONLY)))
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["conforms"] is False
    assert report["counts"] == {"Violation": 1, "Warning": 1, "Info": 0}
    first = report["results"][0]  # violations come first
    assert first["severity"] == "Violation"
    assert first["focusNode"] == "https://w3id.org/ppkg/id/test/bad-statement"
    assert first["focusLabel"] == "A statement without its words"
    assert first["path"] == "<https://w3id.org/ppkg/ontology#text>"
    assert first["message"].startswith("A statement must give its verbatim text")
    assert first["nodeShape"] == "https://w3id.org/ppkg/shapes#StatementShape"
    assert first["constraint"] == str(SH.MinCountConstraintComponent)


def test_json_output_of_conforming_file(files):
    result = run("--format", "json", str(files("ok.ttl", BASELINE)))
    assert result.returncode == 0
    assert json.loads(result.stdout) == {"conforms": True, "counts": {"Violation": 0, "Warning": 0, "Info": 0},
                                         "triples": json.loads(result.stdout)["triples"], "results": []}


def test_turtle_output_is_a_shacl_report(files):
    result = run("--format", "turtle", str(files("bad.ttl", BASELINE + BROKEN_STATEMENT)))
    assert result.returncode == 1
    report = parse_data(result.stdout, rdf_format("turtle"))
    assert (None, SH.conforms, Literal(False)) in report
    assert (None, SH.focusNode, expand("t:bad-statement")) in report


def test_focus_option(files):
    path = files("bad.ttl", BASELINE + BROKEN_STATEMENT)
    assert run("--focus", str(expand("t:alice")), str(path)).returncode == 0
    assert run("--focus", str(expand("t:bad-statement")), str(path)).returncode == 1


def test_default_is_the_shipped_graph():
    """With no file, the shipped graph is validated (its verdict is test_shapes' business)."""
    result = run("--format", "json")
    assert result.returncode in (0, 1), result.stderr
    assert json.loads(result.stdout)["triples"] > 0


# ------------------------------------------------------------------------------------------------
# The API: parsing
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", RDF_FORMATS, ids=[f.name for f in RDF_FORMATS])
def test_every_format_is_read_by_extension(fmt, tmp_path):
    """The same broken data, written in each format, gives the same report."""
    quads = list(ox.parse(BASELINE + BROKEN_STATEMENT, format=ox.RdfFormat.TURTLE))
    path = tmp_path / f"data{fmt.extensions[0]}"
    if fmt.datasets:
        graph = ox.NamedNode("https://w3id.org/ppkg/id/source/test")
        ox.serialize([ox.Quad(q.subject, q.predicate, q.object, graph) for q in quads], str(path), fmt.oxigraph)
    else:
        ox.serialize([ox.Triple(q.subject, q.predicate, q.object) for q in quads], str(path), fmt.oxigraph)
    report = validate_files([path])
    assert [(r.focus_node, r.message[:40]) for r in report.results] == [
        (expand("t:bad-statement"), "A statement must give its verbatim text ")]


def test_named_graphs_are_validated_as_their_union(tmp_path):
    path = tmp_path / "split.trig"
    path.write_text(HEADER + "t:g1 {\n" + BASELINE.replace(HEADER, "") + "\n}\n"
                    + "t:g2 {\n" + BROKEN_STATEMENT + "}\n", encoding="utf-8")
    report = validate_files([path])
    assert {r.focus_node for r in report.results} == {expand("t:bad-statement")}


def test_parse_error_carries_file_line_and_column():
    with pytest.raises(ParseError) as caught:
        parse_data(MALFORMED, rdf_format("turtle"), name="body.ttl")
    err = caught.value
    line = MALFORMED.splitlines().index('    rdfs:label "B" .') + 1
    assert err.file == "body.ttl"
    assert err.line == line
    assert err.column and err.column > 1
    assert str(err).startswith(f"body.ttl, line {line}, column ")
    assert "Parser error" not in err.message


@pytest.mark.parametrize("fmt,text,line", [
    ("ntriples", '<http://ex/a> <http://ex/p> "x" .\n<http://ex/a> <http://ex/p> .\n', 2),
    ("nquads", '<http://ex/a> <http://ex/p> "x" <http://ex/g> .\n<http://ex/a> "p" "x" .\n', 2),
    ("trig", '<http://ex/g> {\n <http://ex/a> <http://ex/p> "x" .\n', 3),
    ("jsonld", '{"@id": "http://ex/a",\n "http://ex/p": [1,, 2]}', 2),
])
def test_parse_errors_in_other_formats(fmt, text, line):
    with pytest.raises(ParseError) as caught:
        parse_data(text, rdf_format(fmt), name="x")
    assert caught.value.line == line


def test_rdfxml_error_names_the_input_and_the_position():
    """pyoxigraph's RDF/XML errors have no position; the XML check that runs first has one."""
    text = ('<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
            '<rdf:Description rdf:about="http://ex/a">\n</rdf:RDF>')
    with pytest.raises(ParseError) as caught:
        parse_data(text, rdf_format("rdfxml"), name="x.rdf")
    assert caught.value.file == "x.rdf" and caught.value.line == 4
    assert "well-formed" in caught.value.message


def test_remote_jsonld_context_is_not_fetched():
    text = '{"@context": "http://127.0.0.1:9/never.jsonld", "@id": "http://ex/a", "name": "x"}'
    with pytest.raises(ParseError) as caught:
        parse_data(text, rdf_format("jsonld"), name="x.jsonld")
    assert "remote JSON-LD contexts are not fetched" in caught.value.message


def test_xml_external_entities_are_not_resolved(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET", encoding="utf-8")
    text = (f'<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM "{secret.as_uri()}">]>\n'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://ex/">\n'
            '<rdf:Description rdf:about="http://ex/a"><ex:p>&x;</ex:p></rdf:Description>\n</rdf:RDF>')
    with pytest.raises(InputRefused) as refused:  # a DTD is refused before pyoxigraph reads it
        parse_data(text, rdf_format("rdfxml"), name="x.rdf")
    assert "DOCTYPE" in str(refused.value)
    result = run_ppkg(tmp_path, text, "x.rdf")  # the same from the command line
    assert result.returncode == 2 and "DOCTYPE" in result.stderr and "SECRET" not in result.stdout


def run_ppkg(folder, text: str, name: str):
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return subprocess.run([*ppkg_command(), "validate", str(path)], capture_output=True,
                          text=True, timeout=120)


def test_blank_nodes_of_different_files_stay_apart(tmp_path):
    (tmp_path / "a.ttl").write_text('_:b0 <http://ex/p> "a" .\n', encoding="utf-8")
    (tmp_path / "b.ttl").write_text('_:b0 <http://ex/p> "b" .\n', encoding="utf-8")
    graph = parse_files([tmp_path])
    assert len(set(graph.subjects())) == 2


def test_literals_keep_their_lexical_form():
    graph = parse_data('<http://ex/a> <http://ex/p> "01"^^<http://www.w3.org/2001/XMLSchema#nonNegativeInteger>,'
                       ' "x", "y"@en .', rdf_format("turtle"))
    objects = set(graph.objects())
    non_negative = URIRef("http://www.w3.org/2001/XMLSchema#nonNegativeInteger")
    assert Literal("01", datatype=non_negative, normalize=False) in objects
    assert Literal("x") in objects and Literal("y", lang="en") in objects


# ------------------------------------------------------------------------------------------------
# The API: reports
# ------------------------------------------------------------------------------------------------


def test_report_of_an_in_memory_graph():
    """What an HTTP endpoint does: parse a body, validate the graph, render the report."""
    graph = parse_data(BASELINE + BROKEN_STATEMENT, rdf_format("turtle"), name="request body")
    assert isinstance(graph, Graph)
    report = validate_graph(graph)
    assert not report.conforms
    assert report.counts == {"Violation": 1, "Warning": 0, "Info": 0}
    (result,) = report.results
    assert result.focus_node == expand("t:bad-statement")
    assert result.path == f"<{PREFIXES['ppkg']}text>"
    assert result.value is None
    assert result.node_shape == expand("ppkgsh:StatementShape")
    assert report.labels[result.focus_node] == "A statement without its words"
    assert isinstance(report.graph, Graph) and len(report.graph) > 0
    assert json.loads(report.to_json_text())["results"][0]["severity"] == "Violation"


def test_text_report_shows_labels_of_values_and_blank_node_context():
    graph = parse_data(BASELINE + """
t:decree ppkg:politicalPrisonersReleased [ a ppkg:Figure ; rdfs:label "Fifty-one" ;
    ppkg:qualifier ppkg:Exactly ; ppkg:asStated "51 political prisoners" ] .
t:arrest ppkg:concerns t:torture .
""", rdf_format("turtle"))
    text = validate_graph(graph).to_text()
    # The blank figure is named by the resource that points to it.
    assert ('"Fifty-one" (the ppkg:politicalPrisonersReleased of <https://w3id.org/ppkg/id/test/decree>'
            ' "Test pardon decree")') in text
    assert "must give its number (ppkg:value)" in text
    assert 'value: <https://w3id.org/ppkg/id/test/torture> "torture"' in text
    assert "shape: ppkgsh:EventShape" in text


def test_focus_nodes_accept_strings_and_iris():
    graph = parse_data(BASELINE + BROKEN_STATEMENT, rdf_format("turtle"))
    assert validate_graph(graph, focus_nodes=[URIRef(expand("t:alice"))]).conforms
    assert not validate_graph(graph, focus_nodes=[str(expand("t:bad-statement"))]).conforms
