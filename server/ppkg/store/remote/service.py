"""The remote store: ppkg over an external SPARQL 1.1 store (Virtuoso, GraphDB, Fuseki ...).

Implements the store interface (ppkg.backend) with SPARQLWrapper: a query endpoint, an update
endpoint, optionally a Graph Store Protocol endpoint (used by `ppkg load`), optionally
credentials (HTTP basic or digest; they are never logged nor put in a response or an error).

The endpoint's guarantees are kept on this side:

- every query is scanned first (ppkg.sparql_scan through QueryService.inspect): updates, SERVICE
  and LOAD never reach the remote store;
- results are fetched as SPARQL JSON (SELECT / ASK) or N-Triples (CONSTRUCT / DESCRIBE) and
  written by ppkg.serialize, so formats, headers and the row limit are the embedded store's;
- the time limit is passed to the remote (Virtuoso's `timeout` parameter, in ms) and enforced by
  the HTTP client a little later; a remote timeout is a 504, a remote failure or an unreachable
  store a 502 (RemoteTimeout, RemoteFailed);
- the default graph is the union of ppkg's graphs only. Symptom without this: Virtuoso's default
  dataset also holds its system graphs (virtrdf:, <http://www.w3.org/ns/ldp#>,
  <http://localuriqaserver/sparql>: ~2,500 triples of its own), which then showed up in
  `?s ?p ?o` and in `GRAPH ?g`. So every query without a dataset of its own is sent with one
  `default-graph-uri` and one `named-graph-uri` per ppkg graph. The list lives in the store, in the
  registry graph REGISTRY (written by `ppkg load` and by submissions), with the data's version —
  so all the ppkg servers in front of one store agree on both.

The union is kept as a graph of its own, UNION_GRAPH, and that one graph is the default graph.
Symptom without it: given the graphs as several default graphs, Virtuoso returns a triple once
per graph that holds it (bag semantics, like pyoxigraph's union default graph, oxigraph #1919):
the 48 facts both seed articles state came twice, `COUNT(*)` over `?s ?p ?o` said 1,422 instead
of 1,374, and a 3-hop join over restated facts multiplied its rows (10 s at 1 M quads, against
0.1 s over the one union graph). `ppkg load` builds it (a staging graph, then MOVE); each change
adds a new graph's triples to it, and a withdrawal first removes the triples no other graph
states.

Submissions (ppkg.submissions) append to the change log of the data dir; `catch_up` writes the
entries not yet in the remote store, in order, under a lock file of the data dir: the data into
a fresh staging graph, then MOVE to the submission's graph, then the provenance and the registry
(so provenance is never written before its data); a failure drops the staging graph and leaves
the entry pending, to be applied again by the next operation. Every step is idempotent (MOVE
replaces; INSERT DATA of the same triples changes nothing), so two servers applying the same
entry end with the same quads.
"""

from __future__ import annotations

import fcntl
import http.client
import json
import logging
import os
import re
import socket
import tempfile
import time
import urllib.error
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Mapping

import pyoxigraph as ox

from ppkg.sparql import results as serialize
from ppkg.store import QueryBackend, StoreDataset
from ppkg.formats import rdf_format_for_path
from ppkg.store import Counts, ExecuteResult, SelectResult, Triples
from ppkg.errors import (NotAcceptable, QueryError, QueryFailed, QueryRefused, QuerySyntaxError,
                         QueryTimeout)
from ppkg.store.embedded.service import QueryService, _substitutions
from ppkg.sparql.ordering import ordering_for
from ppkg.sparql.scan import QueryInfo, iri_of, tokens

log = logging.getLogger("ppkg.remote")

REGISTRY = "urn:ppkg:store:registry"  # the graph that lists ppkg's graphs (not itself listed)
# A remote store's default graph is not ppkg's to fill (Virtuoso has none of its own: its default
# dataset is all graphs), so the default-graph triples of a TriG / N-Quads file go here: listed as
# a default graph of every query, never as a named one — as in the embedded store, `GRAPH ?g`
# does not see them.
DEFAULT_GRAPH = "urn:ppkg:store:default"
EMPTY_GRAPH = REGISTRY + ":none"  # a graph never written: an empty dataset, explicitly
# The union of ppkg's graphs, as a set: the default graph of every query without a dataset of its
# own (see the module docstring; like ppkg.store's materialised default graph). Not listed in the
# registry's graphs; the registry says `union` once it is complete (written by `ppkg load`).
UNION_GRAPH = "urn:ppkg:store:union"
_R = "urn:ppkg:store:"
XSD = "http://www.w3.org/2001/XMLSchema#"
BATCH = 5000  # triples per INSERT DATA
UNION_BATCH = 100_000  # triples per update that copies graphs into the union
CLIENT_GRACE = 0.5  # seconds the HTTP client waits beyond the remote's own time limit
META_TIMEOUT = 10.0  # seconds for registry reads and writes
REGISTRY_TTL = 1.0  # seconds a process reuses the registry (graphs, version) it read


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


