"""The durable record: what ppkg must never lose, behind one interface, in the data dir or in
PostgreSQL.

The record holds the accepted changes (the change log), the submissions waiting for review and
the decisions on them (a ReviewStore), and the tokens. Two implementations:

- ``FileRecord`` (the default, ppkg.durable.files): the data dir's files, the writers' lock a
  `flock` (one machine);
- ``PgRecord`` when `PPKG_DATABASE_URL` is set (ppkg.durable.postgres): one PostgreSQL database
  that any number of ppkg servers share; a write is one transaction, serialised by an advisory
  lock, so the versions of the changes are gap-free and commit in order.

The write path (ppkg.archive.submissions) does not know which it has: it holds `writing()` while
it checks and appends, and reads through `changes`, `reviews` and `tokens`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from contextlib import AbstractContextManager


class DurableRecord(ABC):
    changes: object  # the change log: last_seq(), read(seq), append(entry)
    reviews: object  # ppkg.archive.pending.ReviewStore
    tokens: object  # ppkg.archive.tokens.Tokens
    # True when a change and its decision are written in one step: no crash can leave the
    # log's last entry without its decision (the file record needs a repair for that).
    atomic_decisions: bool = False
    # True when other servers write the record too: this server's store may trail it for a
    # moment (it follows the record), and a writer waits for it to catch up.
    shared: bool = False

    def prepare(self) -> None:
        """Create or update what the record needs to exist (a database's schema)."""

    @abstractmethod
    def writing(self, timeout: float) -> AbstractContextManager:
        """Hold the writers' lock for a block (LockTimeout after `timeout` seconds); with a
        database, the block is one transaction, committed when it ends without an exception."""

    @abstractmethod
    def describe(self) -> str:
        """Where the record is, for messages (never a password)."""


def open_record(config) -> DurableRecord:
    """The record the configuration names: PostgreSQL with Config.database_url, else the data
    dir's files."""
    if config.database_url:
        from ppkg.durable.postgres.record import PgRecord  # psycopg only when it is used

        return PgRecord(config.database_url)
    from ppkg.durable.files import FileRecord

    return FileRecord(config.data_dir)
