"""The durable record in the data dir (the default): the change log, the review queue's files and
the token file, with the writers' `flock` (ppkg.store.changelog)."""

from __future__ import annotations

from pathlib import Path

from ppkg.archive.pending import FileReviewStore
from ppkg.archive.tokens import TokenStore
from ppkg.durable import DurableRecord
from ppkg.store.changelog import ChangeLog, locked


class FileRecord(DurableRecord):
    def __init__(self, data_dir: str | Path):
        self.data_dir = Path(data_dir)
        self.changes = ChangeLog(self.data_dir)
        self.reviews = FileReviewStore(self.data_dir)
        self.tokens = TokenStore(self.data_dir)

    def writing(self, timeout: float):
        return locked(self.data_dir, timeout)

    def describe(self) -> str:
        return f"data dir {self.data_dir}"
