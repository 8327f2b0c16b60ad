"""PgRecord: the durable record in PostgreSQL — the change log, the review queue, the tokens.

Every server of a deployment writes here; each keeps its own in-memory copy of the store and
follows the log (ppkg.replica). A change is appended inside the writer's transaction
(`writing()`, ppkg.durable.postgres.connection), which also records the decision it publishes:
one commit makes both durable, or neither. The entry is kept as the same JSON text the file log
writes, so the two logs mean the same (ppkg.store.entries reads either).
"""

from __future__ import annotations

import json
from typing import Iterator

from psycopg import errors as pg_errors

from ppkg.archive.pending import AlreadyDecided, DECISIONS, Decision, Pending, ReviewStore
from ppkg.archive.tokens import Token, TokenError, Tokens, name_used, now_iso
from ppkg.durable import DurableRecord
from ppkg.durable.postgres.connection import WRITERS_LOCK, Database
from ppkg.durable.postgres.schema import CHANNEL, migrate
from ppkg.store.changelog import ENTRY_FORMAT, LogError

BATCH = 500  # entries read at a time


class PgRecord(DurableRecord):
    atomic_decisions = True
    shared = True

    def __init__(self, conninfo: str, db: Database | None = None):
        self.db = db or Database(conninfo)
        self.changes = PgChangeLog(self.db)
        self.reviews = PgReviewStore(self.db)
        self.tokens = PgTokens(self.db)

    def prepare(self) -> None:
        """Create or update the schema (idempotent)."""
        migrate(self.db)

    def writing(self, timeout: float):
        return self.db.transaction(WRITERS_LOCK, timeout)

    def describe(self) -> str:
        return self.db.describe()

    def claim(self, dataset: str) -> str | None:
        """Record which dataset (shipped files) the changes apply to; returns the one already
        recorded when it is another."""
        def work(conn):
            conn.execute("INSERT INTO ppkg.meta VALUES ('dataset', %s) ON CONFLICT DO NOTHING",
                         (dataset,))
            return conn.execute("SELECT value FROM ppkg.meta WHERE key = 'dataset'").fetchone()[0]
        owner = self.db.run(work)
        return None if owner == dataset else owner


class PgChangeLog:
    """The change log as the write path and the followers read it (versions are sequence
    numbers: dense, from 1, committed in order)."""

    def __init__(self, db: Database):
        self.db = db

    def last_seq(self) -> int:
        return self.db.run(lambda c: c.execute("SELECT version FROM ppkg.head").fetchone()[0])

    def first_seq(self) -> int:
        """The first version still in the log (compaction removes those below a snapshot)."""
        row = self.db.run(lambda c: c.execute("SELECT min(version) FROM ppkg.changes").fetchone())
        return row[0] or self.last_seq() + 1

    def read(self, seq: int) -> dict:
        row = self.db.run(lambda c: c.execute("SELECT entry FROM ppkg.changes WHERE version = %s",
                                              (seq,)).fetchone())
        if row is None:
            raise LogError(f"change {seq} is not in the record (compacted, or not written)")
        return _entry(row[0], seq)

    def entries_after(self, seq: int, limit: int = BATCH) -> list[tuple[int, dict, int]]:
        """Up to `limit` (version, entry, commit time in ns since the epoch) after `seq`, in
        order (the time at the database's microsecond precision: the same on every replica)."""
        rows = self.db.run(lambda c: c.execute(
            "SELECT version, entry, (extract(epoch FROM committed) * 1000000)::bigint "
            "FROM ppkg.changes WHERE version > %s ORDER BY version LIMIT %s",
            (seq, limit)).fetchall())
        return [(v, _entry(text, v), int(us) * 1000) for v, text, us in rows]

    def all_after(self, seq: int) -> Iterator[tuple[int, dict]]:
        while True:
            batch = self.entries_after(seq)
            for found, entry, _ in batch:
                yield found, entry
                seq = found
            if len(batch) < BATCH:
                return

    def append(self, entry: dict) -> int:
        """Write `entry` as the next change, in the writer's transaction (`PgRecord.writing`):
        the head row's lock orders concurrent writers, and listeners hear of it on commit."""
        def work(conn):
            seq = conn.execute("UPDATE ppkg.head SET version = version + 1 "
                               "RETURNING version").fetchone()[0]
            record = {"format": ENTRY_FORMAT, "seq": seq, **entry}
            conn.execute("INSERT INTO ppkg.changes (version, entry) VALUES (%s, %s)",
                         (seq, json.dumps(record, ensure_ascii=False, separators=(",", ":"))))
            conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL, str(seq)))
            return seq
        return self.db.run(work)


