"""Loading RDF files into the embedded pyoxigraph store.

Second stage of the data flow: files → store → query → serializer → HTTP. Each file keeps its
named graphs; a file that holds plain triples goes into a named graph of its own, so every triple
in the store can say where it came from.

The store's default graph holds the union of all named graphs, as a set: queries read it directly
rather than through pyoxigraph's union-default-graph option, which returns a triple once per graph
that holds it (oxigraph issue #1919: COUNT and SUM go wrong when two sources state the same fact,
and in ppkg they often do). `materialize_union` builds it after loading; `apply_entry` keeps it
current as submissions come and go. Accepted submissions are replayed on top, from the
append-only change log of the data dir (ppkg.changelog; docs/architecture.md, "Submissions and
durability").
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import pyoxigraph as ox

from ppkg.store import StoreDataset
from ppkg.store.changelog import (PROVENANCE_GRAPH, SUBMISSION_GRAPH_BASE, ChangeLog, LockTimeout,
                                  LogError, locked)
from ppkg.errors import LoadError
from ppkg.files import rdf_files, shipped
from ppkg.formats import rdf_format_for_path
from ppkg.vocab import ONTOLOGY_GRAPH



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

    def query_service(self, config):
        """The QueryService over this store (ppkg.backend's interface)."""
        from ppkg.store.embedded.service import QueryService

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
            apply_entry(self.store, entry, self._log.path(seq))
            self.applied = seq
            count += 1
        return count


def apply_entry(store: ox.Store, entry: dict, where: str | Path = "<entry>") -> None:
    """Apply one change-log entry to a store.

    "add" puts the submission's triples into its own graph and its provenance records into the
    provenance graph; "withdraw" removes the submission's graph and adds the provenance records of
    the withdrawal. An entry that would write anywhere else is refused (LogError), whatever the
    file says.
    """
    kind = entry.get("kind")
    graph_iri = entry.get("graph", "")
    if not isinstance(graph_iri, str) or not graph_iri.startswith(SUBMISSION_GRAPH_BASE):
        raise LogError(f"{where}: graph {graph_iri!r} is not a submission graph")
    graph = ox.NamedNode(graph_iri)
    provenance = ox.NamedNode(PROVENANCE_GRAPH)
    try:
        prov_quads = _nquads(entry.get("provenance", ""))
        if any(q.graph_name != provenance for q in prov_quads):
            raise LogError(f"{where}: provenance quads outside {PROVENANCE_GRAPH}")
        if kind == "add":
            data_quads = _nquads(entry.get("data", ""))
            if any(q.graph_name != graph for q in data_quads):
                raise LogError(f"{where}: data quads outside {graph_iri}")
            _add_with_union(store, data_quads)
        elif kind == "withdraw":
            _remove_graph_with_union(store, graph)
        else:
            raise LogError(f"{where}: unknown entry kind {kind!r}")
        _add_with_union(store, prov_quads)
    except SyntaxError as err:
        raise LogError(f"{where}: {err}") from None


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


def _nquads(text: str) -> list:
    return list(ox.parse(text.encode(), format=ox.RdfFormat.N_QUADS)) if text else []


def graph_for_file(path: Path) -> str:
    """The named graph that a triples-only file is loaded into."""
    return path.resolve().as_uri()


def load_file(store: ox.Store, path: Path, graph: str | None = None) -> None:
    fmt = rdf_format_for_path(path)
    if fmt is None:
        raise LoadError(f"{path}: unknown RDF file extension")
    to_graph = None if fmt.datasets else ox.NamedNode(graph or graph_for_file(path))
    try:
        store.bulk_load(path=str(path), format=fmt.oxigraph, to_graph=to_graph,
                        base_iri=path.resolve().as_uri())
    except SyntaxError as err:
        raise LoadError(f"{path}: {err}") from None


def load_dataset(paths: Iterable[str | Path] | None = None, store_path: str | None = None,
                 data_dir: str | Path | None = None) -> Dataset:
    """Load the given files or folders, or the shipped ontology and graph when none are given.

    With `data_dir`, the change log there (accepted submissions) is replayed on top.
    """
    store = ox.Store(store_path) if store_path else ox.Store()
    if paths:
        files = rdf_files(paths)
        named = {}
    else:
        ontology = rdf_files([shipped("ontology")])
        files = ontology + rdf_files([shipped("graph")])
        named = {f: ONTOLOGY_GRAPH for f in ontology}
    digest = hashlib.sha256()
    for path in files:
        load_file(store, path, named.get(path))
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    materialize_union(store)
    dataset = Dataset(store=store, files=files, base_version=digest.hexdigest()[:16])
    if data_dir is not None:
        try:
            dataset.open_log(data_dir)
        except LogError as err:
            raise LoadError(str(err)) from None
    return dataset
