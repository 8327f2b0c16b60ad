"""The embedded store: the files loaded into pyoxigraph in memory, and the change log replayed on top.

Second stage of the data flow: files → store → query → serializer → HTTP. Which file goes into
which graph is ppkg.store.sources' rule; what a change-log entry does is ppkg.store.entries'.

The store's default graph holds the union of all named graphs, as a set: queries read it directly
rather than through pyoxigraph's union-default-graph option, which returns a triple once per graph
that holds it (oxigraph issue #1919: COUNT and SUM go wrong when two sources state the same fact,
and in ppkg they often do). `union_of` builds it after loading; `apply_change` keeps it current
as submissions come and go. The union is also kept as a store of its own: pyoxigraph's indexes
hold every graph together, so a pattern over the default graph of a store that also holds the
named graphs walks both (a 3-hop join took 2× as long at 100 k quads, 23× at 1 M); queries that
name no graph read the union-only store (ppkg.store.embedded.service).
"""

from __future__ import annotations

import logging
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

log = logging.getLogger("ppkg.store")


@dataclass
class Dataset(StoreDataset):
    """The embedded store, what was loaded into it, and how far the change log has been applied.

    The shipped (or given) files are loaded at start; accepted submissions live in the append-only
    log of the data dir (ppkg.changelog) and are replayed into the store by `catch_up`, at start
    and, in every query process, before every operation (ppkg.query).
    """

    store: ox.Store  # every named graph, and their union in the default graph
    union: ox.Store  # the union alone: what queries that name no graph read (ppkg.store.embedded.service)
    files: list[Path] = field(default_factory=list)
    base_version: str = ""  # a hash of the loaded files
    data_dir: Path | None = None  # where the change log lives; None: no log (files only)
    applied: int = 0  # the last log sequence number applied to this copy of the store
    problem: str | None = None  # see StoreDataset.stop_at
    identity: str = "shipped"  # which files: a data dir holds the changes of one dataset
    _log: ChangeLog | None = field(default=None, repr=False, compare=False)

    @property
    def version(self) -> str:
        """Changes whenever the content changes (ETags, cache keys): files hash + log position.

        Reads the log position on disk (one stat when nothing changed), so a web worker whose own
        copy of the store is not caught up still reports the version its next query will see.
        """
        if self._log is None:
            return self.base_version
        seq = self.applied if self.problem else self._log.last_seq()  # degraded: what is served
        return f"{self.base_version}-{self._log.stamp(seq)}" if seq else self.base_version

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
        owner = self._log.owner()
        if owner is not None and owner != self.identity:
            raise LoadError(f"the data dir {self.data_dir} holds the accepted changes of another "
                            f"dataset ({owner}); give this one ({self.identity}) a data dir of "
                            "its own: --data-dir or PPKG_DATA_DIR")
        if self._log.dir.is_dir():
            try:
                with locked(self.data_dir, timeout=5):
                    self._log.remove_stray_files()
            except LockTimeout:
                pass  # a live writer (another server on this data dir); stray files are never read
        applied = self.catch_up()
        stranded = self._log.stranded()
        if stranded and self.problem is None:
            self.problem = (f"entry {self.applied + 1} of the change log is missing: the "
                            f"{len(stranded)} entries after it ({stranded[0]}…{stranded[-1]}) "
                            "are not served")
            log.error("change log: %s", self.problem)
        return applied

    def catch_up(self) -> int:
        """Bring this copy of the store up to date before an operation runs on it.

        Applies the log entries after the last one applied; when nothing changed this costs one
        `os.path.exists` of the next entry's name. Called before every query, so a submission
        accepted by any worker is seen by every worker's next query. An entry that cannot be
        read stops the replay there (`stop_at`). Returns the number of entries applied.
        """
        if self._log is None or self.problem is not None:
            return 0
        count = 0
        for seq in self._log.next_entries(self.applied):
            try:
                change = read_change(self._log.read(seq), self._log.path(seq))
            except LogError as err:
                self.stop_at(err, seq)
                break
            apply_change(self, change)
            self.notify(change)
            self.applied = seq
            if seq == 1:
                self._log.claim(self.identity)  # from now on, this data dir is this dataset's
            count += 1
        return count


def apply_change(dataset: Dataset, change: Change) -> None:
    """Apply one change to both stores, keeping each union a set (see the module doc)."""
    if change.kind == "add":
        _add(dataset, change.quads())
        return
    graph = ox.NamedNode(change.graph)
    triples = [q.triple for q in dataset.store.quads_for_pattern(None, None, None, graph)]
    dataset.store.remove_graph(graph)
    for t in triples:  # a triple leaves the union only when no other graph states it
        held = dataset.store.quads_for_pattern(t.subject, t.predicate, t.object)
        if not any(not isinstance(q.graph_name, ox.DefaultGraph) for q in held):
            dataset.store.remove(ox.Quad(t.subject, t.predicate, t.object))
            dataset.union.remove(ox.Quad(t.subject, t.predicate, t.object))
    _add(dataset, Change("add", change.graph, provenance=change.provenance).quads())


def _add(dataset: Dataset, quads: list[ox.Quad]) -> None:
    triples = [ox.Quad(q.subject, q.predicate, q.object) for q in quads]
    dataset.store.extend(quads + triples)
    dataset.union.extend(triples)


def union_of(store: ox.Store) -> ox.Store:
    """The union of the store's named graphs as a store of its own (blank nodes keep their
    labels, so both stores name them alike), after copying it into the store's default graph."""
    store.update("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
    union = ox.Store()
    union.extend(store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    return union


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
    dataset = Dataset(store=store, union=union_of(store), files=[f.path for f in files],
                      base_version=files_version(files),
                      identity=" ".join(str(f.path.resolve()) for f in files) if paths else "shipped")
    if data_dir is not None:
        try:
            dataset.open_log(data_dir)
        except LogError as err:
            raise LoadError(str(err)) from None
    return dataset
