"""POST /validate on a real server: reports by Accept, the published context, every bad input, and
the safety rules (named graphs, XXE, entity expansion, remote JSON-LD contexts, owl:imports,
smuggled shapes, reserved namespaces). Plus, in process: the upload-with-context validation finds
exactly what validating the upload with the whole published graph finds, on the upload's nodes."""

from __future__ import annotations

import json

import pytest
import rdflib
import requests

from archive_helpers import (PREFIXES, SOURCE_TRIPLES, RecordingHTTPServer, cite, graph_sizes,
                             post_turtle, source, start_archive, stop_archive)

SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
PERSON = "https://w3id.org/ppkg/id/person/"

VALID = PREFIXES + source("valid") + f"""
person:new-prisoner a ppkg:Person ; rdfs:label "New Prisoner" ; ppkg:occupation occ:journalist ;
    {cite("valid")} .
event:arrest-new-prisoner a ppkg:Arrest ; rdfs:label "Arrest of New Prisoner" ;
    ppkg:concerns person:new-prisoner ; ppkg:date "2019-02-01"^^xsd:date ; {cite("valid")} .
"""

# Three problems: a string occupation, an impossible date, an arrest of someone who is not an agent.
INVALID = PREFIXES + source("invalid") + f"""
person:broken a ppkg:Person ; rdfs:label "Broken Record" ; ppkg:occupation "journalist" ;
    {cite("invalid")} .
event:arrest-broken a ppkg:Arrest ; rdfs:label "Arrest of Broken Record" ;
    ppkg:concerns person:nobody-published ; ppkg:date "2019-02-30"^^xsd:date ; {cite("invalid")} .
"""


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    arch = start_archive(tmp_path_factory.mktemp("validation"))
    yield arch
    stop_archive(arch)


def validate(archive, body: str | bytes, content_type="text/turtle", accept="application/json",
             **params):
    data = body.encode() if isinstance(body, str) else body
    return requests.post(archive.url + "/validate", data=data, params=params or None, timeout=120,
                         headers={"Content-Type": content_type, "Accept": accept})


# --- reports ---------------------------------------------------------------------------------

def test_valid_upload_conforms(archive):
    response = validate(archive, VALID)
    assert response.status_code == 200
    assert response.headers["X-PPKG-Conforms"] == "true"
    report = response.json()
    assert report["conforms"] is True
    assert report["counts"] == {"Violation": 0, "Warning": 0, "Info": 0}
    assert report["triples"]["upload"] == 9 + SOURCE_TRIPLES
    assert report["focusNodes"] >= 2  # the two resources (and the classes, if shapes target them)
    assert report["shapesVersion"].startswith("sha256:")


def test_invalid_upload_json_report(archive):
    response = validate(archive, INVALID)
    assert response.status_code == 200
    assert response.headers["X-PPKG-Conforms"] == "false"
    report = response.json()
    assert report["conforms"] is False
    assert report["counts"]["Violation"] == 3
    by_path = {r["path"]: r for r in report["results"]}
    occupation = by_path["<https://w3id.org/ppkg/ontology#occupation>"]
    assert occupation["focusNode"] == PERSON + "broken"
    assert occupation["focusLabel"] == "Broken Record"
    assert occupation["value"] == {"type": "literal", "value": "journalist"}
    assert occupation["nodeShape"] == "https://w3id.org/ppkg/shapes#PersonShape"
    assert occupation["shapeLabel"] == "Person"
    assert "occupations scheme" in occupation["message"]
    assert occupation["severity"] == "Violation"
    date = by_path["<https://w3id.org/ppkg/ontology#date>"]
    assert date["value"]["value"] == "2019-02-30"
    assert date["focusLabel"] == "Arrest of Broken Record"
    concerns = by_path["<https://w3id.org/ppkg/ontology#concerns>"]
    assert concerns["value"]["value"] == PERSON + "nobody-published"


def test_published_context_resolves_references(archive):
    """An upload pointing at published people validates against them: their type comes from the
    store (a person unknown to the store is no ppkg:Agent)."""
    known = PREFIXES + source("known") + f"""
event:second-arrest-rauf a ppkg:Arrest ; rdfs:label "Second arrest of Rauf Testov" ;
    ppkg:concerns person:rauf-testov ; ppkg:dateUnknown true ; {cite("known")} .
"""
    assert validate(archive, known).json()["conforms"] is True
    unknown = known.replace("person:rauf-testov", "person:rauf-testov-misspelt")
    report = validate(archive, unknown).json()
    assert report["conforms"] is False
    assert [r["path"] for r in report["results"]] == ["<https://w3id.org/ppkg/ontology#concerns>"]