def _stored_triple(t) -> str:
    return f"{t.subject} {t.predicate} {to_store(t.object)} ."


class RemoteFailed(QueryFailed):
    """The remote store failed or could not be reached."""

    status = 502


class RemoteTimeout(QueryTimeout):
    """The remote store did not answer within the time limit."""

    status = 504


# --- the client ----------------------------------------------------------------------------------

@dataclass
class SparqlClient:
    query_url: str
    update_url: str | None = None
    gsp_url: str | None = None
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    auth: str = "basic"  # or "digest" (Virtuoso's /sparql-auth)
    virtuoso: bool = False  # learnt from the Server header of its answers

    def _wrapper(self, url: str, timeout: float):
        from SPARQLWrapper import BASIC, DIGEST, POST, SPARQLWrapper, URLENCODED

        wrapper = SPARQLWrapper(url, updateEndpoint=url)
        wrapper.setMethod(POST)
        wrapper.setRequestMethod(URLENCODED)
        wrapper.setOnlyConneg(True)  # no format=/output= parameters: the Accept header decides
        wrapper.setTimeout(max(1, int(timeout + 0.999)))
        wrapper.timeout = timeout  # setTimeout keeps whole seconds only; urllib takes a float
        if self.user:
            wrapper.setHTTPAuth(DIGEST if self.auth == "digest" else BASIC)
            wrapper.setCredentials(self.user, self.password or "")
        return wrapper

    def query(self, query: str, accept: str, timeout: float, *, default_graphs=None,
              named_graphs=None) -> bytes:
        """POST a query; returns the body. Raises QueryError subclasses (never with secrets)."""
        wrapper = self._wrapper(self.query_url, timeout + CLIENT_GRACE)
        if self.virtuoso and _form(query) == "DESCRIBE":
            # Virtuoso's DESCRIBE gives the resource's own triples only, not the blank nodes
            # they lead to (Oxigraph's and Jena's concise bounded description): ask for CBD.
            query = 'define sql:describe-mode "CBD" ' + query
        if self.virtuoso and (default_graphs or named_graphs):
            # Virtuoso answers every default-graph-uri / named-graph-uri parameter with a
            # response header of its own (X-SPARQL-default-graph: ...); past ~100 graphs Python's
            # http.client gives up ("got more than 100 headers"). Its `define input:...` pragmas
            # name the same dataset inside the query text instead.
            query = "".join(f"define input:default-graph-uri <{iri}> "
                            for iri in default_graphs or ()) + "".join(
                f"define input:named-graph-uri <{iri}> " for iri in named_graphs or ()) + query
            default_graphs = named_graphs = None
        wrapper.setQuery(query)
        wrapper.addCustomHttpHeader("Accept", accept)
        # Virtuoso: the anytime-query limit, in milliseconds (other stores ignore it).
        wrapper.addParameter("timeout", str(max(1, int(timeout * 1000))))
        for iri in default_graphs or ():
            wrapper.addParameter("default-graph-uri", iri)
        for iri in named_graphs or ():
            wrapper.addParameter("named-graph-uri", iri)
        return self._send(wrapper, timeout, "query")

    def update(self, update: str, timeout: float = META_TIMEOUT) -> None:
        if not self.update_url:
            raise RemoteFailed("the remote store has no update endpoint configured "
                               "(PPKG_SPARQL_UPDATE_URL)")
        wrapper = self._wrapper(self.update_url, timeout + CLIENT_GRACE)
        wrapper.setQuery(update)
        self._send(wrapper, timeout, "update")

    def put_graph(self, graph: str, ntriples: bytes, timeout: float = 300.0) -> None:
        """Graph Store Protocol PUT (replaces the graph). Needs gsp_url."""
        import requests

        auth = None
        if self.user:
            auth = (requests.auth.HTTPDigestAuth(self.user, self.password or "")
                    if self.auth == "digest" else (self.user, self.password or ""))
        try:
            response = requests.put(self.gsp_url, params={"graph": graph}, data=ntriples,
                                    headers={"Content-Type": "application/n-triples"},
                                    auth=auth, timeout=timeout)
        except requests.Timeout:
            raise RemoteTimeout("the remote store's Graph Store endpoint timed out") from None
        except requests.RequestException as err:
            raise RemoteFailed(f"the remote store's Graph Store endpoint is unreachable "
                               f"({type(err).__name__})") from None
        if response.status_code >= 300:
            raise RemoteFailed(f"the remote store's Graph Store endpoint answered "
                               f"{response.status_code}: {_excerpt(response.text)}")

    def _send(self, wrapper, timeout: float, what: str) -> bytes:
        from SPARQLWrapper.SPARQLExceptions import (EndPointInternalError, EndPointNotFound,
                                                    QueryBadFormed, SPARQLWrapperException,
                                                    Unauthorized, URITooLong)

        try:
            result = wrapper.query()
            body = result.response.read()
            headers = result.response.info()
        except QueryBadFormed as err:
            # Virtuoso echoes the query after "SPARQL query:", with the dataset as `define`s.
            message = _body_of(err).split("SPARQL query:")[0]
            raise QuerySyntaxError(f"Syntax error, as the remote store reports it: "
                                   f"{_excerpt(message)} (expected a valid SPARQL 1.1 {what})"
                                   ) from None
        except Unauthorized:
            raise RemoteFailed(f"the remote store refused ppkg's credentials for its {what} "
                               "endpoint") from None
        except EndPointNotFound:
            raise RemoteFailed(f"the remote store's {what} endpoint was not found (404)") from None
        except URITooLong:
            raise RemoteFailed(f"the remote store's {what} endpoint refused a long request") from None
        except EndPointInternalError as err:
            body = _body_of(err)
            if "timeout" in body.lower() or "S1T00" in body:
                raise RemoteTimeout(f"Query cancelled by the remote store: it ran past the time "
                                    f"limit of {timeout:g} s", limit=timeout) from None
            raise RemoteFailed(f"the remote store failed: {_excerpt(body)}") from None
        except SPARQLWrapperException as err:
            raise RemoteFailed(f"the remote store failed: {_excerpt(_body_of(err))}") from None
        except urllib.error.HTTPError as err:
            raise RemoteFailed(f"the remote store's {what} endpoint answered {err.code}") from None
        except (TimeoutError, socket.timeout):
            raise RemoteTimeout(f"Query cancelled: the remote store gave no answer within the time "
                                f"limit of {timeout:g} s", limit=timeout) from None
        except urllib.error.URLError as err:
            if isinstance(err.reason, (TimeoutError, socket.timeout)):
                raise RemoteTimeout(f"Query cancelled: the remote store gave no answer within the "
                                    f"time limit of {timeout:g} s", limit=timeout) from None
            raise RemoteFailed(f"the remote store is unreachable ({_reason(err)})") from None
        except http.client.HTTPException as err:
            raise RemoteFailed(f"the remote store sent a broken HTTP answer "
                               f"({type(err).__name__}: {_excerpt(str(err), 100)})") from None
        except (ConnectionError, OSError) as err:
            raise RemoteFailed(f"the remote store is unreachable ({type(err).__name__})") from None
        if "virtuoso" in (headers.get("Server") or "").lower():
            self.virtuoso = True
        # Virtuoso deviation: when its `timeout` (anytime query) expires it answers 200 with
        # whatever it has so far, flagged only by the header X-SQL-State: S1TAT ("Returning
        # incomplete results, query interrupted by result timeout"). Partial results must never
        # pass for answers: that is a timeout.
        if headers.get("X-SQL-State") == "S1TAT":
            raise RemoteTimeout(f"Query cancelled by the remote store: it ran past the time limit "
                                f"of {timeout:g} s", limit=timeout)
        return body


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


