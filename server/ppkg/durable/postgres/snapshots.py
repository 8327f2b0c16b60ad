"""Snapshots: the whole store at a version, kept in the database, so that a replica starts from
the newest one plus the changes after it, and start-up time does not grow with the history.

A snapshot is the embedded store's named graphs in N-Quads, with the triples of its default
graph that no named graph holds (the union is computed again on load, as after loading files:
half the quads to read, and faster than loading it), gzipped, stored in chunks of
CHUNK bytes with its version, the shipped files' version it was built on (a replica uses only a
snapshot of its own files), its size and SHA-256; all in one transaction, so a snapshot exists
whole or not at all. `compact` then removes the changes below the oldest snapshot kept (never
the last change: the log's head stays readable).
"""

from __future__ import annotations

import gzip
import hashlib
import tempfile
from dataclasses import dataclass
from typing import Iterator

import pyoxigraph as ox

from ppkg.durable.postgres.record import PgRecord

CHUNK = 8 * 2**20
DEFAULT_ONLY = "SELECT ?s ?p ?o { ?s ?p ?o FILTER NOT EXISTS { GRAPH ?g { ?s ?p ?o } } }"


@dataclass
class Snapshot:
    version: int
    files: str
    quads: int
    bytes: int
    sha256: str
    created: str = ""


def save(record: PgRecord, store: ox.Store, version: int, files: str) -> Snapshot | None:
    """Store a snapshot of `store` at `version` (None: there is one at that version already)."""
    with tempfile.TemporaryFile() as raw:
        with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, compresslevel=3) as out:
            ox.serialize(_quads(store), out, format=ox.RdfFormat.N_QUADS)
        size, digest = raw.tell(), hashlib.sha256()
        raw.seek(0)
        with record.db.transaction(lock=None, timeout=0) as conn:
            taken = conn.execute("INSERT INTO ppkg.snapshots (version, files, quads, bytes, "
                                 "sha256) VALUES (%s, %s, %s, %s, '') ON CONFLICT DO NOTHING "
                                 "RETURNING version", (version, files, len(store), size))
            if taken.fetchone() is None:
                return None
            for n, chunk in enumerate(iter(lambda: raw.read(CHUNK), b"")):
                digest.update(chunk)
                conn.execute("INSERT INTO ppkg.snapshot_chunks VALUES (%s, %s, %s)",
                             (version, n, chunk))
            conn.execute("UPDATE ppkg.snapshots SET sha256 = %s WHERE version = %s",
                         (digest.hexdigest(), version))
    return Snapshot(version, files, len(store), size, digest.hexdigest())


def _quads(store: ox.Store) -> Iterator[ox.Quad]:
    for quad in store.quads_for_pattern(None, None, None, None):
        if not isinstance(quad.graph_name, ox.DefaultGraph):
            yield quad
    for s, p, o in store.query(DEFAULT_ONLY):
        yield ox.Quad(s, p, o)


def listed(record: PgRecord) -> list[Snapshot]:
    """The snapshots, newest first."""
    rows = record.db.run(lambda c: c.execute(
        "SELECT version, files, quads, bytes, sha256, created::text FROM ppkg.snapshots "
        "ORDER BY version DESC").fetchall())
    return [Snapshot(*row) for row in rows]


def newest(record: PgRecord, files: str) -> Snapshot | None:
    """The newest snapshot of the store built on these files."""
    return next((s for s in listed(record) if s.files == files), None)


def load(record: PgRecord, snapshot: Snapshot, store: ox.Store) -> None:
    """Load a snapshot into an empty store (ValueError when its bytes are not what was saved);
    the union is the caller's to compute (ppkg.store.embedded.dataset.union_of)."""
    with tempfile.TemporaryFile() as raw:
        digest, n = hashlib.sha256(), 0
        while True:
            row = record.db.run(lambda c: c.execute(
                "SELECT data FROM ppkg.snapshot_chunks WHERE version = %s AND n = %s",
                (snapshot.version, n)).fetchone())
            if row is None:
                break
            digest.update(row[0])
            raw.write(row[0])
            n += 1
        if digest.hexdigest() != snapshot.sha256:
            raise ValueError(f"snapshot {snapshot.version} is damaged (SHA-256 differs)")
        raw.seek(0)
        store.bulk_load(gzip.GzipFile(fileobj=raw, mode="rb"), format=ox.RdfFormat.N_QUADS)


def prune(record: PgRecord, keep: int) -> list[int]:
    """Remove all but the `keep` newest snapshots; returns the versions removed."""
    rows = record.db.run(lambda c: c.execute(
        "DELETE FROM ppkg.snapshots WHERE version NOT IN (SELECT version FROM ppkg.snapshots "
        "ORDER BY version DESC LIMIT %s) RETURNING version", (keep,)).fetchall())
    return sorted(r[0] for r in rows)


def compact(record: PgRecord) -> int:
    """Remove the changes below the oldest snapshot kept; returns how many."""
    return record.db.run(lambda c: c.execute(
        "DELETE FROM ppkg.changes WHERE version < (SELECT min(version) FROM ppkg.snapshots)"
    ).rowcount)