def test_existing_subject_is_validated_with_its_published_triples(archive):
    """Adding to a published person: the name it already has counts; a bad addition is caught,
    and the report labels the person with its published name."""
    addition = (PREFIXES + source("addition")
                + f'person:aysel-testova ppkg:knownFor "her reporting" ; {cite("addition")} .\n')
    report = validate(archive, addition).json()
    assert report["conforms"] is True and report["triples"]["context"] > 0
    bad = (PREFIXES + source("bad-parent")
           + f'person:aysel-testova ppkg:parent orgn:test-front ; {cite("bad-parent")} .\n')
    report = validate(archive, bad).json()
    assert report["conforms"] is False
    [result] = report["results"]
    assert result["focusLabel"] == "Aysel Testova"
    assert result["valueLabel"] == "Test Front Party"


def test_blank_nodes_are_validated_and_located(archive):
    """A figure given as a blank node is checked (pyshacl skips blank focus nodes by itself) and
    the report says whose figure it is."""
    upload = PREFIXES + source("decree") + f"""
<https://w3id.org/ppkg/id/document/test-decree> a ppkg:PardonDecree ; rdfs:label "Test decree" ;
    ppkg:peopleReleased [ a ppkg:Figure ; rdfs:label "Many people" ; ppkg:asStated "many" ] ;
    {cite("decree")} .
"""
    report = validate(archive, upload).json()
    assert report["conforms"] is False
    [result] = report["results"]
    assert result["focusNode"].startswith("_:")
    assert result["focusParent"]["subjectLabel"] == "Test decree"
    assert result["focusParent"]["predicate"] == "https://w3id.org/ppkg/ontology#peopleReleased"
    assert "qualifier" in result["message"]


def test_turtle_and_jsonld_reports_are_shacl_validation_reports(archive):
    for accept, fmt in (("text/turtle", "turtle"), ("application/ld+json", "json-ld")):
        response = validate(archive, INVALID, accept=accept)
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith(accept)
        graph = rdflib.Graph().parse(data=response.text, format=fmt)
        [report] = graph.subjects(rdflib.RDF.type, SH.ValidationReport)
        assert graph.value(report, SH.conforms).toPython() is False
        assert len(list(graph.objects(report, SH.result))) == 3


def test_text_and_html_reports(archive):
    text = validate(archive, INVALID, accept="text/plain")
    assert text.headers["Content-Type"].startswith("text/plain")
    assert "Does not conform: 3 violations" in text.text
    html = validate(archive, INVALID, accept="text/html")
    assert html.status_code == 200 and html.headers["Content-Type"].startswith("text/html")
    # grouped by focus node, under the resource's label rather than its IRI
    assert "<h3>Broken Record" in html.text and "<h3>Arrest of Broken Record" in html.text
    assert "occupations scheme" in html.text
    assert "2019-02-30" in html.text


def test_format_parameter_and_406(archive):
    assert validate(archive, VALID, accept="text/html", format="json").json()["conforms"] is True
    response = validate(archive, VALID, accept="image/png")
    assert response.status_code == 406


# --- input formats -----------------------------------------------------------------------------

SRC = "https://w3id.org/ppkg/id/source/formats-report"
JSONLD = json.dumps({
    "@context": {"ppkg": "https://w3id.org/ppkg/ontology#",
                 "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
                 "ppkg:source": {"@type": "@id"}, "ppkg:url": {"@type": "@id"}},
    "@graph": [
        {"@id": PERSON + "jsonld-person", "@type": "ppkg:Person", "rdfs:label": "JSON-LD Person",
         "ppkg:source": SRC},
        {"@id": SRC, "@type": "ppkg:NewsArticle", "rdfs:label": "R", "ppkg:title": "R",
         "ppkg:url": "https://example.org/r"}]})
