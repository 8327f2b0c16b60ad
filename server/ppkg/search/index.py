"""The search index: SQLite FTS5 (Python's standard library) over the names and quotes of the
published graph, one file shared by every process of a server.

Why a file: `ppkg serve` builds the index in the gunicorn master; accepted submissions are
applied by whichever process catches up with the change log (each embedded worker's query
process, or a remote store's web worker) through `StoreDataset.on_change`, and every worker
reads. A file in WAL mode gives all of them one current index; an in-memory one would be updated
only in the process that happened to apply the change.

What is indexed:

- `texts`: each label (rdfs:label, skos:prefLabel), other name (skos:altLabel, ppkg:title) or
  quote (ppkg:text) of a resource, once however many sources give it (a decree's name restated by
  two thousand sources is one row to rank, not two thousand); its FTS5 twin holds the folded text
  and, for labels and names, the skeleton (ppkg.search.fold);
- `stated`: which graphs give each text — the sources a result names;
- `kinds`: the kind each graph gives a resource (ppkg.linked_data.kinds): only resources of a
  searchable kind in some graph are found, so memberships and figures, which have labels too,
  never are.

What a graph states is replaced or removed as a whole (an accepted submission is one graph; a
withdrawal removes it), and applying the same change twice changes nothing — each process that
catches up applies it once more; `changes` remembers what was applied.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from ppkg.search.fold import fold, skeleton, words

SCHEMA = """
PRAGMA journal_mode = WAL;
CREATE TABLE texts (id INTEGER PRIMARY KEY, iri TEXT NOT NULL, field TEXT NOT NULL,
                    text TEXT NOT NULL);
CREATE INDEX texts_iri ON texts (iri);
CREATE VIRTUAL TABLE texts_fts USING fts5 (folded, skeleton,
                    tokenize = "unicode61 remove_diacritics 2");
CREATE TABLE stated (text_id INTEGER NOT NULL, graph TEXT NOT NULL,
                     PRIMARY KEY (text_id, graph)) WITHOUT ROWID;
CREATE INDEX stated_graph ON stated (graph);
CREATE TABLE kinds (iri TEXT NOT NULL, graph TEXT NOT NULL, kind TEXT NOT NULL,
                    class TEXT NOT NULL, PRIMARY KEY (iri, graph, class)) WITHOUT ROWID;
