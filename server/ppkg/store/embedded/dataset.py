"""The embedded store: the files loaded into pyoxigraph in memory, and the change log replayed on top.

Second stage of the data flow: files → store → query → serializer → HTTP. Which file goes into
which graph is ppkg.store.sources' rule; what a change-log entry does is ppkg.store.entries'.

The store's default graph holds the union of all named graphs, as a set: queries read it directly
rather than through pyoxigraph's union-default-graph option, which returns a triple once per graph
that holds it (oxigraph issue #1919: COUNT and SUM go wrong when two sources state the same fact,
and in ppkg they often do). `materialize_union` builds it after loading; `apply_change` keeps it
current as submissions come and go.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import pyoxigraph as ox

from ppkg.errors import LoadError
from ppkg.store import StoreDataset
from ppkg.store.changelog import ChangeLog, LockTimeout, LogError, locked
from ppkg.store.embedded.service import QueryService
from ppkg.store.entries import Change, read_change
from ppkg.store.sources import files_version, source_files


@dataclass
class Dataset(StoreDataset):
    """The embedded store, what was loaded into it, and how far the change log has been applied.

    The shipped (or given) files are loaded at start; accepted submissions live in the append-only
    log of the data dir (ppkg.changelog) and are replayed into the store by `catch_up`, at start
    and, in every query process, before every operation (ppkg.query).
    """

    store: ox.Store
    files: list[Path] = field(default_factory=list)
    base_version: str = ""  # a hash of the loaded files
    data_dir: Path | None = None  # where the change log lives; None: no log (files only)
    applied: int = 0  # the last log sequence number applied to this copy of the store
    _log: ChangeLog | None = field(default=None, repr=False, compare=False)

    @property
    def version(self) -> str:
        """Changes whenever the content changes (ETags, cache keys): files hash + log position.

        Reads the log position on disk (one stat when nothing changed), so a web worker whose own
        copy of the store is not caught up still reports the version its next query will see.
        """
        if self._log is None:
            return self.base_version
        seq = self._log.last_seq()
        return f"{self.base_version}-{seq}" if seq else self.base_version

    @property
    def modified(self) -> float | None:
        """When the last accepted change was written (POSIX time), or None without changes."""
        return self._log.last_modified() if self._log is not None else None

    def graph_names(self) -> list[str]:
        return sorted(g.value for g in self.store.named_graphs() if isinstance(g, ox.NamedNode))

    def query_service(self, config) -> QueryService:
        return QueryService(self, config)

    def describe(self) -> str:
        return (f"embedded store: {len(self.store)} quads in {len(self.graph_names())} named "
                f"graphs from {len(self.files)} files")

    def open_log(self, data_dir: str | Path) -> int:
        """Attach the change log of `data_dir` and replay it; returns the entries applied.

        Temporary files a crashed writer left behind are removed first (under the writers' lock,
        so that no live writer's file is touched). Nothing is created when the log does not exist.
        """
        self.data_dir = Path(data_dir)
        self._log = ChangeLog(self.data_dir)
        if self._log.dir.is_dir():
            try:
                with locked(self.data_dir, timeout=5):
                    self._log.remove_stray_files()
            except LockTimeout:
                pass  # a live writer (another server on this data dir); stray files are never read
        return self.catch_up()

    def catch_up(self) -> int:
        """Bring this copy of the store up to date before an operation runs on it.

        Applies the log entries after the last one applied; when nothing changed this costs one
        `os.path.exists` of the next entry's name. Called by the query process (ppkg.query) before
        every query, so a submission accepted by any worker is seen by every worker's next query.
        Returns the number of entries applied.
        """
        if self._log is None:
            return 0
        count = 0
        for seq, entry in self._log.entries_after(self.applied):
            change = read_change(entry, self._log.path(seq))
            apply_change(self.store, change)
            self.notify(change)
            self.applied = seq
            count += 1
        return count


def apply_change(store: ox.Store, change: Change) -> None:
    """Apply one change to a store, keeping the union in the default graph (see the module doc)."""
    if change.kind == "add":
        _add_with_union(store, change.quads())
    else:
        _remove_graph_with_union(store, ox.NamedNode(change.graph))
        _add_with_union(store, Change("add", change.graph, provenance=change.provenance).quads())


def materialize_union(store: ox.Store) -> None:
    """Make the store's default graph hold every triple of every named graph (once)."""
    store.update("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")


def _add_with_union(store: ox.Store, quads: list) -> None:
    store.extend(quads + [ox.Quad(q.subject, q.predicate, q.object) for q in quads])


def _remove_graph_with_union(store: ox.Store, graph: ox.NamedNode) -> None:
    """Remove a named graph, and from the union each of its triples no other graph still holds."""
    triples = [ox.Quad(q.subject, q.predicate, q.object)
               for q in store.quads_for_pattern(None, None, None, graph)]
    store.remove_graph(graph)
    for triple in triples:
        held_elsewhere = any(not isinstance(q.graph_name, ox.DefaultGraph) for q in
                             store.quads_for_pattern(triple.subject, triple.predicate, triple.object))
        if not held_elsewhere:
            store.remove(triple)


def load_dataset(paths: Iterable[str | Path] | None = None,
                 data_dir: str | Path | None = None) -> Dataset:
    """Load the given files or folders, or the shipped ontology and graph when none are given
    (ppkg.store.sources). With `data_dir`, the change log there is replayed on top."""
    store = ox.Store()
    files = source_files(paths)
    for source in files:
        to_graph = ox.NamedNode(source.graph) if source.graph else None
        try:
            store.bulk_load(path=str(source.path), format=source.format.oxigraph,
                            to_graph=to_graph, base_iri=source.base_iri)
        except SyntaxError as err:
            raise LoadError(f"{source.path}: {err}") from None
    materialize_union(store)
    dataset = Dataset(store=store, files=[f.path for f in files],
                      base_version=files_version(files))
    if data_dir is not None:
        try:
            dataset.open_log(data_dir)
        except LogError as err:
            raise LoadError(str(err)) from None
    return dataset