NTRIPLES = "".join(f"<{s}> <{p}> {o} .\n" for s, p, o in (
    (PERSON + "nt-person", "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
     "<https://w3id.org/ppkg/ontology#Person>"),
    (PERSON + "nt-person", "http://www.w3.org/2000/01/rdf-schema#label", '"NT Person"'),
    (PERSON + "nt-person", "https://w3id.org/ppkg/ontology#source", f"<{SRC}>"),
    (SRC, "http://www.w3.org/1999/02/22-rdf-syntax-ns#type", "<https://w3id.org/ppkg/ontology#NewsArticle>"),
    (SRC, "http://www.w3.org/2000/01/rdf-schema#label", '"R"'),
    (SRC, "https://w3id.org/ppkg/ontology#title", '"R"'),
    (SRC, "https://w3id.org/ppkg/ontology#archivalReference", '"Box 1"')))
RDFXML = f"""<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#"
         xmlns:ppkg="https://w3id.org/ppkg/ontology#">
  <ppkg:Person rdf:about="{PERSON}xml-person"><rdfs:label>XML Person</rdfs:label>
    <ppkg:source rdf:resource="{SRC}"/></ppkg:Person>
  <ppkg:NewsArticle rdf:about="{SRC}"><rdfs:label>R</rdfs:label><ppkg:title>R</ppkg:title>
    <ppkg:datePublished rdf:datatype="http://www.w3.org/2001/XMLSchema#gYear">2019</ppkg:datePublished>
  </ppkg:NewsArticle>
</rdf:RDF>
"""


@pytest.mark.parametrize("content_type, body", [
    ("text/turtle", VALID),
    ("application/trig", VALID),
    ("application/ld+json", JSONLD),
    ("application/n-triples", NTRIPLES),
    ("application/n-quads", NTRIPLES),
    ("application/rdf+xml", RDFXML),
    ("text/turtle; charset=utf-8", VALID),
])
def test_every_input_format(archive, content_type, body):
    response = validate(archive, body, content_type=content_type)
    assert response.status_code == 200, response.text
    assert response.json()["conforms"] is True


def test_multipart_form_and_page(archive):
    page = requests.get(archive.url + "/validate", timeout=30)
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.text
    files = {"file": ("broken.ttl", INVALID.encode(), "application/octet-stream")}
    response = requests.post(archive.url + "/validate", files=files, data={"format": ""},
                             headers={"Accept": "text/html"}, timeout=60)
    assert response.status_code == 200
    assert "Does not conform" in response.text and "<h3>Broken Record" in response.text
    pasted = requests.post(archive.url + "/validate", files={"file": ("", b"")},
                           data={"data": VALID, "format": "turtle"},
                           headers={"Accept": "application/json"}, timeout=60)
    assert pasted.json()["conforms"] is True
    unknown = requests.post(archive.url + "/validate",
                            files={"file": ("data.bin", VALID.encode(), "application/octet-stream")},
                            timeout=60)
    assert unknown.status_code == 415


# --- bad inputs ----------------------------------------------------------------------------------

def test_parse_error_gives_line_and_column(archive):
    body = PREFIXES + 'person:x a ppkg:Person ;\n    rdfs:label "X" ppkg:knownFor "y" .\n'
    response = validate(archive, body)
    assert response.status_code == 400
    error = response.json()
    line = PREFIXES.count("\n") + 2
    assert error["line"] == line and error["column"] == 20  # where ppkg:knownFor starts
    assert f"line {line}, column 20" in error["error"]
    html = validate(archive, body, accept="text/html")
    assert html.status_code == 400 and f"At line {line}, column 20" in html.text


def test_oversize_body_is_413(archive):
    big = PREFIXES + "".join(f'person:big-{i} a ppkg:Person ; rdfs:label "Big {i}" .\n'
                             for i in range(6000))
    assert len(big) > 256 * 1024
    response = validate(archive, big)
    assert response.status_code == 413


def test_unknown_or_missing_media_type_is_415(archive):
    assert validate(archive, VALID, content_type="application/x-unknown").status_code == 415
    response = requests.post(archive.url + "/validate", data=VALID.encode(), timeout=30)
    assert response.status_code == 415


def test_empty_upload_is_400(archive):
    assert validate(archive, PREFIXES).status_code == 400


# --- safety ------------------------------------------------------------------------------------

@pytest.mark.parametrize("content_type, body, graph", [
    ("application/trig", PREFIXES + "<https://w3id.org/ppkg/id/source/archive-test> "
     "{ person:x a ppkg:Person ; rdfs:label \"X\" }", "https://w3id.org/ppkg/id/source/archive-test"),
    ("application/n-quads", f'<{PERSON}x> <http://www.w3.org/2000/01/rdf-schema#label> "X" '
     '<https://w3id.org/ppkg/ontology> .\n', "https://w3id.org/ppkg/ontology"),
    ("application/ld+json", json.dumps({"@id": "https://w3id.org/ppkg/graph/provenance", "@graph": [
        {"@id": PERSON + "x", "http://www.w3.org/2000/01/rdf-schema#label": "X"}]}),
     "https://w3id.org/ppkg/graph/provenance"),
])
def test_named_graphs_are_refused_naming_the_graph(archive, content_type, body, graph):
    response = validate(archive, body, content_type=content_type)
    assert response.status_code == 400
    assert f"<{graph}>" in response.json()["error"]