def _form(query: str) -> str | None:
    for tok in tokens(query):
        if tok.kind == "word" and tok.text.upper() in ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK"):
            return tok.text.upper()
    return None


def _body_of(err) -> str:
    text = str(err)
    match = re.search(r"Response:\s*\n?\s*b?['\"]?(.*)", text, re.DOTALL)
    text = match.group(1) if match else text
    return text.replace("\\n", " ").strip(" '\"")


def _excerpt(text: str, size: int = 400) -> str:
    text = " ".join(str(text).split())
    return text[:size] + ("…" if len(text) > size else "")


def _reason(err: urllib.error.URLError) -> str:
    reason = err.reason
    return type(reason).__name__ if isinstance(reason, BaseException) else str(reason)


# --- results from the remote -----------------------------------------------------------------

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
        raise RemoteFailed(f"the remote store sent a term ppkg cannot read: {err}") from None
    if isinstance(found, ox.Literal) and not found.language \
            and found.datatype.value != XSD + "string":
        return from_store(found)
    return found


def parse_results(body: bytes):
    try:
        data = json.loads(body)
    except ValueError:
        raise RemoteFailed("the remote store sent results that are not SPARQL JSON") from None
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
        raise RemoteFailed(f"the remote store sent N-Triples that do not parse: {err}") from None


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


