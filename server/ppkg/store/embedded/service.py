"""The query service of the embedded store: SPARQL over pyoxigraph in this process, bounded.

Third stage of the data flow: files → store → query → serializer → HTTP. Every query — from the
endpoint, the catalog, the pages or the CLI — goes through one QueryService, which

1. checks what the query asks for (ppkg.sparql.checks): SERVICE to anything not allowlisted, and
   nesting deep enough to overflow a parser, are refused;
2. catches its copy of the store up with the change log (ppkg.store.embedded.dataset);
3. evaluates it in this process, where pyoxigraph releases the GIL: a query that names no graph
   reads the union-only store, any other the store with the named graphs (and the union in its
   default graph). The process's guard (ppkg.runtime.guard) bounds the work in time and memory:
   past its bounds the request is answered 503 and the process replaced. A caller's lower time
   limit narrows the guard's deadline.
4. writes the answer with pyoxigraph's writers within the row limit (ppkg.sparql.answer).

A query that orders its results is evaluated in the worker's isolated child instead
(ppkg.store.embedded.isolated): pyoxigraph 0.5.13 aborts its whole process when ORDER BY meets
values of incomparable types (docs/upstream-defects.md). If the child dies on such a query, the
query is answered again with the ordering done by ppkg (ppkg.sparql.ordering); a query that
cannot be rewritten that way gets a 422 naming the defect. A query that overruns in the child
costs the child, not the worker: 503 all the same.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Mapping

import pyoxigraph as ox

from ppkg.errors import EngineDefect, QueryError, QueryFailed, QueryTimeout
from ppkg.formats import RdfFormat, ResultsFormat, rdf_format, results_format
from ppkg.runtime import guard
from ppkg.sparql import answer as answers
from ppkg.sparql.checks import check, syntax_error
from ppkg.sparql.ordering import ordering_for
from ppkg.store import Counts, SelectResult, Triples
from ppkg.store.embedded.counts import triple_counts
from ppkg.store.embedded.isolated import Executor, ExecutorDied, ExecutorTimeout
from ppkg.store.service import BaseQueryService, check_graph_iris, substitution_terms

if TYPE_CHECKING:  # the dataset builds its service; the service only reads the dataset
    from ppkg.store.embedded.dataset import Dataset

DEFECT_ORDER = ("The engine stopped on this query: pyoxigraph 0.5.13 aborts when ORDER BY "
                "compares values of types it cannot order against each other (numbers, dates, "
                "durations, booleans side by side; docs/upstream-defects.md), and this query "
                "could not be ordered another way. Order by STR(…) of the values, or filter "
                "them to one type.")


class QueryService(BaseQueryService):
    """SPARQL queries over one Dataset; see the module docstring.

    Methods take `substitutions` — {variable name: pyoxigraph term} bound before evaluation
    (pyoxigraph's SEP-0007 substitution; the variables must be in the SELECT projection) — and
    `timeout` in seconds, which may only lower Config.query_timeout.
    """

    def __init__(self, dataset: "Dataset", config):
        self.dataset = dataset
        self.config = config
        self.isolated = Executor(lambda request: _evaluate(dataset, request),
                                 name="ppkg-ordered", memory=config.request_memory,
                                 in_child=dataset.forget_listeners)

    def inspect(self, query: str):
        """Check a query (raises QueryError); its form is learnt when it runs."""
        return check(query, self.config.service_allowlist)

    # -- the interface ---------------------------------------------------------------------

    def execute(self, query: str, *, results_format: ResultsFormat | None = None,
                rdf_format: RdfFormat | None = None, default_graphs: list[str] | None = None,
                named_graphs: list[str] | None = None,
                substitutions: Mapping[str, Any] | None = None, timeout: float | None = None,
                limit: int | None = None, base_iri: str | None = None,
                link: str | None = None) -> answers.Answer:
        """The answer to a query of any form, in the format given for its form (NotAcceptable
        when that one is None), at most `limit` rows or triples (default Config.row_limit)."""
        request = self._request("execute", query, default_graphs, named_graphs, substitutions,
                                limit, base_iri)
        request.update(results_format=results_format.name if results_format else None,
                       rdf_format=rdf_format.name if rdf_format else None, link=link)
        return self._call(request, timeout)

    def select(self, query: str, substitutions: Mapping[str, Any] | None = None,
               timeout: float | None = None, limit: int | None = None, *,
               default_graphs: list[str] | None = None,
               named_graphs: list[str] | None = None) -> SelectResult:
        """SELECT → SelectResult (unpacks as `variables, rows`), at most `limit` rows."""
        return self._call(self._request("select", query, default_graphs, named_graphs,
                                        substitutions, limit), timeout)

    def ask(self, query: str, substitutions: Mapping[str, Any] | None = None,
            timeout: float | None = None) -> bool:
        return self._call(self._request("ask", query, None, None, substitutions, None), timeout)

    def construct(self, query: str, substitutions: Mapping[str, Any] | None = None,
                  timeout: float | None = None, limit: int | None = None, *,
                  default_graphs: list[str] | None = None,
                  named_graphs: list[str] | None = None) -> Triples:
        """CONSTRUCT or DESCRIBE → a list of pyoxigraph Triples (`.truncated` if cut)."""
        return self._call(self._request("construct", query, default_graphs, named_graphs,
                                        substitutions, limit), timeout)

    def counts(self, timeout: float | None = None) -> Counts:
        """Triples in the store and per named graph (cached per version)."""
        return _evaluate(self.dataset, {"op": "counts"})

    def close(self) -> None:
        self.isolated.close()

    # -- plumbing ------------------------------------------------------------------------------

    def _request(self, op, query, default_graphs, named_graphs, substitutions, limit,
                 base_iri=None) -> dict:
        checked = self.inspect(query)
        check_graph_iris(default_graphs, named_graphs)
        protocol_dataset = default_graphs is not None or named_graphs is not None
        return {
            "op": op,
            "query": query,
            "union_only": not (protocol_dataset or checked.names_graphs),
            "orders": checked.orders,
            "default_graphs": list(default_graphs) if default_graphs is not None else None,
            "named_graphs": list(named_graphs) if named_graphs is not None else None,
            "substitutions": substitution_terms(substitutions),
            "limit": self.config.row_limit if limit is None else limit,
            "prefixes": checked.prefixes,
            "base_iri": base_iri,
        }

    def _call(self, request: dict, timeout: float | None):
        seconds = self.effective_timeout(timeout)
        bound = guard.current()
        if not request["orders"]:
            if bound is not None and timeout is not None:
                bound.narrow(seconds)
            return _evaluate(self.dataset, request)
        remaining = bound.remaining() if bound is not None else None
        if remaining is not None:
            seconds = min(seconds, max(0.05, remaining - 0.05))
        try:
            return self._isolated(request, seconds)
        except ExecutorDied:
            ordering = ordering_for(request["query"], always=True)
            if ordering is None or request["op"] not in ("execute", "select"):
                raise EngineDefect(DEFECT_ORDER) from None
            return self._isolated(dict(request, ordering=ordering, orders=False), seconds)

    def _isolated(self, request: dict, seconds: float):
        started = time.monotonic()
        try:
            return self.isolated.call(request, seconds)
        except ExecutorTimeout as err:
            if err.memory:
                raise QueryFailed(f"Query stopped: it used more than "
                                  f"{self.config.request_memory / 2**20:.0f} MiB of memory",
                                  status=503) from None
            raise QueryTimeout(f"Query cancelled: it ran past the time limit of {seconds:g} s "
                               f"(stopped after {time.monotonic() - started:.1f} s)",
                               limit=seconds) from None


# --- evaluation (in this process, or in the isolated child) ------------------------------------

_counts_cache: dict[str, Counts] = {}


def _evaluate(dataset: "Dataset", request: dict):
    """One operation; engine errors become QueryErrors."""
    dataset.catch_up()
    op = request["op"]
    if op == "counts":
        return _counts(dataset)
    store = dataset.union if request["union_only"] else dataset.store
    query = request["query"]
    ordering = request.get("ordering")
    if ordering is not None:
        query = ordering.query
    options = _query_options(request)

    def run():
        return store.query(query, **options)

    try:
        if ordering is not None:
            return _ordered(run, ordering, request)
        if op == "execute":
            return answers.answer(run, results_format(request["results_format"] or ""),
                                  rdf_format(request["rdf_format"] or ""), request["limit"],
                                  prefixes=request["prefixes"], link=request["link"])
        result = run()
        if op == "select":
            _expect(result, ox.QuerySolutions, "select", "SELECT")
            return _rows(result, request["limit"])
        if op == "ask":
            _expect(result, ox.QueryBoolean, "ask", "ASK")
            return bool(result)
        _expect(result, ox.QueryTriples, "construct", "CONSTRUCT or DESCRIBE")
        triples = Triples()
        for triple in result:
            if len(triples) == request["limit"]:
                triples.truncated = True
                break
            triples.append(triple)
        return triples
    except QueryError:
        raise
    except SyntaxError as err:
        raise syntax_error(request["query"], err) from None
    except (ValueError, TypeError, RuntimeError) as err:
        raise QueryError(f"Query error: {err}") from None
    except OSError as err:
        raise QueryFailed(f"Query failed: {err}") from None


def _rows(result, limit: int) -> SelectResult:
    variables = [v.value for v in result.variables]
    rows = []
    for solution in result:
        if len(rows) == limit:
            return SelectResult(variables, rows, truncated=True)
        rows.append(tuple(solution))
    return SelectResult(variables, rows)


def _ordered(run, ordering, request: dict):
    """A SELECT answered with the ordering done here: every row, sorted, sliced."""
    result = run()
    _expect(result, ox.QuerySolutions, request["op"], "SELECT")
    variables, rows = ordering.apply([v.value for v in result.variables],
                                     [tuple(s) for s in result])
    selected = SelectResult(variables, rows[:request["limit"]],
                            truncated=len(rows) > request["limit"])
    if request["op"] == "select":
        return selected
    fmt = results_format(request["results_format"] or "")
    return answers.from_rows(selected, fmt, request["limit"], request["link"])


def _query_options(request: dict) -> dict:
    options: dict[str, Any] = {}
    if request["default_graphs"] is not None or request["named_graphs"] is not None:
        options["default_graph"] = [ox.NamedNode(g) for g in request["default_graphs"] or []]
        options["named_graphs"] = [ox.NamedNode(g) for g in request["named_graphs"] or []]
    if request["substitutions"]:
        options["substitutions"] = {ox.Variable(k): v for k, v in request["substitutions"].items()}
    if request.get("base_iri"):
        options["base_iri"] = request["base_iri"]
    return options


def _expect(result, kind, op, forms):
    if not isinstance(result, kind):
        raise QueryError(f"{op}() needs a {forms} query")


def _counts(dataset: "Dataset") -> Counts:
    cached = _counts_cache.get("counts")
    if cached is not None and cached.version == dataset.version:
        return cached
    found = triple_counts(dataset.store)
    counts = Counts(triples=found.dataset, default_graph=found.union, graphs=found.graphs,
                    version=dataset.version)
    _counts_cache["counts"] = counts
    return counts