def test_rdfxml_external_entity_is_never_resolved(archive, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-4711")
    body = f"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [ <!ENTITY xxe SYSTEM "file://{secret}"> ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">
  <rdf:Description rdf:about="{PERSON}xxe"><rdfs:label>&xxe;</rdfs:label></rdf:Description>
</rdf:RDF>"""
    response = validate(archive, body, content_type="application/rdf+xml")
    assert response.status_code == 400
    assert "TOP-SECRET" not in response.text
    assert "DOCTYPE" in response.json()["error"]


def test_rdfxml_entity_expansion_is_refused(archive):
    """"Billion laughs": internal entities are refused before the parser (which would expand
    them and run out of memory)."""
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol%d;" % (i - 1)) * 10}">' for i in range(1, 10))
    body = f"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [ {entities} ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">
  <rdf:Description rdf:about="{PERSON}lol"><rdfs:label>&lol9;</rdfs:label></rdf:Description>
</rdf:RDF>"""
    response = validate(archive, body, content_type="application/rdf+xml")
    assert response.status_code == 400
    assert requests.get(archive.url + "/health", timeout=30).status_code == 200


def test_deeply_nested_jsonld_is_refused(archive):
    depth = 20_000  # deep enough to overflow the parser's stack if it were let through
    body = ('{"@context": {"p": "http://example.org/p"}, "@id": "http://example.org/a", "p": '
            + '{"p": ' * depth + '"x"' + "}" * depth + "}")
    response = validate(archive, body, content_type="application/ld+json")
    assert response.status_code == 400
    assert "nested" in response.json()["error"]
    assert requests.get(archive.url + "/health", timeout=30).status_code == 200


def test_jsonld_remote_context_is_never_fetched(archive):
    with RecordingHTTPServer(b'{"@context": {"name": "http://www.w3.org/2000/01/rdf-schema#label"}}') as remote:
        for context in (remote.url + "/context.jsonld",
                        [remote.url + "/context2.jsonld"],
                        {"@import": remote.url + "/context3.jsonld"}):
            body = json.dumps({"@context": context, "@id": PERSON + "remote", "name": "Remote"})
            response = validate(archive, body, content_type="application/ld+json")
            assert response.status_code == 400, response.text
            assert "remote JSON-LD contexts are not fetched" in response.json()["error"]
        assert remote.requests == []


def test_owl_imports_is_never_followed(archive):
    """The imported document would deactivate the person shape; it is never even requested, and
    the upload's person without a name is still reported."""
    relaxing = (PREFIXES + "ppkgsh:PersonShape sh:deactivated true .\n").encode()
    with RecordingHTTPServer(relaxing, content_type="text/turtle") as remote:
        body = PREFIXES + f"""
ex:my-file owl:imports <{remote.url}/relax.ttl> .
person:nameless a ppkg:Person .
"""
        response = validate(archive, body)
        assert response.status_code == 200
        report = response.json()
        assert report["conforms"] is False
        assert [r["nodeShape"] for r in report["results"] if r["focusNode"] == PERSON + "nameless"
                and "must have a name" in r["message"]] == ["https://w3id.org/ppkg/shapes#PersonShape"]
        assert remote.requests == []


def test_smuggled_shapes_do_not_relax_validation(archive):
    """Shapes in the upload are data: the server validates with its own shapes only."""
    body = PREFIXES + """
ex:LenientPersonShape a sh:NodeShape ; sh:targetClass ppkg:Person ;
    sh:property [ sh:path rdfs:label ; sh:minCount 0 ] .
ex:DeactivateAll a sh:NodeShape ; sh:targetNode person:nameless ; sh:deactivated true .
person:nameless a ppkg:Person .
"""
    report = validate(archive, body).json()
    assert report["conforms"] is False
    assert [r["nodeShape"] for r in report["results"] if r["focusNode"] == PERSON + "nameless"
            and "must have a name" in r["message"]] == ["https://w3id.org/ppkg/shapes#PersonShape"]
    assert "https://w3id.org/ppkg/shapes#SubmittedResourceShape" in {
        r["nodeShape"] for r in report["results"] if r["focusNode"] == PERSON + "nameless"}


@pytest.mark.parametrize("subject", [
    "ppkgsh:PersonShape",  # the shapes
    "ppkg:Person",  # the ontology
    "<https://w3id.org/ppkg/graph/provenance>",
    "<https://w3id.org/ppkg/id/submission/20260101-000000-abcdef>",  # a submission record
    "rdfs:label",
])
def test_reserved_namespaces_are_refused(archive, subject):
    body = PREFIXES + f'{subject} rdfs:comment "changed" .\nperson:x a ppkg:Person ; rdfs:label "X" .\n'
    response = validate(archive, body)
    assert response.status_code == 400
    assert "reserved namespaces" in response.json()["error"]


def test_validation_never_changes_the_store(archive):
    before = graph_sizes(archive.url)
    for body in (VALID, INVALID):
        assert validate(archive, body).status_code == 200
    post_turtle(archive.url, "/validate", VALID)
    assert graph_sizes(archive.url) == before
    log = archive.data_dir / "log"
    assert not log.exists() or list(log.iterdir()) == []


# --- in process: the focused validation finds what a whole-graph validation finds --------------

EQUIVALENCE_CASES = [
    VALID,
    INVALID,
    PREFIXES + 'person:aysel-testova ppkg:parent orgn:test-front ; ppkg:knownFor "" .\n',
    PREFIXES + """mem:new a ppkg:Membership ; rdfs:label "New membership" ;
        ppkg:member person:rauf-testov , person:aysel-testova ; ppkg:organization orgn:test-front ;
        ppkg:role role:member ; ppkg:since "2019-13"^^xsd:gYearMonth .""",
    PREFIXES + """<https://w3id.org/ppkg/id/document/d> a ppkg:PardonDecree ; rdfs:label "D" ;
        ppkg:issuedBy person:rauf-testov ;
        ppkg:peopleReleased [ a ppkg:Figure ; rdfs:label "F" ; ppkg:asStated "dozens" ;
            ppkg:qualifier ppkg:Dozens ; ppkg:value 12 ] .
        event:e a ppkg:Event ; rdfs:label "Something" ; ppkg:dateUnknown true .""",
    PREFIXES + 'mem:aysel-testova-test-front ppkg:member person:rauf-testov .\n',
]


@pytest.mark.parametrize("case", range(len(EQUIVALENCE_CASES)))
def test_focused_validation_matches_whole_graph_validation(case):
    from archive_helpers import PUBLISHED
    from ppkg.config import Config
    from ppkg.formats import rdf_format
    from ppkg.store.embedded.service import QueryService
    from ppkg.store.embedded.dataset import load_dataset
    from ppkg.archive.uploads import parse_upload
    from ppkg.archive.validation import SUBMITTED, validate_upload
    from ppkg.archive.rdf_input import parse_data, parse_files
    from ppkg.archive.shacl import validate_graph

    text = EQUIVALENCE_CASES[case]
    dataset = load_dataset([PUBLISHED])
    service = QueryService(dataset, Config())
    try:
        focused = validate_upload(parse_upload(text.encode(), rdf_format("turtle")), service)
    finally:
        service.close()
    whole = parse_files([PUBLISHED])
    parse_data(text, rdf_format("turtle"), whole)
    subjects = {str(s) for s in parse_data(text, rdf_format("turtle")).subjects()}
    for s in subjects:  # as the validator does (none of the cases has a blank node of its own)
        if not s.startswith("_:") and s.startswith("http"):
            whole.add((rdflib.URIRef(s), rdflib.RDF.type, rdflib.URIRef(SUBMITTED)))
    full = validate_graph(whole)

    def key(r):  # blank nodes are renamed apart in each parse: compare them by their message
        focus = "_:" if isinstance(r.focus_node, rdflib.BNode) else str(r.focus_node)
        return (focus, r.path or "", r.severity, r.message, str(r.value) if not isinstance(r.value, rdflib.BNode) else "_:")

    expected = sorted(key(r) for r in full.results
                      if str(r.focus_node) in subjects or isinstance(r.focus_node, rdflib.BNode))
    assert sorted(key(r) for r in focused.report.results) == expected
    assert focused.report.triples < full.triples  # it did not load the whole graph