# --- substitutions ---------------------------------------------------------------------------

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


# --- the query service -------------------------------------------------------------------------

class RemoteQueryService(QueryBackend):
    """QueryBackend over a remote SPARQL store; see the module docstring."""

    # The same checks as the embedded service (they only read self.config).
    effective_timeout = QueryService.effective_timeout

    def inspect(self, query: str) -> QueryInfo:
        info = QueryService.inspect(self, query)
        # Virtuoso reads `define ...` pragmas before a query; some make it fetch from the web
        # (define get:soft "replace" with FROM <http://...>) or change its dataset. They are not
        # SPARQL: refused like SERVICE and LOAD.
        for tok in tokens(query):
            if tok.kind == "word" and tok.text.upper() == "DEFINE":
                raise QueryRefused("`define` pragmas refused: this endpoint only answers SPARQL "
                                   "1.1 queries and makes no outbound requests")
        return info

    def __init__(self, dataset: "RemoteDataset", config):
        self.dataset = dataset
        self.config = config
        self.client = dataset.client
        self._counts: Counts | None = None

    # -- the interface ------------------------------------------------------------------------

    def execute(self, query: str, *, results_format=None, rdf_format=None, default_graphs=None,
                named_graphs=None, substitutions=None, timeout=None, limit=None, directory=None,
                info: QueryInfo | None = None) -> ExecuteResult:
        info = info or self.inspect(query)
        limit = self.config.row_limit if limit is None else limit
        form = info.form or "SELECT"
        graph_form = form in ("CONSTRUCT", "DESCRIBE")
        fmt = rdf_format if graph_form else results_format
        answer = self._fetch(query, info, default_graphs, named_graphs, substitutions, timeout,
                             graph_form)  # first, as the embedded store: errors before 406
        if fmt is None:
            raise NotAcceptable(f"No acceptable format for a {form} result")
        fd, path = tempfile.mkstemp(prefix="ppkg-result-", dir=directory)
        try:
            with os.fdopen(fd, "wb", buffering=1 << 16) as out:
                if graph_form:
                    written = serialize.write_graph(answer, fmt, out, limit, info.prefixes)
                elif isinstance(answer, bool):
                    form = "ASK"
                    serialize.write_boolean(answer, fmt, out)
                    written = serialize.Written(count=1)
                else:
                    variables, rows = answer
                    written = serialize.write_solutions(rows, variables, fmt, out, limit)
        except BaseException:
            _remove(path)
            raise
        return ExecuteResult(path=path, media_type=fmt.media_type, form=form,
                             format_name=fmt.name, count=written.count,
                             truncated=written.truncated, row_limit=limit)

    def select(self, query, substitutions=None, timeout=None, limit=None, *,
               default_graphs=None, named_graphs=None) -> SelectResult:
        info = self.inspect(query)
        limit = self.config.row_limit if limit is None else limit
        answer = self._fetch(query, info, default_graphs, named_graphs, substitutions, timeout,
                             False)
        if isinstance(answer, bool):
            raise QueryError("select() needs a SELECT query")
        variables, rows = answer
        written = serialize.Written()
        rows = list(serialize.limited(rows, limit, written))
        return SelectResult(variables, rows, written.truncated)

    def ask(self, query, substitutions=None, timeout=None) -> bool:
        info = self.inspect(query)
        answer = self._fetch(query, info, None, None, substitutions, timeout, False)
        if not isinstance(answer, bool):
            raise QueryError("ask() needs an ASK query")
        return answer

    def construct(self, query, substitutions=None, timeout=None, limit=None, *,
                  default_graphs=None, named_graphs=None) -> Triples:
        info = self.inspect(query)
        if info.form not in ("CONSTRUCT", "DESCRIBE"):
            raise QueryError("construct() needs a CONSTRUCT or DESCRIBE query")
        limit = self.config.row_limit if limit is None else limit
        answer = self._fetch(query, info, default_graphs, named_graphs, substitutions, timeout,
                             True)
        written = serialize.Written()
        triples = Triples(serialize.limited(answer, limit, written))
        triples.truncated = written.truncated
        return triples

    def counts(self, timeout=None) -> Counts:
        version = self.dataset.version
        if self._counts is not None and self._counts.version == version:
            return self._counts
        limit = self.effective_timeout(timeout)
        all_graphs = self.dataset.store_graphs() or [REGISTRY]
        body = self.client.query(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g",
            "application/sparql-results+json", limit, default_graphs=[REGISTRY],
            named_graphs=all_graphs)
        graphs, triples = {}, 0
        for g, n in parse_results(body)[1]:
            if g is not None and g.value in all_graphs:
                triples += int(n.value)
                if g.value != DEFAULT_GRAPH:
                    graphs[g.value] = int(n.value)
        body = self.client.query(
            "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }",
            "application/sparql-results+json", limit,
            default_graphs=self.dataset.default_graphs() or [REGISTRY], named_graphs=[REGISTRY])
        rows = parse_results(body)[1]
        union = int(rows[0][0].value) if rows and rows[0][0] is not None else 0
        self._counts = Counts(triples=triples, default_graph=union, graphs=graphs,
                              version=version)
        return self._counts

    def close(self) -> None:
        pass  # no process, no pooled connection

    # -- plumbing -----------------------------------------------------------------------------

    def _fetch(self, query, info, default_graphs, named_graphs, substitutions, timeout,
               graph_form):
        limit = self.effective_timeout(timeout)
        for iri in list(default_graphs or []) + list(named_graphs or []):
            try:
                ox.NamedNode(iri)
            except ValueError:
                raise QueryError(f"not an absolute IRI: {iri!r}") from None
        subs = _substitutions(substitutions)
        text = bind_values(query, info.form, subs) if subs else query
        self.dataset.catch_up()
        if default_graphs is not None or named_graphs is not None:
            defaults, named = list(default_graphs or []), list(named_graphs or [])
            if not defaults and not named:
                defaults = named = [EMPTY_GRAPH]  # an empty dataset, explicitly
            elif not defaults:
                defaults = [EMPTY_GRAPH]
            elif not named:
                named = [EMPTY_GRAPH]
        elif info.has_dataset_clause:
            defaults = named = None  # the query's FROM / FROM NAMED decide
        else:
            graphs = self.dataset.store_graphs()
            defaults = self.dataset.default_graphs() or [EMPTY_GRAPH]
            named = [g for g in graphs if g != DEFAULT_GRAPH] or [EMPTY_GRAPH]
            if self.client.virtuoso and has_transitive_path(text):
                # Virtuoso 7.2.5 evaluates a `*` / `+` property path wrongly once the named
                # graphs are restricted in any way (named-graph-uri, FROM NAMED, or
                # input:named-graph-exclude): `GRAPH ?s { ?e a ?t } ?t rdfs:subClassOf+ X` gave
                # 1 row instead of 8, and the catalog's people / timeline lost rows. Such a query
                # is sent with its default graph only; its `GRAPH ?g` then also ranges over
                # Virtuoso's system graphs and ppkg's registry (docs/deployment.md).
                named = None
                # And over the union graph alone it refuses some (the /classes counts:
                # "TR...: Query contains a transitive derived table but neither end of it is
                # bound"): the default graph is then the list of graphs, as a bag.
                defaults = graphs or [EMPTY_GRAPH]
        if self.client.virtuoso and named is not None:
            text = empty_unlisted_graphs(text, info, named)
            named = list(dict.fromkeys(named + [EMPTY_GRAPH]))
        ordering = None
        if self.client.virtuoso and info.form == "SELECT":
            ordering = ordering_for(text)  # its ORDER BY deviation (ppkg.remote_order)
            text = ordering.query if ordering else text
        accept = "application/n-triples" if graph_form else "application/sparql-results+json"
        body = self.client.query(text, accept, limit, default_graphs=defaults,
                                 named_graphs=named)
        if graph_form:
            return parse_triples(body)
        answer = parse_results(body)
        if ordering and not isinstance(answer, bool):
            return ordering.apply(*answer)
        return answer


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


