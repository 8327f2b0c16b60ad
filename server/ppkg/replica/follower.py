"""The follower: a thread of the gunicorn master that copies the record's new changes into the
replica's feed, in version order, as soon as they are committed.

It LISTENs on the record's channel (ppkg.durable.postgres.schema.CHANNEL) on a connection of its
own, and reads new changes on another after every notification and at least every POLL seconds
(so a lost notification, or a database behind a pooler that drops them, costs at most POLL).
After every look it writes its status (ppkg.replica.status). When the database goes away it
retries every second, and the server serves what it has (reads go on; /health says degraded).
Writes go to the database from the workers, not through here.
"""

from __future__ import annotations

import logging
import os
import threading
import time

import psycopg

from ppkg.durable.postgres.connection import Database, first_line
from ppkg.durable.postgres.record import PgChangeLog
from ppkg.durable.postgres.schema import CHANNEL
from ppkg.errors import RecordUnavailable
from ppkg.replica.status import POLL, Status, write_status
from ppkg.store.changelog import ChangeLog, LogError

log = logging.getLogger("ppkg.replica")

RETRY = 1.0  # seconds between attempts to reach a database that does not answer


class Follower:
    def __init__(self, db: Database, feed: ChangeLog, replica_dir, poll: float = POLL):
        self.db = db
        self.changes = PgChangeLog(db)
        self.feed = feed
        self.replica_dir = replica_dir
        self.poll = poll
        self.status = Status()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._listener: psycopg.Connection | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="ppkg-follower", daemon=True)
        self._thread.start()
        os.register_at_fork(after_in_child=self._forget)

    def _forget(self) -> None:
        """In a forked worker: close the copies of the follower's connections, which only the
        master uses (else a connection it drops would stay open, held by every worker)."""
        self._stop.set()
        for conn in (self._listener, *self.db.opened()):
            if conn is not None and not conn.closed:
                try:
                    os.close(conn.fileno())
                except OSError:
                    pass

    def stop(self) -> None:
        self._stop.set()

    def sync(self) -> int:
        """Copy every change after the feed's last into the feed; returns how many."""
        copied = 0
        head = self.changes.last_seq()
        while True:
            last = self.feed.last_seq()
            batch = self.changes.entries_after(last)
            if batch and batch[0][0] != last + 1:
                raise LogError(f"the record no longer holds change {last + 1} (compacted below "
                               f"a snapshot): restart this server, it will start from one")
            for _, entry, committed in batch:
                self.feed.copy(entry, committed)
                self.status.head_committed = committed / 1e9
                copied += 1
            if not batch or batch[-1][0] >= head:
                break
        self.status.head = max(head, self.feed.last_seq())
        self.status.contact, self.status.error = time.time(), None
        write_status(self.replica_dir, self.status)
        return copied

    def _run(self) -> None:
        while not self._stop.is_set():
            listener = None
            try:
                listener = self._listener = self.db.connect()
                listener.execute(f"LISTEN {CHANNEL}")
                self.sync()
                while not self._stop.is_set():
                    for _ in listener.notifies(timeout=self.poll, stop_after=1):
                        pass
                    self.sync()
            except (RecordUnavailable, psycopg.Error, LogError, OSError) as err:
                if self.status.error is None:
                    log.error("the record cannot be followed: %s", first_line(err))
                self.status.error = first_line(err)
                write_status(self.replica_dir, self.status)
                self._stop.wait(RETRY)
            finally:
                if listener is not None:
                    try:
                        listener.close()
                    except psycopg.Error:
                        pass
