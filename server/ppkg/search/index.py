"""The search index: SQLite FTS5 (Python's standard library) over the names and quotes of the
published graph, one file shared by every process of a server.

Why a file: `ppkg serve` builds the index in the gunicorn master; accepted submissions are
applied by whichever process catches up with the change log (each embedded worker's query
process, or a remote store's web worker) through `StoreDataset.on_change`, and every worker
reads. A file in WAL mode gives all of them one current index; an in-memory one would be updated
only in the process that happened to apply the change.

Rows are kept per graph, so a graph is replaced or removed as a whole (an accepted submission is
one graph; a withdrawal removes it), and applying the same change twice changes nothing — each
process that catches up applies it once more. What is indexed:

- `entries`: one row per label (rdfs:label, skos:prefLabel), other name (skos:altLabel,
  ppkg:title) or quote (ppkg:text) a graph gives a resource, with the original text; its FTS5
  twin holds the folded text and, for labels and names, the skeleton (ppkg.search.fold);
- `kinds`: the kind each graph gives a resource (ppkg.linked_data.kinds): only resources of a
  searchable kind in some graph are found, so memberships and figures, which have labels too,
  never are.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Iterable
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from ppkg.search.fold import fold, skeleton, words

log = logging.getLogger("ppkg.search")

SCHEMA = """
PRAGMA journal_mode = WAL;
CREATE TABLE entries (id INTEGER PRIMARY KEY, iri TEXT NOT NULL, graph TEXT NOT NULL,
                      field TEXT NOT NULL, text TEXT NOT NULL);
CREATE INDEX entries_graph ON entries (graph);
CREATE INDEX entries_iri ON entries (iri);
CREATE VIRTUAL TABLE entries_fts USING fts5 (folded, skeleton,
                      tokenize = "unicode61 remove_diacritics 2", prefix = '2 3');
CREATE TABLE kinds (iri TEXT NOT NULL, graph TEXT NOT NULL, kind TEXT NOT NULL,
                    class TEXT NOT NULL, PRIMARY KEY (iri, graph, class));
