"""The remote store's QueryBackend: ppkg's guarantees kept in front of an external store.

See ppkg.store.remote for what is kept on this side (checks, formats, row limit, time limit,
the union as the default graph) and ppkg.store.remote.dialect for Virtuoso's deviations.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyoxigraph as ox

from ppkg.errors import QueryError
from ppkg.sparql import answer as answers
from ppkg.sparql import results as serialize
from ppkg.sparql.checks import check, syntax_error
from ppkg.sparql.ordering import ordering_for
from ppkg.sparql.scan import QueryInfo, scan
from ppkg.store import Counts, SelectResult, Triples
from ppkg.store.remote.dialect import (
    EMPTY_GRAPH,
    bind_values,
    empty_unlisted_graphs,
    has_transitive_path,
    parse_results,
    parse_triples,
    refuse_pragmas,
)
from ppkg.store.remote.registry import DEFAULT_GRAPH, REGISTRY
from ppkg.store.service import BaseQueryService, check_graph_iris, substitution_terms

_PARSER = ox.Store()  # empty: it parses checked queries (a SERVICE in one would be called)

if TYPE_CHECKING:  # the dataset builds its service; the service only reads the dataset
    from ppkg.store.remote.dataset import RemoteDataset


class RemoteQueryService(BaseQueryService):
    """QueryBackend over a remote SPARQL store; see ppkg.store.remote."""

    def inspect(self, query: str) -> QueryInfo:
        """Refuse what this endpoint never does, and never send the remote anything but a query:
        ppkg's account there may write (submissions), so a text pyoxigraph does not parse as a
        query (an update, a Virtuoso pragma) goes no further."""
        checked = check(query, self.config.service_allowlist)
        refuse_pragmas(query)
        try:
            _PARSER.query(query)  # parsed on an empty store: no data to evaluate over
        except SyntaxError as err:
            raise syntax_error(query, err) from None
        info = scan(query)
        info.names_graphs = checked.names_graphs
        return info

    def __init__(self, dataset: "RemoteDataset", config):
        self.dataset = dataset
        self.config = config
        self.client = dataset.client
        self._counts: Counts | None = None

    # -- the interface ------------------------------------------------------------------------

    def execute(self, query: str, *, results_format=None, rdf_format=None, default_graphs=None,
                named_graphs=None, substitutions=None, timeout=None, limit=None, base_iri=None,
                link=None) -> answers.Answer:
        # Checked before anything parses it: pyoxigraph's parser evaluates SERVICE calls too.
        check(query, self.config.service_allowlist)
        if base_iri and _needs_base(query, base_iri):  # a BASE first: the query's own still wins
            query = f"BASE <{base_iri}> {query}"
        info = self.inspect(query)
        limit = self.config.row_limit if limit is None else limit
        form = info.form or "SELECT"
        graph_form = form in ("CONSTRUCT", "DESCRIBE")
        found = self._fetch(query, info, default_graphs, named_graphs, substitutions, timeout,
                            graph_form)  # first, as the embedded store: errors before 406
        if graph_form:
            return answers.from_triples(found, rdf_format, limit, form, info.prefixes)
        if isinstance(found, bool):
            return answers.from_boolean(found, results_format, limit)
        variables, rows = found
        selected = SelectResult(variables, rows[:limit], truncated=len(rows) > limit)
        return answers.from_rows(selected, results_format, limit, link)

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
        check_graph_iris(default_graphs, named_graphs)
        subs = substitution_terms(substitutions)
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
            # A query that names no graph reads the default graph (the union) alone, as on the
            # embedded store's union-only store: sent without the list of ppkg's named graphs,
            # which costs Virtuoso ~100 ms a query at 3,785 graphs, it costs what the same
            # query costs at Virtuoso's own endpoint.
            named = ([g for g in graphs if g != DEFAULT_GRAPH] or [EMPTY_GRAPH]
                     if info.names_graphs else None)
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


def _needs_base(query: str, base_iri: str) -> bool:
    """Whether the query has relative IRIs: it parses with a base IRI, and not without one."""
    try:
        _PARSER.query(query)
        return False
    except SyntaxError:
        try:
            _PARSER.query(query, base_iri=base_iri)
            return True
        except SyntaxError:
            return False
