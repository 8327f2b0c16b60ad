"""How a replica's store starts: the newest snapshot of its files, else the files themselves, then
the record's changes after it, then the feed the follower fills (ppkg.replica).

A data dir serves one replica at a time (DATA_DIR/replica/lock, held while the server runs): its
feed is rebuilt at every start, so two servers on one data dir would write each other's.
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from ppkg.durable.postgres import snapshots
from ppkg.durable.postgres.connection import Database
from ppkg.durable.postgres.record import PgRecord
from ppkg.errors import LoadError
from ppkg.replica.follower import Follower
from ppkg.replica.relay import Relay, needs_relay
from ppkg.replica.status import REPLICA_DIR
from ppkg.store.changelog import ChangeLog, LogError, ensure_dir
from ppkg.store import StoreDataset
from ppkg.store.embedded.dataset import Dataset, identity_of, load_dataset, union_of
from ppkg.store.remote.dataset import RemoteDataset
from ppkg.store.sources import files_version, source_files

log = logging.getLogger("ppkg.replica")


@dataclass
class Started:
    dataset: StoreDataset
    record: PgRecord
    replica_dir: Path
    snapshot: int | None  # the snapshot's version it started from (None: the files)
    replayed: int  # changes applied from the record
    seconds: float


def load_replica(config, paths=None, record: PgRecord | None = None) -> Started:
    """The store as of the record's last change (no feed: for commands that answer once)."""
    began = time.monotonic()
    record = record or PgRecord(config.database_url)
    record.prepare()
    paths = paths or config.graph_paths or None
    files = source_files(paths)
    base = files_version(files)
    found = snapshots.newest(record, base)
    if found is not None:
        store = ox.Store()
        try:
            snapshots.load(record, found, store)
        except (ValueError, SyntaxError) as err:
            raise LoadError(str(err)) from None
        dataset = Dataset(store=store, union=union_of(store), files=[f.path for f in files],
                          base_version=base, applied=found.version,
                          identity=identity_of(files, paths))
    else:
        dataset = load_dataset(paths)
    other = record.claim(dataset.identity)
    if other is not None:
        raise LoadError(f"{record.describe()} holds the changes of another dataset ({other}); "
                        f"this server serves {dataset.identity}")
    replayed = 0
    for seq, entry in record.changes.all_after(dataset.applied):
        if seq != dataset.applied + 1:
            raise LoadError(f"{record.describe()} no longer holds change {dataset.applied + 1} "
                            "(the log was compacted below a snapshot of other files?)")
        try:
            dataset.apply_entry(seq, entry, f"change {seq}")
        except LogError as err:
            raise LoadError(str(err)) from None
        replayed += 1
    return Started(dataset, record, Path(config.data_dir) / REPLICA_DIR,
                   found.version if found else None, replayed, time.monotonic() - began)


def open_replica(config, paths=None) -> Started:
    """The configured store following the record through the data dir's feed (emptied first):
    the embedded store as `load_replica` makes it; a remote store (`--store sparql`), which keeps
    what it has, is given every change still in the record, and skips those it has applied."""
    replica_dir = Path(config.data_dir) / REPLICA_DIR
    ensure_dir(replica_dir)
    _hold_lock(replica_dir)
    shutil.rmtree(replica_dir / "log", ignore_errors=True)
    if config.store == "embedded":
        started = load_replica(config, paths)
        feed = ChangeLog(replica_dir)
        # The feed starts with the change the store is at, for its time: the data's version
        # names it (ChangeLog.stamp), alike on every replica, however each one started.
        at = started.dataset.applied
        if at:
            for _, entry, committed in started.record.changes.entries_after(at - 1, limit=1):
                feed.copy(entry, committed)
        started.dataset.follow(feed)
        return started
    record = PgRecord(config.database_url)
    record.prepare()
    dataset = RemoteDataset.from_config(config)
    dataset.check()
    dataset.applied = record.changes.first_seq() - 1
    dataset.follow(ChangeLog(replica_dir))
    return Started(dataset, record, replica_dir, None, 0, 0.0)


_held: list[int] = []  # the lock's descriptor, open while the process runs


def _hold_lock(replica_dir: Path) -> None:
    fd = os.open(replica_dir / "lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        raise LoadError(f"another server uses {replica_dir.parent} (its replica lock is held): "
                        "give each replica a data dir of its own") from None
    _held.append(fd)


@dataclass
class Following:
    follower: Follower
    relay: Relay | None


def follow(config, started: Started, sandboxed: bool) -> Following:
    """Start the follower (and, for sandboxed workers, the relay they reach the database by), in
    the gunicorn master before it forks: workers forked afterwards use the relay's address."""
    feed = ChangeLog(started.replica_dir)
    feed.skip_to(started.dataset.applied)
    follower = Follower(Database(config.database_url), feed, started.replica_dir)
    follower.sync()  # what was committed since the replay, and a first status
    follower.start()
    relay = None
    if sandboxed and needs_relay(config.database_url):
        relay = Relay(config.database_url)
        relay.start()
        started.record.db.conninfo = relay.conninfo
    started.record.db.close()  # the master's own connection: no worker may inherit it in use
    return Following(follower, relay)
