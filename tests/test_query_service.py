"""The query service's Python API (for other blueprints), its safety scan and its serializers."""

from __future__ import annotations

import io
import os
import time

import pyoxigraph as ox
import pytest

from conftest import TEST_DATASET
from ppkg.config import Config
from ppkg.formats import RDF_FORMATS, RESULTS_FORMATS, rdf_format, results_format
from ppkg.errors import (NotAcceptable, QueryError, QueryRefused, QuerySyntaxError, QueryTimeout,
                         ReadOnly)
from ppkg.store.embedded.service import QueryService
from ppkg.sparql.results import write_boolean, write_graph, write_solutions
from ppkg.sparql.scan import scan
from ppkg.store.embedded.dataset import load_dataset

EX = "http://example.org/ppkg-test/"
PREFIX = f"PREFIX ex: <{EX}>\n"


@pytest.fixture(scope="module")
def service():
    svc = QueryService(load_dataset([TEST_DATASET]),
                       Config(query_timeout=1.0, row_limit=5, service_allowlist=("http://allowed.example/sparql",)))
    yield svc
    svc.close()


def test_select_returns_terms_and_binds_substitutions(service):
    variables, rows = service.select(
        PREFIX + "SELECT ?person ?name WHERE { ?person ex:name ?name }",
        substitutions={"person": ox.NamedNode(EX + "p2")})
    assert variables == ["person", "name"]
    assert rows == [(ox.NamedNode(EX + "p2"), ox.Literal("Rauf Əliyev"))]


def test_select_is_row_limited(service):
    result = service.select("SELECT * WHERE { ?s ?p ?o }")
    assert len(result.rows) == 5 and result.truncated
    result = service.select("SELECT * WHERE { ?s ?p ?o }", limit=1000)
    assert len(result.rows) > 5 and not result.truncated
    assert all(isinstance(d, dict) for d in result.dicts())


def test_construct_and_ask(service):
    triples = service.construct(PREFIX + "CONSTRUCT WHERE { ex:p4 ex:name ?n }")
    assert list(triples) == [ox.Triple(ox.NamedNode(EX + "p4"), ox.NamedNode(EX + "name"),
                                       ox.Literal("Tofiq Quliyev"))]
    assert not triples.truncated
    assert service.ask(PREFIX + "ASK { ex:p4 ex:memberOf ex:party2 }") is True
    assert service.ask(PREFIX + "ASK { ?x ex:name ?n }", substitutions={"x": ox.NamedNode(EX + "nobody")}) is False


def test_named_graph_selection(service):
    _, rows = service.select(PREFIX + "SELECT ?p WHERE { ?p a ex:Person }",
                             default_graphs=[EX + "graph/source-b"])
    assert {r[0].value for r in rows} == {EX + "p4", EX + "p5"}


def test_execute_writes_a_file(service):
    result = service.execute("SELECT * WHERE { ?s ?p ?o }", results_format=results_format("tsv"))
    try:
        with open(result.path, "rb") as f:
            lines = f.read().decode().splitlines()
        assert lines[0] == "?o\t?p\t?s" and len(lines) == 6
        assert result.truncated and result.count == 5 and result.media_type == "text/tab-separated-values"
    finally:
        os.unlink(result.path)
    with pytest.raises(NotAcceptable):
        service.execute("CONSTRUCT WHERE { ?s ?p ?o }", results_format=results_format("json"))


def test_errors_carry_their_status(service):
    with pytest.raises(QuerySyntaxError) as err:
        service.select("SELECT * WHERE {")
    assert err.value.status == 400 and "1:" in err.value.message
    with pytest.raises(ReadOnly) as err:
        service.select("CLEAR ALL")
    assert err.value.status == 403
    with pytest.raises(QueryRefused):
        service.select("SELECT * WHERE { SERVICE <http://other.example/sparql> { ?s ?p ?o } }")
    with pytest.raises(QueryError):
        service.select("ASK {}")
    with pytest.raises(QueryError):
        service.select("SELECT * WHERE { ?s ?p ?o }", timeout=-1)


def test_timeout_kills_and_replaces_the_query_process(service):
    service.ask("ASK {}")
    first = service.executor.child_pid
    started = time.monotonic()
    with pytest.raises(QueryTimeout) as err:
        service.select("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n1 ?o }",
                       timeout=0.3)
    assert err.value.status == 503 and err.value.limit == 0.3
    assert time.monotonic() - started < 1.0
    with pytest.raises(ProcessLookupError):
        os.kill(first, 0)  # killed and reaped
    assert service.ask("ASK { ?s ?p ?o }") is True
    assert service.executor.child_pid != first


