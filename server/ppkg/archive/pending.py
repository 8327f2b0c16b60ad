"""The review queue's durable record: submissions waiting for review, and the decisions on them.

Behind a small interface, ReviewStore, so that a database can hold them instead of files.
FileReviewStore, the default, keeps them in the data dir:

    DATA_DIR/pending/<id>.nt      the submission's triples, as received (N-Triples)
    DATA_DIR/pending/<id>.json    who sent it, when, its summary: the submission exists once this
                                  is written (after the triples), and is never modified
    DATA_DIR/decisions/<id>.json  the decision: accepted or rejected, by whom, when, the note
    DATA_DIR/reviews/<id>.json    the last review computed (a cache: losing it costs a recomputation)

Every file is written whole or not at all, durably (temp file, fsync, rename, fsync of the
folder: ppkg.store.changelog.write_atomically). A decision is written once, by a writer holding
the writers' lock (ppkg.store.changelog.locked), which checks that none exists first. Temporary
files a killed writer left behind are never read; `remove_stray_files` removes those whose
process is gone (not all writers here hold the lock, so a live one's file must be left alone).

An accepted submission is published by appending an "add" entry to the change log
(ppkg.archive.submissions), before its decision file is written: the log entry is what publishes,
and it carries the decision, so a crash between the two leaves a decision file to be written from
the log (`Archive` repairs that under the lock), never a decision without its data.
"""

from __future__ import annotations

import hashlib
import json
import os
from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass
from pathlib import Path

import pyoxigraph as ox

from ppkg.archive.uploads import Upload
from ppkg.formats import rdf_format
from ppkg.store.changelog import TEMP_PREFIX, ensure_dir, write_atomically

DECISIONS = ("accepted", "rejected")


class AlreadyDecided(RuntimeError):
    """A decision exists for this submission already."""


@dataclass
class Pending:
    """A submission as it was received (its data stays exactly this)."""

    id: str
    submitter: str  # the token's name
    submitted: str  # xsd:dateTime
    summary: str
    triples: int
    sha256: str  # of `data`
    data: str = ""  # N-Triples; blank node labels as parsed on receipt (unique, kept as they are)

    def meta(self) -> dict:
        out = asdict(self)
        del out["data"]
        return out

    def upload(self) -> Upload:
        """The triples as an Upload (parsed without renaming blank nodes: the review's report
        and fingerprint name them, and must name them the same way every time)."""
        quads = list(ox.parse(self.data.encode(), format=ox.RdfFormat.N_TRIPLES))
        return Upload(quads=quads, format=rdf_format("ntriples"), name=f"submission {self.id}")


def pending_from(upload: Upload, submission_id: str, submitter: str, submitted: str,
                 summary: str) -> Pending:
    data = ox.serialize((q.triple for q in upload.quads), format=ox.RdfFormat.N_TRIPLES).decode()
    return Pending(id=submission_id, submitter=submitter, submitted=submitted, summary=summary,
                   triples=upload.triples, sha256=hashlib.sha256(data.encode()).hexdigest(),
                   data=data)


@dataclass
class Decision:
    id: str
    decision: str  # "accepted" or "rejected"
    reviewer: str  # the token's name
    time: str  # xsd:dateTime
    note: str | None = None
    fingerprint: str | None = None  # of the review the reviewer saw
    seq: int | None = None  # the change-log entry that published an accepted submission

    def to_json(self) -> dict:
        """As stored."""
        return asdict(self)

    def public(self) -> dict:
        """As the API shows it."""
        return {"decision": self.decision, "reviewedBy": self.reviewer, "reviewedAt": self.time,
                "note": self.note, "fingerprint": self.fingerprint}


class ReviewStore(ABC):
    """Pending submissions, decisions and cached reviews (see the module docstring)."""

    @abstractmethod
    def add(self, pending: Pending) -> None:
        """Store a new submission durably."""

    @abstractmethod
    def get(self, submission_id: str, data: bool = True) -> Pending | None: ...

    @abstractmethod
    def ids(self) -> list[str]:
        """Every submission received for review, newest first."""

    @abstractmethod
    def decision(self, submission_id: str) -> Decision | None: ...

    @abstractmethod
    def decide(self, decision: Decision) -> None:
        """Record a decision durably; AlreadyDecided if there is one. The caller holds the lock."""

    @abstractmethod
    def cached_review(self, submission_id: str) -> dict | None: ...

    @abstractmethod
    def cache_review(self, submission_id: str, review: dict) -> None: ...

    def remove_stray_files(self) -> list[str]:
        """Remove what crashed writers left behind (nothing, for a store that leaves nothing)."""
        return []


class FileReviewStore(ReviewStore):
    def __init__(self, data_dir: str | Path):
        self.data_dir = Path(data_dir)
        self.pending_dir = self.data_dir / "pending"
        self.decisions_dir = self.data_dir / "decisions"
        self.reviews_dir = self.data_dir / "reviews"

    def add(self, pending: Pending) -> None:
        ensure_dir(self.pending_dir)
        write_atomically(self.pending_dir / f"{pending.id}.nt", pending.data.encode())
        write_atomically(self.pending_dir / f"{pending.id}.json", _dump(pending.meta()))

    def get(self, submission_id: str, data: bool = True) -> Pending | None:
        meta = _load(self.pending_dir / f"{submission_id}.json")
        if meta is None:
            return None
        pending = Pending(**meta)
        if data:
            pending.data = (self.pending_dir / f"{submission_id}.nt").read_text()
        return pending

    def ids(self) -> list[str]:
        try:
            names = os.listdir(self.pending_dir)
        except FileNotFoundError:
            return []
        return sorted((n[:-5] for n in names if n.endswith(".json") and not n.startswith(TEMP_PREFIX)),
                      reverse=True)

    def decision(self, submission_id: str) -> Decision | None:
        raw = _load(self.decisions_dir / f"{submission_id}.json")
        return Decision(**raw) if raw is not None else None

    def decide(self, decision: Decision) -> None:
        if decision.decision not in DECISIONS:
            raise ValueError(f"unknown decision {decision.decision!r}")
        path = self.decisions_dir / f"{decision.id}.json"
        if path.exists():
            raise AlreadyDecided(decision.id)
        ensure_dir(self.decisions_dir)
        write_atomically(path, _dump(decision.to_json()))

    def cached_review(self, submission_id: str) -> dict | None:
        return _load(self.reviews_dir / f"{submission_id}.json")

    def cache_review(self, submission_id: str, review: dict) -> None:
        ensure_dir(self.reviews_dir)
        write_atomically(self.reviews_dir / f"{submission_id}.json", _dump(review))

    def remove_stray_files(self) -> list[str]:
        removed = []
        for folder in (self.pending_dir, self.decisions_dir, self.reviews_dir):
            try:
                names = os.listdir(folder)
            except FileNotFoundError:
                continue
            for name in names:
                if name.startswith(TEMP_PREFIX) and not _alive(name[len(TEMP_PREFIX):].split("-")[0]):
                    try:
                        os.unlink(folder / name)
                        removed.append(name)
                    except FileNotFoundError:
                        pass
        return removed


def _alive(pid: str) -> bool:
    """Is the process that named a temporary file (`.tmp-<pid>-…`) still running? (A killed one
    not reaped yet is a zombie: it writes nothing more.)"""
    try:
        os.kill(int(pid), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:  # someone else's process
        return True
    try:
        state = Path(f"/proc/{int(pid)}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state not in ("Z", "X")


def _dump(value: dict) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


def _load(path: Path) -> dict | None:
    try:
        return json.loads(path.read_bytes())
    except FileNotFoundError:
        return None
