"""Bounded fuzzing of what an anonymous user can send (issue 11): hypothesis, with a fixed example
budget and a fixed seed, against a real `ppkg serve` of the shipped graph (2 s query limit,
64 KiB bodies, 256 MiB per request, 2 workers).

- mutated queries (the catalog's queries/*.rq and W3C-style queries, with tokens and characters
  inserted, deleted, duplicated) by GET, form POST and query POST, with random Accept and format=;
- content negotiation: random Accept headers and format= values on every kind of page;
- /id/ paths: random segments, percent-encodings, dot segments, extensions;
- the catalog's parameters (/queries/NAME?param=…): values of every shape, injections, unknown
  and repeated names;
- RDF uploads to /validate (and, with a token, /submissions): mutated Turtle, N-Triples,
  JSON-LD, RDF/XML, TriG, N-Quads under matching and mismatched Content-Types.

Every answer must come within a few seconds of the server's limit (no hang) and must not be a
5xx — except a 503 from the guard on a genuinely expensive query, its designed answer. No
request may reach the bait server whose address the inputs carry. Counts by status are printed
(run with -s).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from urllib.parse import quote

import pytest
import requests
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from archive_helpers import create_token, person_upload
from conftest import TESTS, start_server, stop_server
from hardening_helpers import SECRET, Bait, figure

LIMIT = 2.0  # the fuzzed server's query time limit
REQUEST_TIMEOUT = LIMIT + 8  # no answer by then: a hang
MAX_BODY = 64 * 1024
QUERIES = TESTS.parent / "queries"

COUNTS: dict[str, Counter] = {}


def budget(examples: int) -> settings:
    """A fixed number of examples from a fixed seed; no shrinking, so the time is bounded (a
    failure reports the example as found)."""
    return settings(max_examples=examples, deadline=None, derandomize=True, database=None,
                    phases=[Phase.explicit, Phase.generate],
                    suppress_health_check=list(HealthCheck))


@pytest.fixture(scope="module")
def bait():
    with Bait() as b:
        yield b


@pytest.fixture(scope="module")
def fuzz(tmp_path_factory, bait):
    tmp = tmp_path_factory.mktemp("fuzz")
    data_dir = tmp / "data"
    token = create_token(data_dir, "fuzzer", "archivist")
    srv = start_server(["--timeout", str(LIMIT), "--max-body", str(MAX_BODY),
                        "--request-memory", str(256 * 2**20)], tmp / "serve.log", workers=2,
                       env={"PPKG_DATA_DIR": str(data_dir)})
    srv.token = token
    rows = requests.post(srv.sparql, data={"query": "SELECT DISTINCT ?s WHERE { ?s ?p ?o "
                                                    "FILTER(isIRI(?s)) } LIMIT 60"},
                         headers={"Accept": "application/sparql-results+json"},
                         timeout=30).json()["results"]["bindings"]
    srv.iris = [r["s"]["value"] for r in rows]
    catalog = requests.get(srv.url + "/queries.json", timeout=30).json()["queries"]
    srv.catalog = {q["name"]: [p["name"] for p in q.get("parameters", [])] for q in catalog}
    yield srv
    stop_server(srv)
    figure("fuzz totals: " + "; ".join(f"{area}: {dict(sorted(c.items()))}"
                                       for area, c in COUNTS.items()))
    total = sum(COUNTS.values(), Counter())
    figure(f"fuzz, all areas: {sum(total.values())} requests, by status "
           f"{dict(sorted(total.items()))}")
    assert bait.received == [], f"the bait was reached: {bait.received[:5]}"


def guard_503(response: requests.Response) -> bool:
    return response.status_code == 503 and bool(
        re.search(r"time limit|memory|Stopped|cancelled", response.text))


def send(area: str, method: str, url: str, **kwargs) -> requests.Response:
    """One request, counted by status; a hang, a dropped connection or a 5xx fails."""
    try:
        response = requests.request(method, url, timeout=REQUEST_TIMEOUT, **kwargs)
    except requests.Timeout:
        COUNTS.setdefault(area, Counter())["hang"] += 1
        pytest.fail(f"{area}: no answer within {REQUEST_TIMEOUT} s: {method} {url[:300]} "
                    f"{str(kwargs)[:500]}")
    except requests.ConnectionError as err:
        COUNTS.setdefault(area, Counter())["no answer"] += 1
        pytest.fail(f"{area}: connection closed without an answer (a worker died?): {method} "
                    f"{url[:300]} {str(kwargs)[:500]}: {err}")
    COUNTS.setdefault(area, Counter())[response.status_code] += 1
    assert SECRET not in response.text, (area, url[:200])
    if response.status_code >= 500:
        assert guard_503(response), (
            f"{area}: {response.status_code} for {method} {url[:300]} {str(kwargs)[:800]}: "
            f"{response.text[:300]} (only a 503 from the guard on a genuinely expensive request "
            "is acceptable)")
    return response


def report(area: str) -> None:
    figure(f"fuzz {area}: {sum(COUNTS[area].values())} requests, by status "
           f"{dict(sorted(COUNTS[area].items(), key=str))}")


# --- mutations ------------------------------------------------------------------------------------

W3C_QUERIES = [
    ('PREFIX foaf: <http://xmlns.com/foaf/0.1/> SELECT ?name ?mbox WHERE { ?x foaf:name ?name . '
    '?x foaf:mbox ?mbox }'),
    'SELECT ?v WHERE { ?v ?p "cat"@en }',
    ('SELECT ?title WHERE { <http://example.org/book/book1> <http://purl.org/dc/elements/1.1/title>'
    ' ?title . }'),
    ('PREFIX dc: <http://purl.org/dc/elements/1.1/> SELECT ?title WHERE { ?x dc:title ?title '
    'FILTER regex(?title, "^SPARQL") }'),
    ('PREFIX ns: <http://example.org/ns#> SELECT ?title ?price WHERE { ?x ns:price ?price . '
    'FILTER (?price < 30.5) ?x <http://purl.org/dc/elements/1.1/title> ?title . }'),
    ('SELECT ?name ?mbox WHERE { ?x <http://xmlns.com/foaf/0.1/name> ?name . OPTIONAL { ?x '
    '<http://xmlns.com/foaf/0.1/mbox> ?mbox } }'),
    ('SELECT ?title WHERE { { ?book <http://purl.org/dc/elements/1.0/title> ?title } UNION '
    '{ ?book <http://purl.org/dc/elements/1.1/title> ?title } }'),
    ('SELECT ?s WHERE { ?s ?p ?o . MINUS { ?s <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> '
    '?t } }'),
    'SELECT * WHERE { ?s ?p ?o FILTER NOT EXISTS { ?s ?q ?o2 FILTER(?q != ?p) } } LIMIT 5',
    ('SELECT ?x (CONCAT(?G, " ", ?S) AS ?name) WHERE { ?P <http://xmlns.com/foaf/0.1/givenName> '
    '?G ; <http://xmlns.com/foaf/0.1/surname> ?S BIND(?P AS ?x) }'),
    ('SELECT ?o (COUNT(?s) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?o HAVING (COUNT(?s) > 1) '
    'ORDER BY DESC(?n) LIMIT 10'),
    ('SELECT (SUM(?v) AS ?t) (AVG(?v) AS ?a) (MIN(?v) AS ?mi) (MAX(?v) AS ?ma) '
    '(GROUP_CONCAT(?v; separator="|") AS ?c) (SAMPLE(?v) AS ?x) WHERE { VALUES ?v { 1 2 3 } }'),
    'SELECT * WHERE { ?s (<http://www.w3.org/2000/01/rdf-schema#subClassOf>)* ?c } LIMIT 20',
    'SELECT * WHERE { ?s ^<http://www.w3.org/2000/01/rdf-schema#label>/!(<http://x/a>|^<http://x/b>) ?o } LIMIT 3',
    'SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }',
    'SELECT * FROM NAMED <https://w3id.org/ppkg/graph/provenance> WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 3',
    'ASK { ?s ?p "nothing" }',
    'CONSTRUCT { ?s <http://example.org/p> ?o } WHERE { ?s ?p ?o } LIMIT 10',
    'CONSTRUCT WHERE { ?s ?p ?o } LIMIT 3',
    'DESCRIBE <https://w3id.org/ppkg/id/organization/pace>',
    'SELECT * WHERE { VALUES (?x ?y) { (1 2) (UNDEF "a") } BIND(?x + ?y AS ?z) }',
    ('SELECT (STRLEN(?s) AS ?l) (UCASE(?s) AS ?u) (SUBSTR(?s, 2, 3) AS ?b) (REPLACE(?s, "a", "b") AS '
    '?r) (ENCODE_FOR_URI(?s) AS ?e) (MD5(?s) AS ?h) WHERE { BIND("abc" AS ?s) }'),
    ('SELECT (NOW() AS ?n) (YEAR("2019-03-16"^^<http://www.w3.org/2001/XMLSchema#date>) AS ?y) '
    '(IRI("http://x/") AS ?i) (BNODE() AS ?b) (STRDT("1", <http://www.w3.org/2001/XMLSchema#integer>) AS ?d) WHERE {}'),
    'SELECT * WHERE { ?s ?p ?o } ORDER BY ?o OFFSET 5 LIMIT 5',
    'SELECT * WHERE { { SELECT ?s (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?s } FILTER(?n > 3) }',
    'BASE <http://example.org/> PREFIX : <#> SELECT * WHERE { <a> :b ?c } LIMIT 1',
    'SELECT * WHERE { ?s ?p ?o FILTER(LANGMATCHES(LANG(?o), "en") && isLiteral(?o)) } LIMIT 4',
    'SELECT * WHERE { ?s ?p ?o FILTER(?o IN (1, "x", <http://x/>)) }',
    'SELECT * WHERE { ?s ?p ?o . OPTIONAL { ?o ?q ?r } } LIMIT 10',
]


def seed_queries() -> list[str]:
    return [p.read_text() for p in sorted(QUERIES.glob("*.rq"))] + W3C_QUERIES


TOKENS = [
    "SELECT", "*", "WHERE", "{", "}", "(", ")", "[", "]", ".", ";", ",", "?s", "?p", "?o", "?x",
    "$y", "<http://example.org/a>", "<>", "<#x>", "<relative>", "ex:a", ":a", "a", "_:b", "[]",
    '"x"', "'y'", '"""z"""', '"x"@en', '"1"^^<http://www.w3.org/2001/XMLSchema#integer>',
    '"2019-13-45"^^<http://www.w3.org/2001/XMLSchema#date>', "1", "-1.5", "1e9", "true",
    "FILTER", "OPTIONAL", "UNION", "MINUS", "GRAPH", "BIND", "AS", "VALUES", "UNDEF", "GROUP BY",
    "ORDER BY", "DESC", "LIMIT", "OFFSET", "HAVING", "COUNT", "DISTINCT", "REDUCED", "FROM",
    "NAMED", "CONSTRUCT", "DESCRIBE", "ASK", "INSERT DATA", "DELETE WHERE", "LOAD", "CLEAR ALL",
    "DROP", "PREFIX", "BASE", "#", "\n", "\\u0041", "\\U0001F600", "||", "&&", "!", "=", "!=",
    "<", ">", "+", "-", "/", "|", "^", "?", "REGEX", "STR", "LANG", "CONCAT", "SUBSTR",
    "NOW()", "RAND()", "UUID()", "IRI", "BNODE()", "EXISTS", "NOT", "IN", "COALESCE", "IF",
    "SAMPLE", "GROUP_CONCAT", "SEPARATOR", "é", "\u202e", "\x00", "\\", "'''", "%", "@en",
    "^^", "SERVICE", "SILENT", "service", "SERVICE ?svc", "SERVICEe:x",
]


def bait_tokens(bait_url: str) -> list[str]:
    return [f"SERVICE <{bait_url}/fuzz> {{ ?s ?p ?o }}", f"<{bait_url}/iri>",
            f"PREFIX e: <{bait_url}/> ", f"SERVICE SILENT <{bait_url}/silent> {{ }}",
            f"BASE <{bait_url}/> ", f"LOAD <{bait_url}/load>"]


TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
# what a client library lets through in a header value: latin-1 without control characters
HEADER_TEXT = st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF,
                                    blacklist_categories=("Cc",)), max_size=40)


CLAUSES = [" OPTIONAL { ?s ?p ?x }", " FILTER(?o != 1)", " BIND(STR(?s) AS ?bound)",
           " VALUES ?v { 1 2 }", " MINUS { ?s a ?t }", " ?s ?p ?o .", " ?a ?b ?c . ?d ?e ?f .",
           ' FILTER(REGEX(STR(?s), "a", "i"))', " { ?a ?b ?c } UNION { ?a ?b ?c }",
           " FILTER EXISTS { ?s ?p ?o }", " GRAPH ?g { ?s ?p ?o }", " ?s (<p>|!<q>)* ?z ."]
MODIFIERS = [" LIMIT 0", " LIMIT 100000", " OFFSET 3", " ORDER BY ?s", " ORDER BY DESC(?o) ?s",
             " ORDER BY RAND()", " GROUP BY ?s", " LIMIT 1 OFFSET 99999999999"]


@st.composite
def mutated(draw, seeds: list[str], tokens: list[str], max_len: int = 60_000,
            clauses: bool = False) -> str:
    """A seed with 0–6 mutations: tokens or characters inserted, spans deleted, duplicated or
    case-swapped; with `clauses`, also a valid clause added to the last group or a modifier at
    the end (so that more mutants parse and reach the engine)."""
    text = draw(st.sampled_from(seeds))
    ops = ["token", "token", "char", "delete", "duplicate", "case"]
    if clauses:
        ops += ["clause", "clause", "clause", "modifier", "modifier"]
    for _ in range(draw(st.integers(0, 6))):
        op = draw(st.sampled_from(ops))
        at = draw(st.integers(0, len(text)))
        if op == "clause":
            last = text.rfind("}")
            if last >= 0:
                text = text[:last] + draw(st.sampled_from(CLAUSES)) + " " + text[last:]
        elif op == "modifier":
            text = text.rstrip() + draw(st.sampled_from(MODIFIERS))
        elif op == "token":
            text = text[:at] + draw(st.sampled_from(tokens)) + text[at:]
        elif op == "char":
            text = text[:at] + draw(TEXT) + text[at:]
        elif op == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 40)):]
        elif op == "duplicate":
            span = text[at:at + draw(st.integers(1, 60))]
            text = text[:at] + span * draw(st.integers(2, 50)) + text[at:]
        else:
            end = at + draw(st.integers(1, 30))
            text = text[:at] + text[at:end].swapcase() + text[end:]
    return text[:max_len]


MEDIA = ["*/*", "text/html", "application/json", "application/sparql-results+json",
         "application/sparql-results+xml", "text/csv", "text/tab-separated-values",
         "text/turtle", "application/ld+json", "application/n-triples", "application/n-quads",
         "application/trig", "application/rdf+xml", "text/plain", "application/xml",
         "image/png", "text/*", "application/*", "application/sparql-query", "", "*",
         "text/html;charset=latin-1", "application/ld+json;profile=\"x\""]


@st.composite
def accept(draw) -> str | None:
    kind = draw(st.integers(0, 3))
    if kind == 0:
        return None
    if kind == 1:
        return draw(HEADER_TEXT).strip()
    parts = []
    for _ in range(draw(st.integers(1, 4))):
        item = draw(st.sampled_from(MEDIA))
        q = draw(st.sampled_from(["", ";q=0", ";q=0.5", ";q=1", ";q=1.5", ";q=-1", ";q=nan",
                                  ";q=1e400", ";q=", ";level=1", ";q=0.9;x=y"]))
        parts.append(item + q)
    return draw(st.sampled_from([", ", ",", " , ", ";"])).join(parts)


FORMATS = ["json", "xml", "csv", "tsv", "html", "ttl", "turtle", "jsonld", "json-ld", "nt",
           "nq", "trig", "rdf", "rdfxml", "text", "srj", "srx", "application/sparql-results+json",
           "text/turtle", "", "%00", "..", "JSON", "x" * 300]


def headers_for(accept_value) -> dict:
    return {} if accept_value is None else {"Accept": accept_value}


# --- the areas ------------------------------------------------------------------------------------

def test_fuzz_queries(fuzz, bait):
    seeds = seed_queries()
    tokens = TOKENS + bait_tokens(bait.url)

    @budget(500)
    @given(query=mutated(seeds, tokens, clauses=True), how=st.sampled_from(["get", "form", "body"]),
           accept_value=accept(), format_value=st.one_of(st.none(), st.sampled_from(FORMATS)))
    def run(query, how, accept_value, format_value):
        params = {} if format_value is None else {"format": format_value}
        headers = headers_for(accept_value)
        if how == "get" and len(quote(query)) < 60_000:
            send("queries", "GET", fuzz.sparql, params={"query": query, **params},
                 headers=headers)
        elif how == "form" or how == "get":
            send("queries", "POST", fuzz.sparql, params=params, headers=headers,
                 data={"query": query})
        else:
            send("queries", "POST", fuzz.sparql, params=params, data=query.encode(),
                 headers={"Content-Type": "application/sparql-query", **headers})

    run()
    report("queries")
    assert bait.received == []


def test_fuzz_negotiation(fuzz):
    pages = ["/", "/sparql", "/sparql?query=SELECT%20*%20WHERE%20%7B%3Fs%20%3Fp%20%3Fo%7D%20LIMIT%202",
             "/sparql?query=CONSTRUCT%20WHERE%20%7B%3Fs%20%3Fp%20%3Fo%7D%20LIMIT%202",
             "/sparql?query=ASK%7B%7D", "/queries", "/queries/people", "/queries/charges",
             "/dataset", "/classes", "/ontology", "/submissions", "/validate", "/health",
             "/openapi.json", "/nothing", "/submissions/new"]

    @budget(250)
    @given(page=st.sampled_from(pages), accept_value=accept(),
           format_value=st.one_of(st.none(), st.sampled_from(FORMATS), TEXT),
           iri=st.integers(0, 59))
    def run(page, accept_value, format_value, iri):
        if page == "/nothing" and fuzz.iris:
            page = "/id/" + fuzz.iris[iri % len(fuzz.iris)].split("/id/", 1)[-1]
        params = {} if format_value is None else {"format": format_value}
        send("negotiation", "GET", fuzz.url + page, params=params,
             headers=headers_for(accept_value))

    run()
    report("negotiation")


SEGMENTS = ["person", "event", "document", "organization", "source", "submission", "..", ".",
            "", "%00", "%2F", "%2e%2e", "%ff", "%C3%A9", "%E2%80%AE", "%25", "%3Cscript%3E",
            "a%20b", "~", "x" * 300, "index.html", "person.ttl", ".ttl", "a.b.c", "%3F", "%23"]
EXTENSIONS = ["", ".ttl", ".jsonld", ".nt", ".nq", ".trig", ".rdf", ".html", ".json", ".xml",
              ".csv", ".", ".TTL", ".ttl.ttl", ".%00", ".exe"]


def test_fuzz_id_paths(fuzz):
    @budget(250)
    @given(base=st.integers(0, 59), segments=st.lists(st.one_of(
        st.sampled_from(SEGMENTS), TEXT.map(lambda t: quote(t, safe=""))), max_size=4),
        mode=st.sampled_from(["replace", "append", "iri"]), extension=st.sampled_from(EXTENSIONS),
        accept_value=accept())
    def run(base, segments, mode, extension, accept_value):
        iri = fuzz.iris[base % len(fuzz.iris)] if fuzz.iris else "https://w3id.org/ppkg/id/x"
        path = iri.split("/id/", 1)[-1]
        if mode == "replace":
            path = "/".join(segments) or path
        elif mode == "append":
            path = "/".join([path] + segments)
        url = fuzz.url + "/id/" + path + extension
        send("id paths", "GET", url, headers=headers_for(accept_value))

    run()
    report("id paths")


PARAM_VALUES = ["", " ", "https://w3id.org/ppkg/id/person/mehman-huseynov", "http://x/>",
                "http://x/> } SERVICE <{bait}/param> { ?s ?p ?o } #", "javascript:alert(1)",
                "<script>", "\"", "'", "\\", "\n", "%00", "2019-03-16", "2019-02-30",
                "-99999-01-01", "2019-03-16T10:00:00Z", "99999999999999999999", "1e400",
                "urn:x", "{bait}/iri", "x" * 5000, "é", "?x", "$y", "_:b", "[]", "<>"]


def test_fuzz_catalog_parameters(fuzz, bait):
    names = sorted(fuzz.catalog)
    values = [v.replace("{bait}", bait.url) for v in PARAM_VALUES]

    @budget(250)
    @given(name=st.sampled_from(names), extension=st.sampled_from(
        ["", ".json", ".csv", ".tsv", ".xml", ".rq", ".html", ".ttl"]),
        params=st.lists(st.tuples(st.one_of(st.sampled_from(["person", "decree", "date",
                                                               "organization", "speaker"]), TEXT),
                                  st.one_of(st.sampled_from(values), TEXT)), max_size=3),
        accept_value=accept())
    def run(name, extension, params, accept_value):
        own = fuzz.catalog[name]
        params = [(own[0] if own and i == 0 and key in ("person", "decree") else key, value)
                  for i, (key, value) in enumerate(params)]
        send("catalog", "GET", f"{fuzz.url}/queries/{name}{extension}", params=params,
             headers=headers_for(accept_value))

    run()
    report("catalog")
    assert bait.received == []


UPLOAD_SEEDS = [
    ("text/turtle", person_upload("fuzz-valid", 2)[0]),  # a valid submission (cites a source)
    ("text/turtle", """@prefix ppkg: <https://w3id.org/ppkg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<https://w3id.org/ppkg/id/person/fuzz-a> a ppkg:Person ; rdfs:label "Fuzz A"@en ;
    ppkg:memberOf [ a ppkg:Membership ; rdfs:label "member" ] .