def _entry(text: str, seq: int) -> dict:
    try:
        entry = json.loads(text)
    except ValueError as err:
        raise LogError(f"change {seq}: cannot be read: {err}") from None
    if not isinstance(entry, dict) or entry.get("seq") != seq:
        raise LogError(f"change {seq}: not a log entry with sequence number {seq}")
    return entry


class PgReviewStore(ReviewStore):
    """Pending submissions, decisions (one per submission: the primary key says so, whichever
    server decides) and cached reviews."""

    def __init__(self, db: Database):
        self.db = db

    def add(self, pending: Pending) -> None:
        meta = pending.meta()
        self.db.run(lambda c: c.execute(
            "INSERT INTO ppkg.pending (id, submitter, submitted, summary, triples, sha256, data) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s)",
            (meta["id"], meta["submitter"], meta["submitted"], meta["summary"], meta["triples"],
             meta["sha256"], pending.data)))

    def get(self, submission_id: str, data: bool = True) -> Pending | None:
        column = "data" if data else "''"
        row = self.db.run(lambda c: c.execute(
            f"SELECT id, submitter, submitted, summary, triples, sha256, {column} "
            "FROM ppkg.pending WHERE id = %s", (submission_id,)).fetchone())
        return Pending(*row) if row else None

    def ids(self) -> list[str]:
        rows = self.db.run(lambda c: c.execute("SELECT id FROM ppkg.pending ORDER BY id DESC")
                           .fetchall())
        return [r[0] for r in rows]

    def decision(self, submission_id: str) -> Decision | None:
        row = self.db.run(lambda c: c.execute(
            "SELECT id, decision, reviewer, time, note, fingerprint, seq FROM ppkg.decisions "
            "WHERE id = %s", (submission_id,)).fetchone())
        return Decision(*row) if row else None

    def decide(self, decision: Decision) -> None:
        if decision.decision not in DECISIONS:
            raise ValueError(f"unknown decision {decision.decision!r}")

        def work(conn):
            try:
                with conn.transaction():  # a savepoint inside the writer's transaction
                    conn.execute("INSERT INTO ppkg.decisions VALUES (%s, %s, %s, %s, %s, %s, %s)",
                                 (decision.id, decision.decision, decision.reviewer,
                                  decision.time, decision.note, decision.fingerprint,
                                  decision.seq))
            except pg_errors.UniqueViolation:
                raise AlreadyDecided(decision.id) from None
        self.db.run(work)

    def cached_review(self, submission_id: str) -> dict | None:
        row = self.db.run(lambda c: c.execute("SELECT review FROM ppkg.reviews WHERE id = %s",
                                              (submission_id,)).fetchone())
        return json.loads(row[0]) if row else None

    def cache_review(self, submission_id: str, review: dict) -> None:
        self.db.run(lambda c: c.execute(
            "INSERT INTO ppkg.reviews VALUES (%s, %s) ON CONFLICT (id) DO UPDATE "
            "SET review = excluded.review", (submission_id, json.dumps(review))))


class PgTokens(Tokens):
    def __init__(self, db: Database):
        self.db = db

    def describe(self) -> str:
        return self.db.describe()

    def load(self) -> list[Token]:
        rows = self.db.run(lambda c: c.execute(
            "SELECT name, sha256, role, created, revoked FROM ppkg.tokens ORDER BY created, name")
            .fetchall())
        return [Token.from_json(dict(zip(("name", "sha256", "role", "created", "revoked"), r)))
                for r in rows]

    def _add(self, token: Token) -> None:
        def work(conn):
            try:
                conn.execute("INSERT INTO ppkg.tokens VALUES (%s, %s, %s, %s, NULL)",
                             (token.name, token.sha256, token.role, token.created))
            except pg_errors.UniqueViolation:
                raise name_used(token.name) from None
        self.db.run(work)

    def revoke(self, name: str) -> Token:
        row = self.db.run(lambda c: c.execute(
            "UPDATE ppkg.tokens SET revoked = %s WHERE name = %s AND revoked IS NULL "
            "RETURNING name, sha256, role, created, revoked", (now_iso(), name)).fetchone())
        if row is None:
            raise TokenError(f"no active token named {name!r}")
        return Token.from_json(dict(zip(("name", "sha256", "role", "created", "revoked"), row)))