# --- the dataset -------------------------------------------------------------------------------

@dataclass
class RemoteDataset(StoreDataset):
    """The data in a remote store: registry (graphs, version), and the change log applied to it."""

    client: SparqlClient
    files: list = field(default_factory=list)
    data_dir: Path | None = None
    applied: int = 0  # the last log sequence number known to be in the remote store
    _log: Any = field(default=None, repr=False)
    _cached: Any = field(default=None, repr=False)  # (monotonic time, registry)

    @classmethod
    def from_config(cls, config) -> "RemoteDataset":
        if not config.sparql_query_url:
            raise ValueError("PPKG_STORE=sparql needs PPKG_SPARQL_QUERY_URL (--sparql-query-url)")
        return cls(client=client_from_config(config))

    def describe(self) -> str:
        return f"remote SPARQL store {self.client.query_url}"

    def query_service(self, config) -> RemoteQueryService:
        return RemoteQueryService(self, config)

    def check(self) -> None:
        """Fail early (RemoteFailed) when the store does not answer."""
        self._registry()

    # -- registry -----------------------------------------------------------------------------

    def _registry(self, fresh: bool = False) -> dict:
        """The registry graph: ppkg's graphs, the applied changes, the version.

        Reused for REGISTRY_TTL: a change written through this data dir (any worker) is seen at
        once (catch_up drops the copy); one written by another ppkg server within the TTL.
        """
        now = time.monotonic()
        if not fresh and self._cached is not None and now - self._cached[0] < REGISTRY_TTL:
            return self._cached[1]
        info = read_registry(self.client)
        self._cached = (now, info)
        return info

    @property
    def version(self) -> str:
        self.catch_up()  # a pending accepted submission belongs to the version served next
        return self._registry()["version"] or "empty"

    @property
    def modified(self) -> float | None:
        value = self._registry()["modified"]
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp() if value else None
        except ValueError:
            return None

    def graph_names(self) -> list[str]:
        """ppkg's named graphs in the store."""
        return [g for g in self._registry()["graphs"] if g != DEFAULT_GRAPH]

    def store_graphs(self) -> list[str]:
        """The graphs whose union is the default graph (the named ones and DEFAULT_GRAPH)."""
        return self._registry()["graphs"]

    def default_graphs(self) -> list[str]:
        """The default graph of a query: the union graph once `ppkg load` has built it (before,
        a store filled by hand: the graphs themselves, with Virtuoso's bag semantics)."""
        registry = self._registry()
        return [UNION_GRAPH] if registry["union"] else registry["graphs"]

    # -- the change log -----------------------------------------------------------------------

    def open_log(self, data_dir) -> int:
        from ppkg.store.changelog import ChangeLog

        self.data_dir = Path(data_dir)
        self._log = ChangeLog(self.data_dir)
        return self.catch_up()

    def catch_up(self) -> int:
        if self._log is None or not self._log.exists(self.applied + 1):
            return 0
        count = 0
        with _apply_lock(self.data_dir):
            registry = self._registry(fresh=True)
            for seq, entry in self._log.entries_after(self.applied):
                if change_key(entry) not in registry["changes"]:
                    apply_entry(self.client, entry, self._log.path(seq),
                                graphs=registry["graphs"])
                    registry = read_registry(self.client)  # the entry changed the graphs
                    count += 1
                self.applied = seq
        self._cached = None  # new entries (written by us or another worker): read it again
        return count


