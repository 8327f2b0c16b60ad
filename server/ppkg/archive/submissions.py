"""Submissions and their review: receiving, queueing, accepting, rejecting and withdrawing.

What a contributor submits is validated (SHACL, with the published context) and, if it has no
violation, queued for review (ppkg.archive.pending); nothing of it is published. An archivist
reviews it (ppkg.archive.review: the report, the diff against the published graph, the conflicts
with published sources) and accepts or rejects it with a note. What an archivist submits is
published at once, recorded as self-reviewed (or queued, if they ask for a colleague's review).

Publishing — an acceptance or a self-reviewed submission — appends an "add" entry to the change
log (ppkg.store.changelog) holding exactly the reviewed triples, in the submission's own graph
<https://w3id.org/ppkg/id/submission/ID>, and its PROV-O record (ppkg.archive.provenance); every
query process replays it before its next query. Writers are serialised by the writers' lock.
Under it, an acceptance checks that the submission is still undecided (else 409: two archivists
deciding at once, one wins), checks that the review it rests on still holds — if a change-log
entry written since touches what the review depended on, the review is computed again and must
have the fingerprint the archivist saw (else 409 with the new review) — then appends the entry
and, after it, writes the decision.

A crash between the two leaves the log's last entry without its decision file; the entry carries
the decision, so the server at start and every writer write the missing file first (`recover`,
`_repair`, under the lock) and every reader takes the decision from that entry meanwhile
(`decision`). The entry is appended
last by each writer, so no other entry can lack its decision. Nothing is ever half-applied: the
entry exists whole or not at all, and a decision file only follows its entry.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from ppkg.archive.pending import Decision, FileReviewStore, Pending, ReviewStore, pending_from
from ppkg.archive.provenance import (
    Acceptance,
    graph_iri,
    provenance_of_acceptance,
    provenance_of_withdrawal,
)
from ppkg.archive.records import ID_PATTERN, Record, Records
from ppkg.archive.review import Review, changed_since, compute_review
from ppkg.archive.tokens import Token, TokenStore
from ppkg.archive.uploads import Upload
from ppkg.archive.validation import Validation, shapes_version
from ppkg.store.changelog import ChangeLog, LockTimeout, LogError, locked

LOCK_TIMEOUT = 20.0  # seconds a writer waits for another (then 503)
MAX_TEXT = 2000  # characters of a summary or a note


class SubmissionError(Exception):
    """A request the archive refuses; `status` is the HTTP status that says why."""

    def __init__(self, message: str, status: int = 400, **details):
        super().__init__(message)
        self.message = message
        self.status = status
        self.details = details


class Rejected(SubmissionError):
    """The upload violates the shapes (422); `validation` holds the report."""

    def __init__(self, validation: Validation):
        super().__init__("The submission violates the shapes; nothing was stored", 422)
        self.validation = validation


class ReviewRefused(SubmissionError):
    """An acceptance the current review does not allow: 409 when the review the archivist saw no
    longer holds, 422 when the submission now has violations; `review` is the current one."""

    def __init__(self, message: str, status: int, reason: str, review: Review):
        super().__init__(message, status, reason=reason)
        self.review = review


@dataclass
class Published:
    """A submission accepted and published (its change-log entry is on disk)."""

    id: str
    graph: str
    seq: int
    submitter: str
    submitted: str
    summary: str
    reviewer: str
    accepted: str
    note: str | None
    review: Review


@dataclass
class Queued:
    """A submission waiting for review (stored durably, published nowhere)."""

    pending: Pending
    review: Review


def new_id(now: datetime | None = None) -> str:
    """Time-ordered and unguessable enough: 20261122-193012-a1b2c3."""
    now = now or datetime.now(timezone.utc)
    return f"{now:%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"


def _now() -> str:
    """UTC now as a canonical xsd:dateTime (ms, no trailing zeros: stores canonicalise it, and
    "…37.220Z" read back as "…37.22Z" no longer matched the generatedAt of the answer)."""
    text = datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text + "Z"


def check_text(text: str | None, what: str, required: bool = True) -> str | None:
    """A summary or a note: stripped, at most MAX_TEXT characters, present when required."""
    text = (text or "").strip()
    if not text:
        if required:
            raise SubmissionError(f"A {what} is required (the `{what}` parameter or field)", 400)
        return None
    if len(text) > MAX_TEXT:
        raise SubmissionError(f"The {what} is longer than {MAX_TEXT} characters", 400)
    return text


def require(token: Token, role: str, what: str) -> None:
    if not token.may(role):
        raise SubmissionError(f"{what} is for {role}s; the token of {token.name!r} is a "
                              f"{token.role}'s", 403)


class Archive:
    """Submissions over one data dir and one QueryService (see the module docstring)."""

    def __init__(self, data_dir: str | Path, query, lock_timeout: float = LOCK_TIMEOUT,
                 reviews: ReviewStore | None = None):
        self.data_dir = Path(data_dir)
        self.log = ChangeLog(self.data_dir)
        self.tokens = TokenStore(self.data_dir)
        self.reviews = reviews or FileReviewStore(self.data_dir)
        self.records = Records(query)
        self.query = query
        self.lock_timeout = lock_timeout
        self._last_checked = (0, None)  # (seq, the decision that entry carries, if any)

    def recover(self) -> None:
        """At start: remove the temporary files killed writers left, and write the decision file
        a crash may have left unwritten (if another writer holds the lock, it does that first)."""
        self.reviews.remove_stray_files()
        if self.log.dir.is_dir():
            try:
                with locked(self.data_dir, timeout=5):
                    self._repair()
            except LockTimeout:
                pass

    # -- submitting -------------------------------------------------------------------------

    def submit(self, upload: Upload, token: Token, summary: str | None, *, queue: bool = False,
               note: str | None = None) -> Published | Queued:
        """Validate; refuse violations (Rejected, 422); queue a contributor's submission (or an
        archivist's, with `queue`), publish an archivist's at once as self-reviewed."""
        summary = check_text(summary, "summary")
        note = check_text(note, "note", required=False)
        pending = pending_from(upload, new_id(), token.name, _now(), summary)
        review = compute_review(upload, pending.sha256, self.query, self.log)
        if not review.conforms:
            raise Rejected(review.validation)
        if token.may("archivist") and not queue:
            return self._publish(pending, review, token.name, note, queued=False)
        self.reviews.add(pending)
        self.reviews.cache_review(pending.id, review.to_cache())
        return Queued(pending, review)

    # -- reviewing --------------------------------------------------------------------------

    def pending(self, submission_id: str, token: Token, data: bool = True) -> Pending:
        """A submission sent for review: archivists see any, a contributor their own (else 404)."""
        found = (self.reviews.get(submission_id, data) if ID_PATTERN.match(submission_id or "")
                 else None)
        if found is None or not (token.may("archivist") or found.submitter == token.name):
            raise SubmissionError(f"No submission {submission_id} in the review queue", 404)
        return found

    def queue(self, status: str = "pending") -> list[tuple[Pending, Decision | None]]:
        """The submissions sent for review, newest first, with their decisions (`status`:
        pending, accepted, rejected or all)."""
        out = []
        for submission_id in self.reviews.ids():
            decision = self.decision(submission_id)
            state = decision.decision if decision else "pending"
            if status in ("all", state):
                found = self.reviews.get(submission_id, data=False)
                if found is not None:
                    out.append((found, decision))
        return out

    def decision(self, submission_id: str) -> Decision | None:
        found = self.reviews.decision(submission_id)
        if found is None:
            orphan = self._last_entry_decision()
            if orphan is not None and orphan.id == submission_id:
                return orphan
        return found

    def review(self, pending: Pending) -> Review:
        """The review as of now: the cached one while it still holds, else computed again."""
        cached = Review.from_cache(self.reviews.cached_review(pending.id))
        if cached is not None and cached.report.get("shapesVersion") == shapes_version():
            last = self.log.last_seq()
            if not changed_since(self.log, cached.seq, cached.depends_on):
                if last > cached.seq:  # still valid there: the entries since need no new look
                    cached.seq = last
                    self.reviews.cache_review(pending.id, cached.to_cache())
                return cached
        review = compute_review(pending.upload(), pending.sha256, self.query, self.log)
        self.reviews.cache_review(pending.id, review.to_cache())
        return review

    def accept(self, submission_id: str, token: Token, fingerprint: str | None,
               note: str | None) -> Published:
        require(token, "archivist", "Accepting a submission")
        note = check_text(note, "note", required=False)
        if not fingerprint:
            raise SubmissionError("The `fingerprint` of the review you accept is required (it "
                                  "is in the review: GET /review/ID)", 400)
        pending = self.pending(submission_id, token)
        self._refuse_decided(submission_id)
        review = self.review(pending)  # outside the lock: usually cached, else slow
        self._refuse_unless_holds(review, fingerprint)
        return self._publish(pending, review, token.name, note, queued=True, expected=fingerprint)

    def reject(self, submission_id: str, token: Token, note: str | None) -> Decision:
        require(token, "archivist", "Rejecting a submission")
        note = check_text(note, "note")
        self.pending(submission_id, token, data=False)
        with locked(self.data_dir, self.lock_timeout):
            self._before_writing()
            self._refuse_decided(submission_id)
            decision = Decision(id=submission_id, decision="rejected", reviewer=token.name,
                                time=_now(), note=note)
            self.reviews.decide(decision)
        return decision

    def _refuse_decided(self, submission_id: str) -> None:
        decided = self.decision(submission_id)
        if decided is not None:
            raise SubmissionError(f"Submission {submission_id} was {decided.decision} by "
                                  f"{decided.reviewer} at {decided.time}", 409, reason="decided",
                                  decision=decided.public())

    @staticmethod
    def _refuse_unless_holds(review: Review, fingerprint: str | None) -> None:
        if not review.conforms:
            raise ReviewRefused("The submission now violates the shapes against the published "
                                "graph: it cannot be accepted", 422, "violations", review)
        if fingerprint is not None and review.fingerprint != fingerprint:
            raise ReviewRefused("The published graph changed since this review: its report or "
                                "conflicts are not what you reviewed. Review it again.", 409,
                                "stale", review)

    # -- publishing (under the lock) ---------------------------------------------------------

    def _publish(self, pending: Pending, review: Review, reviewer: str, note: str | None, *,
                 queued: bool, expected: str | None = None) -> Published:
        upload = pending.upload()  # exactly the triples received, and reviewed
        with locked(self.data_dir, self.lock_timeout):
            self._before_writing()
            if queued:
                self._refuse_decided(pending.id)
            if changed_since(self.log, review.seq, review.depends_on):  # the state it read moved
                review = compute_review(upload, pending.sha256, self.query, self.log)
                if queued:
                    self.reviews.cache_review(pending.id, review.to_cache())
                    self._refuse_unless_holds(review, expected)
                elif not review.conforms:
                    raise Rejected(review.validation)
            accepted = _now()
            graph = graph_iri(pending.id)
            entry = {
                "kind": "add",
                "submission": pending.id,
                "graph": graph,
                "time": accepted,
                "agent": pending.submitter,
                "summary": pending.summary,
                "triples": pending.triples,
                "shapes": review.report["shapesVersion"],
                "data": upload.nquads_in(graph),
                "provenance": provenance_of_acceptance(Acceptance(
                    submission_id=pending.id, submitter=pending.submitter,
                    submitted=pending.submitted, summary=pending.summary, reviewer=reviewer,
                    accepted=accepted, note=note, report=review.report)),
                "review": {"queued": queued, "reviewer": reviewer, "time": accepted,
                           "note": note, "fingerprint": review.fingerprint},
            }
            seq = self.log.append(entry)
            if queued:
                self.reviews.decide(_decision_of(entry, seq))
        return Published(id=pending.id, graph=graph, seq=seq, submitter=pending.submitter,
                         submitted=pending.submitted, summary=pending.summary, reviewer=reviewer,
                         accepted=accepted, note=note, review=review)

    def _last_entry_decision(self) -> Decision | None:
        """The decision the log's last entry carries, if it is a queued submission's acceptance
        (the only entry whose decision file a crash can have left unwritten); None when that
        entry cannot be read (the store reports it, and no writer goes on: `_before_writing`)."""
        last = self.log.last_seq()
        if self._last_checked[0] != last:
            try:
                entry = self.log.read(last) if last else {}
            except LogError:
                return None
            review = entry.get("review") or {}
            self._last_checked = (last, _decision_of(entry, last) if review.get("queued") else None)
        return self._last_checked[1]

    def _before_writing(self) -> None:
        """Under the lock, before a decision or an entry: every entry on disk is served here
        (else LogError: nothing is written behind damage), and no decision is left unwritten."""
        self.query.dataset.require_whole()
        self._repair()

    def _repair(self) -> None:
        """Write the decision file a crash left unwritten (the caller holds the lock)."""
        orphan = self._last_entry_decision()
        if orphan is not None and self.reviews.decision(orphan.id) is None:
            self.reviews.decide(orphan)

    # -- withdrawing ------------------------------------------------------------------------

    def withdraw(self, submission_id: str, token: Token, note: str | None) -> Record:
        """Withdraw a published submission: an archivist's decision, with a note."""
        require(token, "archivist", "Withdrawing a published submission")
        note = check_text(note, "note")
        with locked(self.data_dir, self.lock_timeout):
            self._before_writing()
            record = self.records.get(submission_id)
            if record is None:
                raise SubmissionError(f"No published submission {submission_id}", 404)
            if record.withdrawn:
                raise SubmissionError(f"Submission {submission_id} was withdrawn on "
                                      f"{record.withdrawn}", 410)
            when = _now()
            self.log.append({
                "kind": "withdraw",
                "submission": submission_id,
                "graph": record.graph,
                "time": when,
                "agent": token.name,
                "reason": note,
                "provenance": provenance_of_withdrawal(submission_id, token.name, when, note),
            })
        record.withdrawn, record.withdrawn_by, record.withdrawal_note = when, token.name, note
        return record


def _decision_of(entry: dict, seq: int) -> Decision:
    review = entry["review"]
    return Decision(id=entry["submission"], decision="accepted", reviewer=review["reviewer"],
                    time=review["time"], note=review.get("note"),
                    fingerprint=review.get("fingerprint"), seq=seq)

