"""What every query service does before its store sees a query: the shared limits and arguments.

Both stores' services (ppkg.store.embedded.service, ppkg.store.remote.service) derive from
BaseQueryService and check queries with ppkg.sparql.checks, so a query is refused, timed and
bound the same way whichever store answers.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

import pyoxigraph as ox

from ppkg.errors import QueryError
from ppkg.store import QueryBackend


class BaseQueryService(QueryBackend):
    config: Any

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