<https://w3id.org/ppkg/id/event/fuzz-arrest> a ppkg:Arrest ; rdfs:label "Arrest" ;
    ppkg:concerns <https://w3id.org/ppkg/id/person/fuzz-a> ; ppkg:date "2019-03-16"^^xsd:date .
"""),
    ("application/n-triples", """<https://w3id.org/ppkg/id/person/fuzz-b> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/ppkg/ontology#Person> .
<https://w3id.org/ppkg/id/person/fuzz-b> <http://www.w3.org/2000/01/rdf-schema#label> "Fuzz B" .
_:m <http://www.w3.org/2000/01/rdf-schema#label> "x" .
"""),
    ("application/ld+json", json.dumps({
        "@context": {"ppkg": "https://w3id.org/ppkg/ontology#",
                     "rdfs": "http://www.w3.org/2000/01/rdf-schema#"},
        "@id": "https://w3id.org/ppkg/id/person/fuzz-c", "@type": "ppkg:Person",
        "rdfs:label": [{"@value": "Fuzz C", "@language": "en"}],
        "ppkg:knownFor": {"@id": "https://w3id.org/ppkg/id/event/x"}})),
    ("application/rdf+xml", """<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#"
         xmlns:ppkg="https://w3id.org/ppkg/ontology#">
  <ppkg:Person rdf:about="https://w3id.org/ppkg/id/person/fuzz-d">
    <rdfs:label xml:lang="en">Fuzz D</rdfs:label>
  </ppkg:Person>
