"""What every query service does before its store sees a query: the shared checks and limits.

Both stores' services (ppkg.store.embedded.service, ppkg.store.remote.service) derive from
BaseQueryService, so a query is refused, timed and bound the same way whichever store answers.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

import pyoxigraph as ox

from ppkg.errors import QueryError, QueryRefused, ReadOnly
from ppkg.sparql.scan import QueryInfo, scan
from ppkg.store import QueryBackend


class BaseQueryService(QueryBackend):
    config: Any

    def inspect(self, query: str) -> QueryInfo:
        """Scan a query and refuse what this endpoint never does (raises QueryError)."""
        info = scan(query)
        refused = info.refused_targets(self.config.service_allowlist)
        if refused:
            target = refused[0]
            if target.iri is None:
                why = ("its endpoint is a variable" if target.written.startswith(("?", "$"))
                       else "its target is missing or not an IRI")
                raise QueryRefused(f"{target.describe()} refused: {why}; this endpoint makes no "
                                   "outbound requests")
            raise QueryRefused(f"{target.describe()} refused: this endpoint makes no outbound "
                               "requests and that target is not on the allowlist")
        if info.update is not None:
            raise ReadOnly(f"SPARQL Update ({info.update}) refused: this endpoint is read-only "
                           "and has no update service")
        return info

    def effective_timeout(self, timeout: float | None) -> float:
        """The time limit of one query: Config.query_timeout, or less when a caller asks."""
        limit = float(self.config.query_timeout)
        if timeout is None:
            return limit
        if timeout <= 0:
            raise QueryError(f"timeout must be a positive number of seconds, not {timeout!r}")
        return min(limit, float(timeout))


def check_graph_iris(*lists: Iterable[str] | None) -> None:
    """Protocol dataset IRIs (default-graph-uri, named-graph-uri) must be absolute IRIs."""
    for iris in lists:
        for iri in iris or ():
            try:
                ox.NamedNode(iri)
            except ValueError:
                raise QueryError(f"not an absolute IRI: {iri!r}") from None


def substitution_terms(substitutions: Mapping[str, Any] | None) -> dict[str, Any]:
    """{variable name: RDF term}, names without '?'; anything but a term is a QueryError."""
    out = {}
    for name, term in (substitutions or {}).items():
        key = name.value if isinstance(name, ox.Variable) else str(name).lstrip("?$")
        if not isinstance(term, (ox.NamedNode, ox.BlankNode, ox.Literal, ox.Triple)):
            raise QueryError(f"substitution for ?{key} is not an RDF term: {term!r}")
        out[key] = term
    return out
