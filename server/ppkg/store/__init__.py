"""The store interface: what the web layer and the CLI use, whichever store holds the data.

Two implementations, chosen by configuration (Config.store, env PPKG_STORE, `--store`):

- ``embedded`` (default): the pyoxigraph store loaded in the server process (ppkg.store.embedded);
- ``sparql``: a remote SPARQL 1.1 store — query + update endpoints, optionally a Graph Store
  Protocol endpoint and credentials — spoken to through SPARQLWrapper (ppkg.store.remote).
  Several ppkg servers can then sit behind a load balancer over one store (docs/deployment.md).

Every blueprint gets the pair through `services()`: `.dataset` (a StoreDataset: version and
modification time for ETags, the graph names, the change log of accepted submissions) and
`.query` (a QueryBackend: safe, limited, timed SPARQL). Nothing above this interface asks which
one it has; ppkg.store.configured.open_store(config) opens the configured one.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping

from ppkg.store.changelog import LogError

# --- what queries answer ------------------------------------------------------------------------

@dataclass
class SelectResult:
    """`variables, rows = service.select(...)`; rows are tuples of pyoxigraph terms (None: unbound)."""

    variables: list[str]
    rows: list[tuple]
    truncated: bool = False

    def __iter__(self) -> Iterator:
        return iter((self.variables, self.rows))

    def dicts(self) -> list[dict[str, Any]]:
        return [{v: t for v, t in zip(self.variables, row) if t is not None} for row in self.rows]


class Triples(list):
    """The triples of a CONSTRUCT or DESCRIBE; `truncated` says the row limit cut them."""

    truncated: bool = False


@dataclass
class Counts:
    triples: int  # quads of the dataset: the named graphs' and those only in the default graph
    default_graph: int  # triples of the default graph as queries see it (the union)
    graphs: dict[str, int] = field(default_factory=dict)  # named graph → triples
    version: str = ""


# --- the interface ---------------------------------------------------------------------------

class QueryBackend(ABC):
    """SPARQL over the data, safe, limited and timed.

    Errors are ppkg.errors.QueryError subclasses carrying their HTTP status. `substitutions` binds
    variables to terms before evaluation; `timeout` (seconds) may only lower Config.query_timeout.
    """

    config: Any

    @abstractmethod
    def inspect(self, query: str):
        """Check a query and refuse what this endpoint never does (updates, SERVICE, LOAD)."""

    @abstractmethod
    def execute(self, query: str, *, results_format=None, rdf_format=None, default_graphs=None,
                named_graphs=None, substitutions: Mapping[str, Any] | None = None,
                timeout: float | None = None, limit: int | None = None,
                base_iri: str | None = None, link: str | None = None):
        """The answer to a query of any form (ppkg.sparql.answer.Answer): in `results_format`
        (SELECT, ASK) or `rdf_format` (CONSTRUCT, DESCRIBE), at most `limit` rows or triples,
        relative IRIs resolved against `base_iri`, `link` in the head of a cut result."""

    @abstractmethod
    def select(self, query: str, substitutions=None, timeout=None, limit=None, *,
               default_graphs=None, named_graphs=None):
        """SELECT → SelectResult."""

    @abstractmethod
    def ask(self, query: str, substitutions=None, timeout=None) -> bool: ...

    @abstractmethod
    def construct(self, query: str, substitutions=None, timeout=None, limit=None, *,
                  default_graphs=None, named_graphs=None):
        """CONSTRUCT / DESCRIBE → Triples."""

    @abstractmethod
    def counts(self, timeout: float | None = None):
        """Counts: triples in the store and per named graph."""

    @abstractmethod
    def close(self) -> None:
        """Release processes or connections (the app may be forked after this)."""


class StoreDataset(ABC):
    """The data behind a QueryBackend: its version, its graphs, and the writes of submissions.

    Accepted submissions are appended to the change log of the data dir (ppkg.changelog); a store
    applies the entries it has not applied yet in `catch_up` (the embedded store replays them into
    memory; a remote store writes them to the remote graphs, all-or-nothing).
    """

    files: list
    data_dir: Path | None
    applied: int
    problem: str | None = None  # why the change log is not (wholly) applied, for /health

    def stop_at(self, err: Exception, seq: int) -> None:
        """An entry that cannot be read stops the replay at `seq`: what came before is served,
        and `problem` (logged once, shown by /health) says what is left out until an operator
        repairs the log (`ppkg log check`)."""
        self.problem = f"{err}: the entries from {seq} on are not served"
        logging.getLogger("ppkg.store").error("change log: %s", self.problem)

    def require_whole(self) -> None:
        """Before a writer appends: every entry on disk is applied here, else LogError (a new
        entry behind a damaged one would be acknowledged and never served)."""
        self.catch_up()
        if self.problem:
            raise LogError(self.problem)

    def on_change(self, listener: Callable[[Any], None]) -> None:
        """Call `listener(change)` with each change-log entry (ppkg.store.entries.Change) this
        process applies or catches up with, after it is in the store (search index, caches)."""
        self.__dict__.setdefault("_listeners", []).append(listener)

    def notify(self, change) -> None:
        for listener in self.__dict__.get("_listeners", ()):
            listener(change)

    def forget_listeners(self) -> None:
        """For a copy of the store that only evaluates (ppkg.store.embedded.isolated): the process
        it was forked from applies the same changes and tells the listeners; a second teller
        would write to their files through connections it inherited (SQLite's locks hang)."""
        self.__dict__.pop("_listeners", None)

    @property
    @abstractmethod
    def version(self) -> str:
        """Changes whenever the content changes (ETags, cache keys)."""

    @property
    @abstractmethod
    def modified(self) -> float | None:
        """When the data last changed (POSIX time), or None when unknown."""

    @abstractmethod
    def graph_names(self) -> list[str]: ...

    @abstractmethod
    def open_log(self, data_dir: str | Path) -> int:
        """Attach the change log of `data_dir` and apply it; returns the entries applied."""

    @abstractmethod
    def catch_up(self) -> int:
        """Apply the change-log entries not applied yet; returns how many."""

    @abstractmethod
    def query_service(self, config) -> QueryBackend:
        """The QueryBackend over this data."""

    @abstractmethod
    def describe(self) -> str:
        """One line for the server log: what is served (never credentials)."""