def read_registry(client: SparqlClient) -> dict:
    """The registry graph: ppkg's graphs, the changes applied, the version, the union's state."""
    body = client.query(
        f"SELECT ?p ?o WHERE {{ GRAPH <{REGISTRY}> {{ <{REGISTRY}> ?p ?o }} }}",
        "application/sparql-results+json", META_TIMEOUT)
    info: dict = {"graphs": [], "changes": set(), "version": "", "modified": None,
                  "union": False}
    for p, o in parse_results(body)[1]:
        if p is None or o is None:
            continue
        if p.value == _R + "graph":
            info["graphs"].append(o.value)
        elif p.value == _R + "change":
            info["changes"].add(o.value)
        elif p.value == _R + "version":
            info["version"] = o.value
        elif p.value == _R + "modified":
            info["modified"] = o.value
        elif p.value == _R + "union":
            info["union"] = o.value == UNION_GRAPH
    info["graphs"].sort()
    return info


def change_key(entry: dict) -> str:
    return f"{entry.get('kind')} {entry.get('graph')}"


@contextmanager
def _apply_lock(data_dir: Path):
    """Entries are applied in order by one process at a time (per data dir; see deployment.md)."""
    path = Path(data_dir) / "remote-apply.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def client_from_config(config) -> SparqlClient:
    return SparqlClient(query_url=config.sparql_query_url,
                        update_url=config.sparql_update_url or None,
                        gsp_url=config.sparql_gsp_url or None,
                        user=config.sparql_user or None,
                        password=config.sparql_password or None,
                        auth=config.sparql_auth or "basic")


# --- writing -------------------------------------------------------------------------------------

def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _registry_update(graphs_added: Iterable[str] = (), graphs_removed: Iterable[str] = (),
                     changes: Iterable[str] = (), union: bool = False) -> str:
    """Registry changes and a new version, as update operations."""
    reg = f"<{REGISTRY}>"
    ops = []
    for g in graphs_removed:
        ops.append(f"DELETE DATA {{ GRAPH {reg} {{ {reg} <{_R}graph> <{g}> }} }}")
    triples = [f"{reg} <{_R}graph> <{g}> ." for g in graphs_added]
    triples += [f"{reg} <{_R}change> {json.dumps(c)} ." for c in changes]
    if union:
        triples.append(f"{reg} <{_R}union> <{UNION_GRAPH}> .")
    ops.append(f"DELETE WHERE {{ GRAPH {reg} {{ {reg} <{_R}version> ?v }} }}")
    ops.append(f"DELETE WHERE {{ GRAPH {reg} {{ {reg} <{_R}modified> ?m }} }}")
    triples.append(f'{reg} <{_R}version> "{uuid.uuid4().hex[:16]}" .')
    triples.append(f'{reg} <{_R}modified> "{_now()}"^^<{XSD}dateTime> .')
    ops.append(f"INSERT DATA {{ GRAPH {reg} {{ {' '.join(triples)} }} }}")
    return " ;\n".join(ops)


