"""The query service: SPARQL over the embedded store, safely, for the endpoint and for other code.

Third stage of the data flow: files → store → query → serializer → HTTP. Every query goes through
one QueryService, which

1. scans the text (ppkg.sparql_scan) and refuses updates and SERVICE / LOAD targets that are not
   on Config.service_allowlist — no query ever makes an outbound request;
2. runs it in the worker's query process (ppkg.executor) under a hard time limit: a query that
   overruns is killed with its process, which is replaced on the next call;
3. inside that process, calls Dataset.catch_up(), evaluates the query with the default graph
   being the union of all graphs (unless the protocol or the query names a dataset), and either
   writes the row-limited result to a file in a negotiated format (`execute`, for the HTTP
   endpoint, which then streams the file) or sends parsed terms back (`select`, `ask`,
   `construct`, for internal callers such as the query catalog or linked-data pages).

Errors are QueryError subclasses carrying the HTTP status that fits them.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING
import tempfile
import time
from typing import Any, Mapping

import pyoxigraph as ox

from ppkg.sparql import results as serialize
from ppkg.errors import (NotAcceptable, QueryError, QueryFailed, QuerySyntaxError,
                         QueryTimeout)
from ppkg.store import Counts, ExecuteResult, SelectResult, Triples
from ppkg.store.service import BaseQueryService, check_graph_iris, substitution_terms
from ppkg.config import Config
from ppkg.store.embedded.isolated import Executor, ExecutorDied, ExecutorTimeout
from ppkg.formats import RdfFormat, ResultsFormat, rdf_format, results_format
from ppkg.sparql.scan import QueryInfo
from ppkg.store.embedded.counts import triple_counts

if TYPE_CHECKING:  # the dataset builds its service; the service only reads the dataset
    from ppkg.store.embedded.dataset import Dataset

FORM_KINDS = {"SELECT": "results", "ASK": "results", "CONSTRUCT": "graph", "DESCRIBE": "graph"}


# --- the service (runs in the web worker) ------------------------------------------------------

class QueryService(BaseQueryService):
    """SPARQL queries over one Dataset; see the module docstring.

    Methods take `substitutions` — {variable name: pyoxigraph term} bound before evaluation
    (pyoxigraph's SEP-0007 substitution; the variables must be in the SELECT projection) — and
    `timeout` in seconds, which may only lower Config.query_timeout.
    """

    def __init__(self, dataset: Dataset, config: Config):
        self.dataset = dataset
        self.config = config
        self.executor = Executor(lambda request: _run(dataset, request))

    # -- for the HTTP endpoint ------------------------------------------------------------------

    def execute(self, query: str, *, results_format: ResultsFormat | None = None,
                rdf_format: RdfFormat | None = None, default_graphs: list[str] | None = None,
                named_graphs: list[str] | None = None,
                substitutions: Mapping[str, Any] | None = None, timeout: float | None = None,
                limit: int | None = None, directory: str | None = None,
                info: QueryInfo | None = None) -> ExecuteResult:
        """Run a query and write its result to a new temporary file.

        SELECT / ASK results use `results_format`, CONSTRUCT / DESCRIBE graphs `rdf_format`; a
        missing one for the form at hand raises NotAcceptable. The file holds at most `limit`
        rows or triples (default Config.row_limit); ExecuteResult.truncated says if more existed.
        """
        info = info or self.inspect(query)
        limit = self.config.row_limit if limit is None else limit
        fd, path = tempfile.mkstemp(prefix="ppkg-result-", dir=directory)
        os.close(fd)
        request = self._request("execute", query, info, default_graphs, named_graphs,
                                substitutions, limit)
        request.update(path=path,
                       results_format=results_format.name if results_format else None,
                       rdf_format=rdf_format.name if rdf_format else None)
        try:
            reply = self._call(request, timeout)
        except BaseException:
            _remove(path)
            raise
        return ExecuteResult(path=path, row_limit=limit, **reply)

    # -- for internal callers -----------------------------------------------------------------

    def select(self, query: str, substitutions: Mapping[str, Any] | None = None,
               timeout: float | None = None, limit: int | None = None, *,
               default_graphs: list[str] | None = None,
               named_graphs: list[str] | None = None) -> SelectResult:
        """SELECT → SelectResult (unpacks as `variables, rows`), at most `limit` rows."""
        info = self.inspect(query)
        limit = self.config.row_limit if limit is None else limit
        reply = self._call(self._request("select", query, info, default_graphs, named_graphs,
                                         substitutions, limit), timeout)
        return SelectResult(**reply)

    def ask(self, query: str, substitutions: Mapping[str, Any] | None = None,
            timeout: float | None = None) -> bool:
        info = self.inspect(query)
        return self._call(self._request("ask", query, info, None, None, substitutions, None),
                          timeout)

    def construct(self, query: str, substitutions: Mapping[str, Any] | None = None,
                  timeout: float | None = None, limit: int | None = None, *,
                  default_graphs: list[str] | None = None,
                  named_graphs: list[str] | None = None) -> Triples:
        """CONSTRUCT or DESCRIBE → a list of pyoxigraph Triples (`.truncated` if cut)."""
        info = self.inspect(query)
        limit = self.config.row_limit if limit is None else limit
        reply = self._call(self._request("construct", query, info, default_graphs, named_graphs,
                                         substitutions, limit), timeout)
        triples = Triples(reply["triples"])
        triples.truncated = reply["truncated"]
        return triples

    def counts(self, timeout: float | None = None) -> Counts:
        """Triples in the store and per named graph (cached in the query process per version)."""
        return self._call({"op": "counts"}, timeout)

    def close(self) -> None:
        self.executor.close()

    # -- plumbing ---------------------------------------------------------------------------

    def _request(self, op, query, info, default_graphs, named_graphs, substitutions, limit):
        check_graph_iris(default_graphs, named_graphs)
        return {
            "op": op,
            "query": query,
            "form": info.form,
            "union": not (default_graphs is not None or named_graphs is not None
                          or info.has_dataset_clause),
            "default_graphs": list(default_graphs) if default_graphs is not None else None,
            "named_graphs": list(named_graphs) if named_graphs is not None else None,
            "substitutions": substitution_terms(substitutions),
            "limit": limit,
            "prefixes": info.prefixes,
        }

    def _call(self, request: dict, timeout: float | None):
        limit = self.effective_timeout(timeout)
        started = time.monotonic()
        try:
            return self.executor.call(request, limit)
        except ExecutorTimeout:
            raise QueryTimeout(
                f"Query cancelled: it ran past the time limit of {limit:g} s "
                f"(stopped after {time.monotonic() - started:.1f} s)", limit=limit) from None
        except ExecutorDied as err:
            raise QueryFailed(f"Query failed: {err}") from None


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


# --- inside the query process ----------------------------------------------------------------

_counts_cache: dict[str, Counts] = {}


def _run(dataset: Dataset, request: dict):
    """One operation, in the query process. Engine errors become QueryErrors."""
    dataset.catch_up()
    op = request["op"]
    if op == "counts":
        return _counts(dataset)
    try:
        result = dataset.store.query(request["query"], **_query_options(request))
        if op == "execute":
            return _execute(result, request)
        if op == "select":
            _expect(result, ox.QuerySolutions, "select", "SELECT")
            variables = [v.value for v in result.variables]
            written = serialize.Written()
            rows = [tuple(solution) for solution in
                    serialize.limited(result, request["limit"], written)]
            return {"variables": variables, "rows": rows, "truncated": written.truncated}
        if op == "ask":
            _expect(result, ox.QueryBoolean, "ask", "ASK")
            return bool(result)
        if op == "construct":
            _expect(result, ox.QueryTriples, "construct", "CONSTRUCT or DESCRIBE")
            written = serialize.Written()
            triples = list(serialize.limited(result, request["limit"], written))
            return {"triples": triples, "truncated": written.truncated}
        raise QueryFailed(f"unknown operation {op!r}")
    except QueryError:
        raise
    except SyntaxError as err:
        raise QuerySyntaxError(f"Syntax error: {err.msg if hasattr(err, 'msg') else err}") from None
    except (ValueError, TypeError, RuntimeError) as err:
        raise QueryError(f"Query error: {err}") from None
    except OSError as err:
        raise QueryFailed(f"Query failed: {err}") from None


def _query_options(request: dict) -> dict:
    options: dict[str, Any] = {}
    # Without a protocol dataset the store's default graph answers: it holds the union of the
    # named graphs as a set (ppkg.store.materialize_union).
    if not request["union"]:
        if request["default_graphs"] is not None or request["named_graphs"] is not None:
            options["default_graph"] = [ox.NamedNode(g) for g in request["default_graphs"] or []]
            options["named_graphs"] = [ox.NamedNode(g) for g in request["named_graphs"] or []]
    if request["substitutions"]:
        options["substitutions"] = {ox.Variable(k): v for k, v in request["substitutions"].items()}
    return options


def _expect(result, kind, op, forms):
    if not isinstance(result, kind):
        raise QueryError(f"{op}() needs a {forms} query")


def _execute(result, request: dict) -> dict:
    path, limit = request["path"], request["limit"]
    if isinstance(result, ox.QuerySolutions):
        fmt, form = results_format(request["results_format"] or ""), "SELECT"
    elif isinstance(result, ox.QueryBoolean):
        fmt, form = results_format(request["results_format"] or ""), "ASK"
    else:
        fmt = rdf_format(request["rdf_format"] or "")
        form = request["form"] if request["form"] in ("CONSTRUCT", "DESCRIBE") else "CONSTRUCT"
    if fmt is None:
        raise NotAcceptable(f"No acceptable format for a {form} result")
    # "r+b", not "wb": the file is new and empty (mkstemp), and truncating it makes ext4 start a
    # write-out on the final close that cost ~1 ms a request in the benchmark.
    with open(path, "r+b", buffering=1 << 16) as out:
        if form == "SELECT":
            variables = [v.value for v in result.variables]
            written = serialize.write_solutions((tuple(s) for s in result), variables, fmt, out,
                                                limit)
        elif form == "ASK":
            serialize.write_boolean(bool(result), fmt, out)
            written = serialize.Written(count=1)
        else:
            written = serialize.write_graph(result, fmt, out, limit, request["prefixes"])
    return {"media_type": fmt.media_type, "form": form, "format_name": fmt.name,
            "count": written.count, "truncated": written.truncated}


def _counts(dataset: Dataset) -> Counts:
    cached = _counts_cache.get("counts")
    if cached is not None and cached.version == dataset.version:
        return cached
    found = triple_counts(dataset.store)
    counts = Counts(triples=found.dataset, default_graph=found.union, graphs=found.graphs,
                    version=dataset.version)
    _counts_cache["counts"] = counts
    return counts
