"""The record's tables, in the schema `ppkg`, created and migrated by ppkg itself.

MIGRATIONS is a numbered list; `migrate` applies those the database has not had yet, each in its
own transaction, under an advisory lock (servers started together migrate once), and records the
number in ppkg.schema_version. A migration is never edited once released: a change is a new one.
A database migrated by a newer ppkg than this one is refused (it may hold what this one misreads).

The change log is `changes` (version, the entry as its JSON text, commit time); `head` is a single
row holding the last version: a writer increments it in the transaction that inserts the entry,
so a second writer waits for the first to commit and versions commit in order, without gaps
(a sequence would hand out numbers that commit out of order, and a follower reading "after N"
could step over one committed late). `dataset` says which shipped files the changes apply to.
"""

from __future__ import annotations

import uuid

from ppkg.durable.postgres.connection import SCHEMA_LOCK, Database
from ppkg.errors import RecordUnavailable

CHANNEL = "ppkg_changes"  # NOTIFY'd with the version of each committed change

MIGRATIONS: list[tuple[int, str]] = [
    (1, """
CREATE TABLE ppkg.meta (key text PRIMARY KEY, value text NOT NULL);
CREATE TABLE ppkg.head (one boolean PRIMARY KEY DEFAULT true CHECK (one), version bigint NOT NULL);
INSERT INTO ppkg.head VALUES (true, 0);
CREATE TABLE ppkg.changes (
    version bigint PRIMARY KEY,
    entry text NOT NULL,
    committed timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE TABLE ppkg.pending (
    id text PRIMARY KEY,
    submitter text NOT NULL,
    submitted text NOT NULL,
    summary text NOT NULL,
    triples integer NOT NULL,
    sha256 text NOT NULL,
    data text NOT NULL,
    received timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE ppkg.decisions (
    id text PRIMARY KEY REFERENCES ppkg.pending (id),
    decision text NOT NULL CHECK (decision IN ('accepted', 'rejected')),
    reviewer text NOT NULL,
    time text NOT NULL,
    note text,
    fingerprint text,
    seq bigint
);
CREATE TABLE ppkg.reviews (id text PRIMARY KEY REFERENCES ppkg.pending (id), review text NOT NULL);
CREATE TABLE ppkg.tokens (
    name text PRIMARY KEY,
    sha256 text NOT NULL UNIQUE,
    role text NOT NULL,
    created text NOT NULL,
    revoked text
);
CREATE TABLE ppkg.snapshots (
    version bigint PRIMARY KEY,
    files text NOT NULL,
    quads bigint NOT NULL,
    bytes bigint NOT NULL,
    sha256 text NOT NULL,
    created timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE ppkg.snapshot_chunks (
    version bigint REFERENCES ppkg.snapshots (version) ON DELETE CASCADE,
    n integer,
    data bytea NOT NULL,
    PRIMARY KEY (version, n)
);
"""),
]
LATEST = MIGRATIONS[-1][0]


def migrate(db: Database) -> int:
    """Bring the database's schema to LATEST; returns the number of migrations applied."""
    applied = 0
    with db.transaction(lock=SCHEMA_LOCK, timeout=60) as conn:
        conn.execute("CREATE SCHEMA IF NOT EXISTS ppkg")
        conn.execute("CREATE TABLE IF NOT EXISTS ppkg.schema_version (version integer NOT NULL)")
        row = conn.execute("SELECT max(version) FROM ppkg.schema_version").fetchone()
        current = row[0] or 0
        if current > LATEST:
            raise RecordUnavailable(f"{db.describe()} was migrated by a newer ppkg (schema "
                                    f"{current}, this ppkg knows {LATEST}): upgrade ppkg")
        for number, sql in MIGRATIONS:
            if number > current:
                conn.execute(sql)
                conn.execute("INSERT INTO ppkg.schema_version VALUES (%s)", (number,))
                applied += 1
        if current == 0:
            conn.execute("INSERT INTO ppkg.meta VALUES ('id', %s)", (str(uuid.uuid4()),))
    return applied
