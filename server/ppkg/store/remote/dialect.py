"""Virtuoso's dialect: pure functions that rewrite queries and map terms, testable without it.

Each names the Virtuoso 7.2.5 symptom it works around. Nothing here does I/O.
"""

from __future__ import annotations

import json
import re
from typing import Any, Mapping

import pyoxigraph as ox

from ppkg.errors import QueryError, QueryFailed, QueryRefused
from ppkg.sparql import results as serialize
from ppkg.sparql.scan import QueryInfo, iri_of, tokens
from ppkg.vocab import XSD

_R = "urn:ppkg:store:"
EMPTY_GRAPH = "urn:ppkg:store:registry:none"  # a graph never written: an empty dataset, explicitly


# Virtuoso 7.2.5 cannot keep an xsd:duration: "P7Y"^^xsd:duration comes back as "84" (months) —
# through INSERT DATA it is even refused (SR553 "Literal of type xsd:duration can not be created
# from SQL value of type INTEGER"). So durations are written under this private datatype, with
# their lexical form intact, and read back as xsd:duration (term_from_json, parse_triples). A
# query that compares durations or asks for datatype(?o) = xsd:duration in the store does not see
# them as durations (docs/deployment.md).
STORED_DURATION = _R + "xsd-duration"
DURATION = XSD + "duration"


def to_store(term):
    if isinstance(term, ox.Literal) and term.datatype.value == DURATION:
        return ox.Literal(term.value, datatype=ox.NamedNode(STORED_DURATION))
    return term


BOOLEAN = XSD + "boolean"
# Virtuoso 7.2.5 answers xsd:boolean literals as "1" / "0" (valid, but not the canonical form
# written in the files, so dumps and pages differed): read back as "true" / "false".
_BOOLEANS = {"1": "true", "0": "false"}


DATETIME = XSD + "dateTime"
# Virtuoso 7.2.5 prints the fraction of an xsd:dateTime with three digits: "…30.31Z" (the
# canonical form ppkg writes, ppkg.submissions) came back as "…30.310Z", and a submission's
# `when` differed from its receipt one time in ten. Read back in the canonical form.
def _canonical_datetime(value: str) -> str:
    head, dot, rest = value.partition(".")
    digits = re.match(r"\d*", rest).group()
    fraction = digits.rstrip("0")
    return head + ("." + fraction if fraction else "") + rest[len(digits):] if dot else value


def from_store(term):
    if isinstance(term, ox.Literal):
        if term.datatype.value == STORED_DURATION:
            return ox.Literal(term.value, datatype=ox.NamedNode(DURATION))
        if term.datatype.value == BOOLEAN and term.value in _BOOLEANS:
            return ox.Literal(_BOOLEANS[term.value], datatype=term.datatype)
        if term.datatype.value == DATETIME:
            return ox.Literal(_canonical_datetime(term.value), datatype=term.datatype)
    return term


def stored_triple(t) -> str:
    return f"{t.subject} {t.predicate} {to_store(t.object)} ."


def refuse_pragmas(query: str) -> None:
    """Virtuoso reads `define ...` pragmas before a query; some make it fetch from the web
    (define get:soft "replace" with FROM <http://...>) or change its dataset. They are not
    SPARQL: refused like SERVICE and LOAD."""
    for tok in tokens(query):
        if tok.kind == "word" and tok.text.upper() == "DEFINE":
            raise QueryRefused("`define` pragmas refused: this endpoint only answers SPARQL "
                               "1.1 queries and makes no outbound requests")


def has_transitive_path(query: str) -> bool:
    """A `*` or `+` path modifier (after an IRI, a prefixed name or `)`): roughly, on purpose.

    Arithmetic after `)` counts too; a false positive only widens the named graphs (see _fetch).
    """
    previous = None
    for tok in tokens(query):
        if (tok.kind == "other" and tok.text in "*+" and previous is not None
                and (previous.kind in ("iri", "pname") or previous.text == ")")):
            return True
        previous = tok
    return False


def query_form(query: str) -> str | None:
    for tok in tokens(query):
        if tok.kind == "word" and tok.text.upper() in ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK"):
            return tok.text.upper()
    return None


def _blank(value: str) -> ox.BlankNode:
    # Virtuoso names blank nodes "nodeID://b10006" (and "_:b0" in other stores).
    ident = re.sub(r"[^A-Za-z0-9]", "", value.replace("nodeID://", ""))
    return ox.BlankNode(ident or "b")


