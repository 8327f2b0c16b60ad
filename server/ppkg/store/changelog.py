"""The append-only log of accepted changes (DATA_DIR/log/) and the writers' lock (DATA_DIR/lock).

The store is in memory, loaded from the shipped files at start; everything accepted since lives
in this log and is replayed into the store (ppkg.store.Dataset.catch_up). One file per change:

    DATA_DIR/log/00000001.json, 00000002.json, ...

A file is written as a temporary file in the same folder, flushed with fsync, renamed to its final
name (atomic), and the folder is fsynced so the rename itself is on disk. A file therefore exists
whole or not at all, and once `append` returns it survives a crash of the process or of the
machine. Files are never modified or deleted. Temporary files left by a crash (`.tmp-*`) are
never read, and are removed at start (under the lock, so no writer's file is removed).

Sequence numbers are dense (1, 2, 3, ...): the next number is the last one on disk plus one, taken
under the lock, so "is there anything new?" is one `os.path.exists` of the next name.

Writers serialise with `fcntl.flock` on DATA_DIR/lock, across processes (gunicorn workers, the
`ppkg token` command). The kernel releases the lock when its holder dies, even by SIGKILL.

Entries are JSON objects; `kind` says what they do (see ppkg.submissions for "add" and
"withdraw"). This module only stores and reads them.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import random
import re
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

LOG_DIR = "log"
OWNER_FILE = "dataset.json"  # which dataset's changes the log holds
LOCK_FILE = "lock"
TEMP_PREFIX = ".tmp-"
ENTRY_FORMAT = "ppkg-log/1"

_ENTRY_NAME = re.compile(r"^(\d{8,})\.json$")


class LogError(RuntimeError):
    """A log entry cannot be read: the message names the file."""


class LockTimeout(RuntimeError):
    """The writers' lock was not obtained in time (another writer holds it)."""