def test_counts(service):
    counts = service.counts()
    assert set(counts.graphs) == {EX + "graph/source-a", EX + "graph/source-b"}
    assert counts.triples == counts.default_graph == sum(counts.graphs.values()) + 6  # + the default graph


# --- the scan ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("query,form,targets", [
    ("SELECT * WHERE { ?s ?p ?o }", "SELECT", []),
    ("PREFIX s: <http://x/>\nCONSTRUCT WHERE { ?s s:service ?o }", "CONSTRUCT", []),
    ('ASK { ?s ?p "SERVICE <http://x/> {}" }', "ASK", []),
    ("ASK { ?s ?p '''\nSERVICE <http://x/> {}''' }", "ASK", []),
    ("# SERVICE <http://x/>\nDESCRIBE <http://y/>", "DESCRIBE", []),
    ("SELECT ?service WHERE { ?service ?p ?o }", "SELECT", []),
    ("SELECT * WHERE { SERVICE <http://x/> {} }", "SELECT", ["SERVICE <http://x/>"]),
    ("SELECT * WHERE { sErViCe SILENT<http://x/>{} }", "SELECT", ["SERVICE <http://x/>"]),
    ("PREFIX e: <http://x/>\nSELECT * WHERE { SERVICE e:a\\-b {} }", "SELECT", ["SERVICE <http://x/a-b>"]),
    ("SELECT * WHERE { SERVICE $v {} }", "SELECT", ["SERVICE $v"]),
    ("SELECT * WHERE { SERVICE <http://x/\\u0041> {} }", "SELECT", ["SERVICE <http://x/A>"]),
    ("SELECT * WHERE { FILTER(?a<?b) SERVICE <http://x/> {} }", "SELECT", ["SERVICE <http://x/>"]),
    ("LOAD <http://x/d.ttl>", None, ["LOAD <http://x/d.ttl>"]),
])
def test_scan_finds_service_and_load_targets(query, form, targets):
    info = scan(query)
    assert info.form == form
    assert [t.describe() for t in info.refused_targets(())] == targets


def test_allowlisted_service_passes_the_check(service):
    info = service.inspect("SELECT * WHERE { SERVICE <http://allowed.example/sparql> { ?s ?p ?o } }")
    assert info.services[0].iri == "http://allowed.example/sparql"
    assert scan("SELECT * FROM <http://g/> WHERE {}").has_dataset_clause


# --- the serializers agree with Oxigraph's -------------------------------------------------------------

SOLUTIONS = """SELECT ?a ?b ?c ?d ?e ?f ?g ?h ?i ?j ?k WHERE { VALUES (?a ?b ?c ?d ?e ?f ?g ?h ?i ?j) {
  (1.5 1.0e3 true 7 "x"@en "abc"^^<http://www.w3.org/2001/XMLSchema#integer> "y"@ar--rtl UNDEF
   "tab\\there \\\\ \\" \\n ü <&>,;" <http://example.org/é>)
  (UNDEF UNDEF UNDEF UNDEF UNDEF UNDEF UNDEF UNDEF UNDEF UNDEF) }
  BIND(<<( <http://a> <http://b> "c" )>> AS ?k) }"""


@pytest.mark.parametrize("fmt", RESULTS_FORMATS, ids=lambda f: f.name)
def test_solutions_match_oxigraph(fmt):
    store = ox.Store()
    expected = store.query(SOLUTIONS).serialize(format=fmt.oxigraph)
    result = store.query(SOLUTIONS)
    out = io.BytesIO()
    written = write_solutions((tuple(s) for s in result), [v.value for v in result.variables], fmt, out)
    assert out.getvalue() == expected
    assert written.count == 2 and not written.truncated
    for value, query in ((True, "ASK {}"), (False, "ASK { FILTER(false) }")):
        out = io.BytesIO()
        write_boolean(value, fmt, out)
        assert out.getvalue() == store.query(query).serialize(format=fmt.oxigraph)


@pytest.mark.parametrize("fmt", RDF_FORMATS, ids=lambda f: f.name)
def test_graph_writer_limits_and_round_trips(fmt):
    store = ox.Store()
    triples = [ox.Triple(ox.NamedNode(f"http://example.org/s{i}"), ox.NamedNode("http://example.org/p"),
                         ox.Literal(str(i))) for i in range(10)]
    out = io.BytesIO()
    written = write_graph(iter(triples), fmt, out, limit=4)
    assert written.count == 4 and written.truncated
    parsed = list(ox.parse(out.getvalue(), fmt.oxigraph))
    assert len(parsed) == 4
    assert rdf_format(fmt.name) is fmt