CREATE INDEX kinds_graph ON kinds (graph);
CREATE TABLE changes (key TEXT PRIMARY KEY);
"""

LABEL, NAME, QUOTE = "label", "name", "quote"  # a label, another name, a quote
MAX_CANDIDATES = 400  # matching texts ranked before grouping by resource
# bm25 weights: a match on the folded text counts ten times one on the skeleton alone.
RANK = "bm25(texts_fts, 10.0, 1.0)"
CHUNK = 500  # values per `IN (...)` list


@dataclass
class Row:
    """One name or quote a graph gives a resource, or a type (field "type", text = class IRI)."""

    iri: str
    graph: str
    field: str  # "label", "name", "quote" or "type"
    text: str


@dataclass
class Match:
    field: str
    text: str
    graphs: list[str]  # the graphs that state it


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

    def replace(self, rows: Iterable[Row], graphs: Iterable[str]) -> int:
        """Replace what the index holds for `graphs` by `rows` (none of a graph withdrawn
        meanwhile: what was read of it before is gone from the store); returns the texts
        stated."""
        conn = self.connection()
        conn.execute("BEGIN IMMEDIATE")
        try:
            for graph in graphs:
                self._remove(conn, graph)
            withdrawn = {key.split(" ", 1)[1] for (key,) in
                         conn.execute("SELECT key FROM changes WHERE key LIKE 'withdraw %'")}
            count = self._add(conn, [r for r in rows if r.graph not in withdrawn])
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return count

    def _add(self, conn: sqlite3.Connection, rows: list[Row]) -> int:
        kinds, stated = [], []
        for row in rows:
            if row.field == "type":
                if row.text in self.kinds:
                    kinds.append((row.iri, row.graph, self.kinds[row.text], row.text))
            else:
                stated.append(((row.iri, row.field, row.text), row.graph))
        conn.executemany("INSERT OR IGNORE INTO kinds VALUES (?, ?, ?, ?)", kinds)
        ids = self._text_ids(conn, {key for key, _ in stated})
        conn.executemany("INSERT OR IGNORE INTO stated VALUES (?, ?)",
                         [(ids[key], graph) for key, graph in stated])
        return len(stated)

    def _text_ids(self, conn: sqlite3.Connection, keys: set[tuple]) -> dict[tuple, int]:
        """The id of each (iri, field, text), new texts added (with their FTS5 rows)."""
        ids: dict[tuple, int] = {}
        iris = sorted({iri for iri, _, _ in keys})
        for start in range(0, len(iris), CHUNK):
            chunk = iris[start:start + CHUNK]
            for id_, iri, field_, text in conn.execute(
                    "SELECT id, iri, field, text FROM texts WHERE iri IN (%s)"
                    % ",".join("?" * len(chunk)), chunk):
                ids[(iri, field_, text)] = id_
        new = sorted(keys - ids.keys())
        next_id = (conn.execute("SELECT MAX(id) FROM texts").fetchone()[0] or 0) + 1
        for offset, key in enumerate(new):
            ids[key] = next_id + offset
        conn.executemany("INSERT INTO texts VALUES (?, ?, ?, ?)",
                         [(ids[key], *key) for key in new])
        conn.executemany("INSERT INTO texts_fts (rowid, folded, skeleton) VALUES (?, ?, ?)",
                         [(ids[key], fold(key[2]), skeleton(key[2]) if key[1] != QUOTE else "")
                          for key in new])
        return ids

    @staticmethod
    def _remove(conn: sqlite3.Connection, graph: str) -> None:
        """What `graph` states goes; a text no other graph states goes with it."""
        ids = [i for (i,) in conn.execute("SELECT text_id FROM stated WHERE graph = ?", (graph,))]
        conn.execute("DELETE FROM stated WHERE graph = ?", (graph,))
        conn.execute("DELETE FROM kinds WHERE graph = ?", (graph,))
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start:start + CHUNK]
            marks = ",".join("?" * len(chunk))
            orphans = [i for (i,) in conn.execute(
                f"SELECT id FROM texts WHERE id IN ({marks}) AND NOT EXISTS "
                f"(SELECT 1 FROM stated WHERE text_id = id)", chunk)]
            if orphans:
                marks = ",".join("?" * len(orphans))
                conn.execute(f"DELETE FROM texts_fts WHERE rowid IN ({marks})", orphans)
                conn.execute(f"DELETE FROM texts WHERE id IN ({marks})", orphans)

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
            f"SELECT t.id, t.iri, t.field, t.text FROM "
            f"(SELECT rowid, {RANK} AS score FROM texts_fts WHERE texts_fts MATCH ? "
            f" ORDER BY score LIMIT ?) AS m JOIN texts t ON t.id = m.rowid "
            f"WHERE EXISTS (SELECT 1 FROM kinds k WHERE k.iri = t.iri{kind_filter}) "
            f"ORDER BY m.score, t.field, t.id",
            (match, MAX_CANDIDATES, *wanted)).fetchall()
        hits: dict[str, Hit] = {}
        matches: dict[int, Match] = {}
        for id_, iri, field_, original in rows:
            hit = hits.get(iri)
            if hit is None:
                if len(hits) == limit:
                    continue
                hit = hits[iri] = Hit(iri)
            matches[id_] = Match(field_, original, [])
            hit.matches.append(matches[id_])
        if hits:
            marks = ",".join("?" * len(matches))
            for id_, graph in conn.execute(
                    f"SELECT text_id, graph FROM stated WHERE text_id IN ({marks}) "
                    f"ORDER BY graph", tuple(matches)):
                matches[id_].graphs.append(graph)
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
                f"SELECT t.iri, t.field, t.text, s.graph FROM texts t "
                f"JOIN stated s ON s.text_id = t.id WHERE t.field IN (?, ?) "
                f"AND t.iri IN ({marks}) ORDER BY t.id, s.graph", (LABEL, NAME, *iris)):
            out.setdefault(iri, []).append((field_, text, graph))
        return out


def fts_query(text: str) -> str | None:
    """FTS5 syntax for what a person typed: every word, folded; the last one also as the start of
    a word once it has two letters; words of four letters or more also matching the skeleton of
    names (shorter ones would match too much). None when there is no word in it."""
    tokens = words(fold(text))
    if not tokens:
        return None
    parts = []
    for i, token in enumerate(tokens):
        star = "*" if i == len(tokens) - 1 and len(token) >= 2 else ""
        alternatives = [f'folded : "{token}"{star}']
        if len(token) >= 4:
            alternatives.append(f'skeleton : "{skeleton(token)}"{star}')
        parts.append("(" + " OR ".join(alternatives) + ")")
    return " AND ".join(parts)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
