"""What a replica's follower last learnt from the record, kept in DATA_DIR/replica/status.json for
the workers' /health: the record's last version, when it was committed, when the follower last
reached the database, and why not, when it could not."""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from ppkg.store.changelog import ensure_dir, write_atomically

REPLICA_DIR = "replica"  # in the data dir: the feed (log/), this status, the replica's lock
STATUS_FILE = "status.json"
POLL = 0.5  # seconds between the follower's looks at the record when nothing is notified
# The follower is out of touch when it has not reached the record for this long (a poll, a
# connection attempt and a margin).
OUT_OF_TOUCH = 3 * POLL + 5.0


@dataclass
class Status:
    head: int = 0  # the record's last version
    head_committed: float = 0.0  # when it was committed (POSIX time)
    contact: float = 0.0  # when the follower last read the record
    error: str | None = None  # why it could not, since then

    def lag(self, applied: int, now: float | None = None) -> tuple[int, float]:
        """(changes this replica has not applied, seconds it has trailed the record by): 0, 0.0
        when it has applied the head."""
        now = time.time() if now is None else now
        behind = max(0, self.head - applied)
        return behind, (max(0.0, now - self.head_committed) if behind else 0.0)

    def in_touch(self, now: float | None = None) -> bool:
        return ((time.time() if now is None else now) - self.contact) <= OUT_OF_TOUCH


def status_path(replica_dir: Path) -> Path:
    return Path(replica_dir) / STATUS_FILE


def write_status(replica_dir: Path, status: Status) -> None:
    ensure_dir(Path(replica_dir))
    write_atomically(status_path(replica_dir), json.dumps(asdict(status)).encode(),
                     durable=False)


def read_status(replica_dir: Path) -> Status | None:
    try:
        return Status(**json.loads(status_path(replica_dir).read_bytes()))
    except (OSError, ValueError, TypeError):
        return None