def term_from_json(term: dict | None):
    """A term of the remote store's SPARQL JSON, its own forms normalised first: Virtuoso names
    blank nodes "nodeID://b10006" and some stores write "lang" for "xml:lang"; literals are mapped
    back from how ppkg stores them (from_store)."""
    if term is None:
        return None
    term = dict(term)
    if term.get("type") == "bnode":
        term["value"] = _blank(term.get("value", "")).value
    if "lang" in term and "xml:lang" not in term:
        term["xml:lang"] = term.pop("lang")
    try:
        found = serialize.term_from_json(term)
    except (ValueError, KeyError, TypeError) as err:
        raise QueryFailed(f"the remote store sent a term ppkg cannot read: {err}") from None
    if isinstance(found, ox.Literal) and not found.language \
            and found.datatype.value != XSD + "string":
        return from_store(found)
    return found


def parse_results(body: bytes):
    try:
        data = json.loads(body)
    except ValueError:
        raise QueryFailed("the remote store sent results that are not SPARQL JSON") from None
    if "boolean" in data:
        return bool(data["boolean"])
    variables = list(data.get("head", {}).get("vars", []))
    rows = []
    for binding in data.get("results", {}).get("bindings", []):
        rows.append(tuple(term_from_json(binding.get(v)) for v in variables))
    return variables, rows


def parse_triples(body: bytes) -> list:
    try:
        return [ox.Triple(t.subject, t.predicate, from_store(t.object))
                for t in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)]
    except SyntaxError as err:
        raise QueryFailed(f"the remote store sent N-Triples that do not parse: {err}") from None


def empty_unlisted_graphs(query: str, info: QueryInfo, named: list[str]) -> str:
    """`GRAPH <g>` for a graph outside the named graphs becomes `GRAPH <EMPTY_GRAPH>` (listed).

    Virtuoso 7.2.5 evaluates such a pattern as a solution without bindings, not as no solution:
    `SELECT (COUNT(*) AS ?n) WHERE { GRAPH <withdrawn> { ?s ?p ?o } }` said 1 for a withdrawn
    submission's graph. A graph that is listed, though empty, counts 0.
    """
    toks = list(tokens(query))
    listed = set(named)
    pieces, last = [], 0
    for word, target in zip(toks, toks[1:]):
        if word.kind == "word" and word.text.upper() == "GRAPH":
            iri = iri_of(target, info)
            if iri is not None and iri not in listed:
                pieces.append(query[last:target.offset] + f"<{EMPTY_GRAPH}>")
                last = target.offset + len(target.text)
    return "".join(pieces) + query[last:]


def bind_values(query: str, form: str | None, substitutions: Mapping[str, Any]) -> str:
    """SEP-0007 substitutions as a VALUES block at the start of the outermost group pattern.

    The remote store has no substitution API; joining a one-row VALUES first binds the variables
    for the whole pattern, which is what the internal callers (linked data, catalog) rely on.
    """
    if not substitutions:
        return query
    names = list(substitutions)
    for name in names:
        if isinstance(substitutions[name], ox.BlankNode):
            raise QueryError(f"?{name}: a blank node cannot be sent to the remote store")
    block = ("VALUES (" + " ".join("?" + n for n in names) + ") { ("
             + " ".join(str(to_store(substitutions[n])) for n in names) + ") } ")
    toks = list(tokens(query))
    start = 0
    seen_where = any(t.kind == "word" and t.text.upper() == "WHERE" for t in toks)
    skip_template = form == "CONSTRUCT"
    depth = 0
    for i, tok in enumerate(toks):
        if tok.kind == "word" and tok.text.upper() == "WHERE":
            start = i
            break
    for tok in toks[start:]:
        if tok.kind == "other" and tok.text == "(":
            depth += 1
        elif tok.kind == "other" and tok.text == ")":
            depth -= 1
        elif tok.kind == "other" and tok.text == "{" and depth == 0:
            if skip_template and not seen_where:
                raise QueryError("substitutions need a WHERE clause in a CONSTRUCT query")
            at = tok.offset + 1
            return query[:at] + " " + block + query[at:]
    raise QueryError("substitutions need a group pattern ({ ... }) in the query")