def _has_blank(t) -> bool:
    return isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode)


def _insert_batches(client: SparqlClient, graphs: list[str], triples: list) -> None:
    """INSERT the triples into each of `graphs` (one blank node label: one node in all)."""
    # Virtuoso 7.2.5 refuses blank nodes in INSERT DATA ("SP031: Blank node '_:b1' is not
    # allowed in a constant clause"), though SPARQL 1.1 allows them. Triples with blank nodes
    # go in one INSERT { ... } WHERE {} instead (one solution: each label is one fresh node, the
    # same across the whole request, so none may be split over two requests).
    plain = [t for t in triples if not _has_blank(t)]
    blank = [t for t in triples if _has_blank(t)]
    def template(chunk):
        body = "\n".join(_stored_triple(t) for t in chunk)
        return " ".join(f"GRAPH <{g}> {{\n{body}\n}}" for g in graphs)

    for start in range(0, len(plain), BATCH):
        client.update(f"INSERT DATA {{ {template(plain[start:start + BATCH])} }}", timeout=300.0)
    if blank:
        client.update(f"INSERT {{ {template(blank)} }} WHERE {{}}", timeout=300.0)


def _replace(client: SparqlClient, target: str, fill) -> None:
    """Replace `target` with what `fill(staging)` writes into a fresh staging graph, then MOVE.

    A failure on the way drops the staging graph; the target is untouched until the MOVE.
    """
    staging = f"{_R}staging:{uuid.uuid4().hex}"
    try:
        fill(staging)
        client.update(f"MOVE SILENT GRAPH <{staging}> TO GRAPH <{target}>", timeout=300.0)
    except BaseException:
        try:
            client.update(f"DROP SILENT GRAPH <{staging}>")
        except QueryError:
            log.warning("could not drop the staging graph %s", staging)
        raise


def write_graph(client: SparqlClient, graph: str, triples: list) -> None:
    """Replace `graph` with `triples`, all-or-nothing (_replace)."""
    if not triples:  # MOVE drops the target first; an empty source would leave no graph at all
        client.update(f"DROP SILENT GRAPH <{graph}>")
    elif client.gsp_url:
        _replace(client, graph, lambda staging: client.put_graph(staging, _ntriples(triples)))
    else:
        _replace(client, graph, lambda staging: _insert_batches(client, [staging], triples))


def _ntriples(triples: list) -> bytes:
    return "".join(_stored_triple(t) + "\n" for t in triples).encode()


def _copy_into(client: SparqlClient, target: str, graphs: list[str]) -> None:
    """Add the triples of `graphs` to `target` (a graph holds a triple once: a set union)."""
    listed = " ".join(f"<{g}>" for g in graphs)
    client.update(f"INSERT {{ GRAPH <{target}> {{ ?s ?p ?o }} }} "
                  f"WHERE {{ VALUES ?g {{ {listed} }} GRAPH ?g {{ ?s ?p ?o }} }}", timeout=300.0)


def _remove_from_union(client: SparqlClient, graph: str, others: list[str]) -> None:
    """Take out of the union the triples of `graph` that none of `others` states."""
    others = [g for g in others if g != graph]
    kept = (f"FILTER NOT EXISTS {{ GRAPH ?other {{ ?s ?p ?o }} "
            f"FILTER (?other IN ({', '.join(f'<{g}>' for g in others)})) }}" if others else "")
    client.update(f"DELETE {{ GRAPH <{UNION_GRAPH}> {{ ?s ?p ?o }} }} "
                  f"WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} {kept} }}", timeout=300.0)