</rdf:RDF>
"""),
    ("application/trig", """@prefix ppkg: <https://w3id.org/ppkg/ontology#> .
{ <https://w3id.org/ppkg/id/person/fuzz-e> a ppkg:Person ; <http://www.w3.org/2000/01/rdf-schema#label> "E" . }
<http://example.org/g> { <http://example.org/s> <http://example.org/p> "in a graph" . }
"""),
    ("application/n-quads", """<https://w3id.org/ppkg/id/person/fuzz-f> <http://www.w3.org/2000/01/rdf-schema#label> "F" .
<https://w3id.org/ppkg/id/person/fuzz-f> <http://www.w3.org/2000/01/rdf-schema#label> "G" <http://example.org/g> .
"""),
]
UPLOAD_TOKENS = ["<", ">", "{", "}", "[", "]", "(", ")", ".", ";", ",", '"', "'", "@prefix",
                 "_:b", "a", "<!DOCTYPE x [<!ENTITY e \"x\">]>", "&e;", "\"@context\"",
                 "{\"@id\": \"_:x\"}", "rdf:li", "xml:base=\"http://x/\"", "\\u0000",
                 "<mailto:a@b>", "<javascript:alert(1)>", "<https://w3id.org/ppkg/ontology#X>",
                 "^^<http://www.w3.org/2001/XMLSchema#date>", "@en", "\n", "#", "<<", ">>",
                 "\"\"\"", "( 1 2 3 )", "[ a <http://x/> ]", "\u00e9", "\x00"]
CONTENT_TYPES = sorted({ctype for ctype, _ in UPLOAD_SEEDS}) + ["text/plain", "application/json", "application/xml",
                                      "multipart/form-data", "", "text/turtle; charset=latin-1",
                                      "application/x-www-form-urlencoded"]


def test_fuzz_uploads(fuzz):
    seeds = [body for _, body in UPLOAD_SEEDS]

    @budget(350)
    @given(index=st.integers(0, len(seeds) - 1), data=st.data(),
           matching=st.sampled_from([True, True, True, False]),
           content_type=st.sampled_from(CONTENT_TYPES),
           target=st.sampled_from(["/validate", "/validate", "/validate", "/submissions"]),
           accept_value=st.sampled_from([None, "text/html", "text/turtle", "application/ld+json",
                                         "text/plain", "application/json", "image/png"]))
    def run(index, data, matching, content_type, target, accept_value):
        body = data.draw(mutated([seeds[index]], UPLOAD_TOKENS, max_len=60_000))
        ctype = UPLOAD_SEEDS[index][0] if matching else content_type
        headers = {"Content-Type": ctype, **headers_for(accept_value)}
        params = {}
        if target == "/submissions":
            headers["Authorization"] = f"Bearer {fuzz.token}"
            params["summary"] = "fuzzed upload"
        send("uploads", "POST", fuzz.url + target, params=params,
             data=body.encode("utf-8", "surrogatepass"), headers=headers)

    run()
    report("uploads")
    # the server still serves everything it accepted
    assert requests.get(fuzz.url + "/health", timeout=30).status_code == 200
    assert requests.get(fuzz.url + "/dumps/ppkg.trig", timeout=30).status_code == 200
