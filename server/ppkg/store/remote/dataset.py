"""The remote store as a StoreDataset: its registry (graphs, version), and the change log of the
data dir written into it, in order, all-or-nothing (ppkg.store.remote.writer)."""

from __future__ import annotations

import fcntl
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ppkg.store import StoreDataset
from ppkg.store.changelog import ChangeLog, LogError
from ppkg.store.entries import read_change
from ppkg.store.remote.client import SparqlClient, client_from_config
from ppkg.store.remote.registry import DEFAULT_GRAPH, UNION_GRAPH, read_registry
from ppkg.store.remote.service import RemoteQueryService
from ppkg.store.remote.writer import apply_change

REGISTRY_TTL = 1.0  # seconds a process reuses the registry (graphs, version) it read


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
        self.data_dir = Path(data_dir)
        self._log = ChangeLog(self.data_dir)
        return self.catch_up()

    def catch_up(self) -> int:
        if self._log is None or self.problem or not self._log.exists(self.applied + 1):
            return 0
        count = 0
        with _apply_lock(self.data_dir):
            registry = self._registry(fresh=True)
            for seq in self._log.next_entries(self.applied):
                try:
                    change = read_change(self._log.read(seq), self._log.path(seq))
                except LogError as err:
                    self.stop_at(err, seq)
                    break
                if change.key not in registry["changes"]:
                    apply_change(self.client, change, graphs=registry["graphs"])
                    registry = read_registry(self.client)  # the entry changed the graphs
                    count += 1
                self.applied = seq
                self.notify(change)
        self._cached = None  # new entries (written by us or another worker): read it again
        return count


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