def apply_entry(client: SparqlClient, entry: dict, where="<entry>", *,
                graphs: list[str]) -> None:
    """Write one change-log entry to the remote store (see the module docstring); `graphs`:
    the registry's graphs (the union of the others is kept when a graph is withdrawn)."""
    from ppkg.store.changelog import PROVENANCE_GRAPH, SUBMISSION_GRAPH_BASE, LogError

    kind, graph = entry.get("kind"), entry.get("graph", "")
    if not isinstance(graph, str) or not graph.startswith(SUBMISSION_GRAPH_BASE):
        raise LogError(f"{where}: graph {graph!r} is not a submission graph")

    def quads(text: str, expected: str) -> list:
        try:
            found = list(ox.parse(text.encode(), format=ox.RdfFormat.N_QUADS)) if text else []
        except SyntaxError as err:
            raise LogError(f"{where}: {err}") from None
        if any(q.graph_name != ox.NamedNode(expected) for q in found):
            raise LogError(f"{where}: quads outside {expected}")
        return [q.triple for q in found]

    provenance = quads(entry.get("provenance", ""), PROVENANCE_GRAPH)
    if kind == "add":
        write_graph(client, graph, quads(entry.get("data", ""), graph))
        _copy_into(client, UNION_GRAPH, [graph])
        added, removed = [graph, PROVENANCE_GRAPH], []
    elif kind == "withdraw":
        _remove_from_union(client, graph, graphs)  # before the drop, which forgets the triples
        client.update(f"DROP SILENT GRAPH <{graph}>")
        added, removed = [PROVENANCE_GRAPH], [graph]
    else:
        raise LogError(f"{where}: unknown entry kind {kind!r}")
    # Only now that the data is in place: the provenance, then the registry and the version.
    _insert_batches(client, [PROVENANCE_GRAPH, UNION_GRAPH], provenance)
    client.update(_registry_update(added, removed, [change_key(entry)]))


def load_files(client: SparqlClient, paths=None, echo=None) -> dict[str, int]:
    """`ppkg load`: replace each graph of the files in the remote store; returns graph → triples.

    The files are parsed first (a bad file changes nothing), with the same graph naming as the
    embedded store (ppkg.store); each graph is then replaced all-or-nothing (write_graph), so
    loading twice leaves the same quads.
    """
    from ppkg.files import rdf_files, shipped
    from ppkg.store.embedded.dataset import graph_for_file
    from ppkg.vocab import ONTOLOGY_GRAPH
    from ppkg.errors import LoadError

    if paths:
        files, named = rdf_files(paths), {}
    else:
        ontology = rdf_files([shipped("ontology")])
        files = ontology + rdf_files([shipped("graph")])
        named = {f: ONTOLOGY_GRAPH for f in ontology}
    graphs: dict[str, list] = {}
    for path in files:
        fmt = rdf_format_for_path(path)
        if fmt is None:
            raise LoadError(f"{path}: unknown RDF file extension")
        try:
            parsed = ox.parse(path=str(path), format=fmt.oxigraph,
                              base_iri=path.resolve().as_uri())
            own = named.get(path) or graph_for_file(path)  # a triples file's graph (as ppkg.store)
            for item in parsed:  # pyoxigraph yields quads, in the default graph for triples files
                triple = item.triple if isinstance(item, ox.Quad) else item
                if not fmt.datasets:
                    g = own
                elif isinstance(item.graph_name, ox.DefaultGraph):
                    g = DEFAULT_GRAPH
                else:
                    g = item.graph_name.value
                graphs.setdefault(g, []).append(triple)
        except SyntaxError as err:
            raise LoadError(f"{path}: {err}") from None
    sizes = {}
    for g, triples in graphs.items():
        unique = list(dict.fromkeys(triples))
        started = time.monotonic()
        write_graph(client, g, unique)
        sizes[g] = len(unique)
        if echo:
            echo(f"{g}: {len(unique)} triples ({time.monotonic() - started:.1f} s)")
    everything = sorted(set(graphs) | set(read_registry(client)["graphs"]))
    started = time.monotonic()
    build_union(client, everything, sizes)
    if echo:
        echo(f"{UNION_GRAPH} (the union, the default graph): "
             f"{time.monotonic() - started:.1f} s")
    client.update(_registry_update(graphs_added=sorted(graphs), union=True))
    return sizes


def build_union(client: SparqlClient, graphs: list[str], sizes: Mapping[str, int]) -> None:
    """Fill UNION_GRAPH with the union of `graphs`, all-or-nothing (_replace).

    Copied some graphs at a time, about UNION_BATCH triples (`sizes`; a graph not in it counts
    as BATCH): one request per graph took minutes for the 3,785 graphs of the 1 M benchmark
    graph, and Virtuoso keeps each update in one transaction, so not all at once either.
    """
    def fill(staging):
        batch, weight = [], 0
        for graph in graphs:
            batch.append(graph)
            weight += sizes.get(graph, BATCH)
            if weight >= UNION_BATCH or len(batch) >= 1000:
                _copy_into(client, staging, batch)
                batch, weight = [], 0
        if batch:
            _copy_into(client, staging, batch)

    _replace(client, UNION_GRAPH, fill)