def entry_name(seq: int) -> str:
    return f"{seq:08d}.json"


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomically(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write `data` to `path` as a whole or not at all, durably (temp file, fsync, rename, fsync dir)."""
    folder = path.parent
    temp = folder / f"{TEMP_PREFIX}{os.getpid()}-{random.getrandbits(48):012x}"
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, mode)
    try:
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.rename(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise
    fsync_dir(folder)


def ensure_dir(path: Path, mode: int = 0o700) -> None:
    """Create a folder (and its parents) and make its entry durable in its parent."""
    if path.is_dir():
        return
    if not path.parent.is_dir():
        ensure_dir(path.parent, mode)
    try:
        os.mkdir(path, mode)
    except FileExistsError:
        return
    fsync_dir(path.parent)


@contextmanager
def locked(data_dir: str | Path, timeout: float = 30.0) -> Iterator[None]:
    """Hold the writers' lock (DATA_DIR/lock) for the duration of the block.

    Raises LockTimeout if another process holds it for longer than `timeout` seconds.
    """
    data_dir = Path(data_dir)
    ensure_dir(data_dir)
    fd = os.open(data_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as err:
                if err.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    raise
            if time.monotonic() >= deadline:
                raise LockTimeout(f"another writer has held {data_dir / LOCK_FILE} for "
                                  f"more than {timeout:g} s")
            time.sleep(random.uniform(0.002, 0.02))
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


class ChangeLog:
    """The log folder of one data dir. Cheap to create; nothing is written until `append`."""

    def __init__(self, data_dir: str | Path):
        self.data_dir = Path(data_dir)
        self.dir = self.data_dir / LOG_DIR
        self._last_seen = 0  # a lower bound of the last sequence number on disk

    def owner(self) -> str | None:
        """Which dataset the log belongs to (None: not claimed yet)."""
        try:
            return json.loads((self.data_dir / OWNER_FILE).read_text())["dataset"]
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as err:
            raise LogError(f"{self.data_dir / OWNER_FILE} cannot be read: {err}") from None

    def claim(self, dataset: str) -> None:
        """Record that the log holds the changes of `dataset` (once; idempotent)."""
        if self.owner() is None:
            write_atomically(self.data_dir / OWNER_FILE,
                             json.dumps({"dataset": dataset}).encode() + b"\n", mode=0o644)

    def path(self, seq: int) -> Path:
        return self.dir / entry_name(seq)

    def exists(self, seq: int) -> bool:
        return os.path.exists(self.dir / entry_name(seq))

    def last_seq(self) -> int:
        """The last sequence number on disk (0: empty log). One stat when nothing changed."""
        seq = self._last_seen
        while os.path.exists(self.dir / entry_name(seq + 1)):
            seq += 1
        self._last_seen = seq
        return seq

    def last_modified(self) -> float | None:
        """The modification time of the last entry, or None when the log is empty."""
        seq = self.last_seq()
        if not seq:
            return None
        try:
            return os.stat(self.path(seq)).st_mtime
        except OSError:
            return None

    def stamp(self, seq: int) -> str:
        """Entry `seq` as a version component: its number and when it was written, so a number
        that comes round again after `ppkg log truncate` names other content."""
        try:
            return f"{seq}.{os.stat(self.path(seq)).st_mtime_ns:x}"
        except OSError:
            return str(seq)

    def read(self, seq: int) -> dict:
        path = self.path(seq)
        try:
            entry = json.loads(path.read_bytes())
        except (OSError, ValueError) as err:
            raise LogError(f"{path}: cannot be read: {err}") from None
        if not isinstance(entry, dict) or entry.get("seq") != seq:
            raise LogError(f"{path}: not a log entry with sequence number {seq}")
        return entry

    def next_entries(self, seq: int) -> Iterator[int]:
        """The sequence numbers after `seq`, in order, as long as the next one exists."""
        while self.exists(seq + 1):
            seq += 1
            yield seq
            if seq > self._last_seen:
                self._last_seen = seq

    def stranded(self) -> list[int]:
        """Entries on disk beyond the first missing number: a gap no replay may step over."""
        last = self.last_seq()
        numbers = []
        try:
            names = os.listdir(self.dir)
        except FileNotFoundError:
            return []
        for name in names:
            match = _ENTRY_NAME.match(name)
            if match and int(match.group(1)) > last + 1:
                numbers.append(int(match.group(1)))
        return sorted(numbers)

    def append(self, entry: dict) -> int:
        """Write `entry` as the next entry; the caller holds the lock (`locked`). Returns its seq.

        When this returns, the entry is on disk (file and folder fsynced).
        """
        ensure_dir(self.dir)
        seq = self.last_seq() + 1
        stranded = self.stranded()
        if stranded:
            # Writing the missing number would bring the entries after it back unreviewed, as
            # if never lost; an operator decides (`ppkg log check`, `ppkg log truncate`).
            raise LogError(f"the change log in {self.dir} is missing entry {seq} while "
                           f"{len(stranded)} later entries exist ({stranded[0]}…{stranded[-1]}); "
                           "no change is written until an operator repairs it (ppkg log check)")
        record = {"format": ENTRY_FORMAT, "seq": seq, **entry}
        data = json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
        path = self.path(seq)
        if path.exists():  # only possible if someone writes without the lock
            raise LogError(f"{path} already exists: log written without the lock?")
        write_atomically(path, data)
        self._last_seen = seq
        return seq

    def remove_stray_files(self) -> list[str]:
        """Remove temporary files a crashed writer left behind. Call with the lock held."""
        removed = []
        try:
            names = os.listdir(self.dir)
        except FileNotFoundError:
            return removed
        for name in names:
            if name.startswith(TEMP_PREFIX):
                try:
                    os.unlink(self.dir / name)
                    removed.append(name)
                except FileNotFoundError:
                    pass
        if removed:
            fsync_dir(self.dir)
        return removed