CREATE INDEX kinds_graph ON kinds (graph);
CREATE TABLE changes (key TEXT PRIMARY KEY);
"""

LABEL, NAME, QUOTE = "label", "name", "quote"  # a label, another name, a quote
MAX_CANDIDATES = 400  # matching rows ranked before grouping by resource
# bm25 weights: a match on the folded text counts ten times one on the skeleton alone.
RANK = "bm25(entries_fts, 10.0, 1.0)"


@dataclass
class Row:
    """One name or quote a graph gives a resource, or a type (field "type", text = class IRI)."""

    iri: str
    graph: str
    field: str  # "label", "name", "quote" or "type"
    text: str


@dataclass
class Match:
    iri: str
    graph: str
    field: str
    text: str


@dataclass
class Hit:
    """One resource found: its kinds, names, the texts that matched, with the graphs stating them."""

    iri: str
    kinds: dict[str, str] = field(default_factory=dict)  # class IRI → kind
    names: list[tuple[str, str, str]] = field(default_factory=list)  # (field, name, graph)
    matches: list[Match] = field(default_factory=list)


class SearchIndex:
    """One index file; `kinds` maps an ontology class to its kind (ppkg.linked_data.kinds)."""

    def __init__(self, path: str | Path, kinds: dict[str, str]):
        self.path = Path(path)
        self.kinds = kinds
        self._conn: sqlite3.Connection | None = None
        self._pid = 0

    @classmethod
    def create(cls, folder: Path, kinds: dict[str, str]) -> SearchIndex:
        """A new, empty index file in `folder`, named after this process (the server's master);
        files of servers that are no longer running are removed."""
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("index-*.sqlite*"):
            pid = old.name.split("-", 1)[1].split(".", 1)[0]
            if pid.isdigit() and int(pid) != os.getpid() and not _running(int(pid)):
                old.unlink(missing_ok=True)
        path = folder / f"index-{os.getpid()}.sqlite"
        for stale in folder.glob(path.name + "*"):
            stale.unlink()
        with closing(sqlite3.connect(path)) as conn:
            conn.executescript(SCHEMA)
        return cls(path, kinds)

    def connection(self) -> sqlite3.Connection:
        """This process's own connection: one opened before a fork must not be used after it."""
        if self._conn is None or self._pid != os.getpid():
            self._conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            self._conn.execute("PRAGMA busy_timeout = 30000")
            self._pid = os.getpid()
        return self._conn

    def close(self) -> None:
        """Close this process's connection: the master does before the workers fork (a
        connection must not cross a fork; SQLite's locks break: "locking protocol")."""
        if self._conn is not None and self._pid == os.getpid():
            self._conn.close()
        self._conn = None

    # -- writing -------------------------------------------------------------------------------

    def replace(self, rows: Iterable[Row], graphs: Iterable[str] | None = None) -> int:
        """Replace what the index holds for `graphs` (every graph when None) by `rows`."""
        conn = self.connection()
        count = 0
        conn.execute("BEGIN IMMEDIATE")
        try:
            if graphs is None:
                for table in ("entries", "entries_fts", "kinds", "changes"):
                    conn.execute(f"DELETE FROM {table}")
            else:
                for graph in graphs:
                    self._remove(conn, graph)
            for row in rows:
                count += self._insert(conn, row)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return count

    def _insert(self, conn: sqlite3.Connection, row: Row) -> int:
        if row.field == "type":
            kind = self.kinds.get(row.text)
            if kind is not None:
                conn.execute("INSERT OR IGNORE INTO kinds VALUES (?, ?, ?, ?)",
                             (row.iri, row.graph, kind, row.text))
            return 0
        cur = conn.execute("INSERT INTO entries (iri, graph, field, text) VALUES (?, ?, ?, ?)",
                           (row.iri, row.graph, row.field, row.text))
        conn.execute("INSERT INTO entries_fts (rowid, folded, skeleton) VALUES (?, ?, ?)",
                     (cur.lastrowid, fold(row.text),
                      skeleton(row.text) if row.field != QUOTE else ""))
        return 1

    @staticmethod
    def _remove(conn: sqlite3.Connection, graph: str) -> None:
        conn.execute("DELETE FROM entries_fts WHERE rowid IN "
                     "(SELECT id FROM entries WHERE graph = ?)", (graph,))
        conn.execute("DELETE FROM entries WHERE graph = ?", (graph,))
        conn.execute("DELETE FROM kinds WHERE graph = ?", (graph,))

    def apply(self, key: str, graph: str, rows: list[Row] | None) -> bool:
        """One change of the log: `rows` replace `graph` (None: the graph is withdrawn). A change
        already applied by another process, or a graph already withdrawn, is skipped."""
        conn = self.connection()
        withdrawn = f"withdraw {graph}"
        done = conn.execute("SELECT key FROM changes WHERE key IN (?, ?)",
                            (key, withdrawn)).fetchone()
        if done is not None:
            return False
        self.replace(rows or [], [graph])
        conn.execute("INSERT OR IGNORE INTO changes VALUES (?)", (key,))
        return True

    # -- reading -------------------------------------------------------------------------------

    def search(self, text: str, limit: int = 20, kinds: Iterable[str] = ()) -> list[Hit]:
        """The resources whose names or quotes hold every word of `text` (the last one may be
        the start of a word), best first; `kinds` narrows them (e.g. "person")."""
        match = fts_query(text)
        if match is None:
            return []
        conn = self.connection()
        wanted = tuple(kinds)
        kind_filter = (" AND k.kind IN (%s)" % ",".join("?" * len(wanted))) if wanted else ""
        rows = conn.execute(
            f"SELECT e.iri, e.graph, e.field, e.text FROM "
            f"(SELECT rowid, {RANK} AS score FROM entries_fts WHERE entries_fts MATCH ? "
            f" ORDER BY score LIMIT ?) AS m JOIN entries e ON e.id = m.rowid "
            f"WHERE EXISTS (SELECT 1 FROM kinds k WHERE k.iri = e.iri{kind_filter}) "
            f"ORDER BY m.score, e.field, e.id",
            (match, MAX_CANDIDATES, *wanted)).fetchall()
        hits: dict[str, Hit] = {}
        for iri, graph, field_, original in rows:
            hit = hits.get(iri)
            if hit is None:
                if len(hits) == limit:
                    continue
                hit = hits[iri] = Hit(iri)
            hit.matches.append(Match(iri, graph, field_, original))
        if hits:
            marks = ",".join("?" * len(hits))
            for iri, cls, kind in conn.execute(
                    f"SELECT DISTINCT iri, class, kind FROM kinds WHERE iri IN ({marks})",
                    tuple(hits)):
                hits[iri].kinds[cls] = kind
            for iri, found in self.names(hits).items():
                hits[iri].names = found
        return list(hits.values())

    def names(self, iris: Iterable[str]) -> dict[str, list[tuple[str, str, str]]]:
        """{iri: [(field, name, graph)]}: every label and name each graph gives these resources
        (sources too)."""
        iris = tuple(iris)
        out: dict[str, list[tuple[str, str, str]]] = {}
        if not iris:
            return out
        marks = ",".join("?" * len(iris))
        for iri, field_, text, graph in self.connection().execute(
                f"SELECT iri, field, text, graph FROM entries WHERE field IN (?, ?) "
                f"AND iri IN ({marks}) ORDER BY id", (LABEL, NAME, *iris)):
            out.setdefault(iri, []).append((field_, text, graph))
        return out

    def size(self) -> int:
        return self.connection().execute("SELECT COUNT(*) FROM entries").fetchone()[0]


def fts_query(text: str) -> str | None:
    """FTS5 syntax for what a person typed: every word, folded, each also matching the skeleton
    of names, the last one as a prefix. None when there is no word in it."""
    tokens = words(fold(text))
    if not tokens:
        return None
    parts = []
    for i, token in enumerate(tokens):
        star = "*" if i == len(tokens) - 1 else ""
        alternatives = {f'folded : "{token}"{star}', f'skeleton : "{skeleton(token)}"{star}'}
        parts.append("(" + " OR ".join(sorted(alternatives)) + ")")
    return " AND ".join(parts)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
