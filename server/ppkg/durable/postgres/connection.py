"""Connections to the record's database, and what its failures mean to a client.

Each process and thread has one connection (autocommit), opened when first needed and opened
again after a failure: a server outlives a database restart. A write is one transaction that
first takes the writers' advisory lock (`pg_advisory_xact_lock`), so writers on any number of
servers are serialised, and the lock goes with the transaction, whatever ends it.

Any failure to reach the database is RecordUnavailable (503 with Retry-After: nothing was
written, or — a connection lost during COMMIT — the client was not told it was); a writer that
waits past its time for the lock gets LockTimeout (503 too).
"""

from __future__ import annotations

import os
import select
import threading
from contextlib import contextmanager
from typing import Callable, Iterator, TypeVar

import psycopg
from psycopg import errors as pg_errors

from ppkg.errors import RecordUnavailable
from ppkg.store.changelog import LockTimeout

CONNECT_TIMEOUT = 3  # seconds; a database that does not answer is a 503, not a hang
WRITERS_LOCK = 0x7070_6B67  # the advisory lock key of writers ("ppkg")
SCHEMA_LOCK = WRITERS_LOCK + 1  # held while the schema is migrated

T = TypeVar("T")


def safe_target(conninfo: str) -> str:
    """host:port/dbname of a connection string, never its password."""
    try:
        params = psycopg.conninfo.conninfo_to_dict(conninfo)
    except psycopg.ProgrammingError:
        return "PostgreSQL (unparsable PPKG_DATABASE_URL)"
    return (f"PostgreSQL {params.get('host', 'localhost')}:{params.get('port', 5432)}"
            f"/{params.get('dbname', '')}")


class Database:
    """The record's database as seen from this process (see the module doc)."""

    def __init__(self, conninfo: str):
        self.conninfo = conninfo
        self._local = threading.local()
        self._opened: list[psycopg.Connection] = []

    def describe(self) -> str:
        return safe_target(self.conninfo)

    def connect(self, **options) -> psycopg.Connection:
        """A new connection of its own (the follower's, for LISTEN)."""
        try:
            return psycopg.connect(self.conninfo, autocommit=True, connect_timeout=CONNECT_TIMEOUT,
                                   application_name="ppkg", **options)
        except psycopg.Error as err:
            raise RecordUnavailable(f"{self.describe()} does not answer: {first_line(err)}") \
                from None

    def _connection(self) -> psycopg.Connection:
        local = self._local
        conn = getattr(local, "conn", None)
        if conn is not None and getattr(local, "pid", None) == os.getpid() and _ended(conn):
            self._drop()
            conn = None
        if conn is None or conn.closed or getattr(local, "pid", None) != os.getpid():
            local.conn, local.pid = self.connect(), os.getpid()
            self._opened.append(local.conn)
        return local.conn

    def opened(self) -> list[psycopg.Connection]:
        """The connections this object opened in this process's threads that are still open."""
        self._opened = [c for c in self._opened if not c.closed]
        return list(self._opened)

    def close(self) -> None:
        """Close this thread's connection (the next use opens another)."""
        self._drop()

    def _drop(self) -> None:
        conn = getattr(self._local, "conn", None)
        self._local.conn = None
        if conn is not None and getattr(self._local, "pid", None) == os.getpid():
            try:
                conn.close()
            except psycopg.Error:
                pass

    def run(self, work: Callable[[psycopg.Connection], T]) -> T:
        """`work(connection)`, inside the current write's transaction if there is one."""
        conn = getattr(self._local, "tx", None) or self._connection()
        try:
            return work(conn)
        except pg_errors.LockNotAvailable as err:
            raise LockTimeout(first_line(err)) from None
        except (psycopg.OperationalError, psycopg.InterfaceError) as err:
            raise self._failed(err) from None

    @contextmanager
    def transaction(self, lock: int | None, timeout: float) -> Iterator[psycopg.Connection]:
        """One transaction holding the advisory lock `lock` (None: none), committed when the block
        ends normally; `run` calls inside it take part in it."""
        conn = self._connection()
        try:
            with conn.transaction():
                if lock is not None:
                    conn.execute(f"SET LOCAL lock_timeout = '{max(1, int(timeout * 1000))}ms'")
                    conn.execute("SELECT pg_advisory_xact_lock(%s)", (lock,))
                    conn.execute("SET LOCAL lock_timeout = 0")
                self._local.tx = conn
                try:
                    yield conn
                finally:
                    self._local.tx = None
        except pg_errors.LockNotAvailable:
            raise LockTimeout(f"another writer has held the record's lock for more than "
                              f"{timeout:g} s") from None
        except (psycopg.OperationalError, psycopg.InterfaceError) as err:
            raise self._failed(err) from None

    def _failed(self, err: Exception) -> RecordUnavailable:
        self._drop()
        return RecordUnavailable(f"{self.describe()} failed: {first_line(err)}")


def _ended(conn: psycopg.Connection) -> bool:
    """Whether the server has ended an idle connection (a restart, a shutdown): it then has
    something to read — the server's goodbye, or the end of the stream — before anything was
    asked. Checked before each use, so the first request after a restart does not fail."""
    if conn.closed or conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
        return conn.closed
    readable, _, _ = select.select([conn.fileno()], [], [], 0)
    return bool(readable)


def first_line(err: Exception) -> str:
    return (str(err).strip().splitlines() or [type(err).__name__])[0]
