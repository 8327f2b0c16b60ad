"""The review of one submission: what an archivist sees before deciding, and its fingerprint.

A review is the SHACL report of the submission validated against the published graph as it is
now (ppkg.archive.validation), its diff against the published graph and its conflicts with the
published sources (ppkg.archive.diff). Its **fingerprint** is a hash of the data, the shapes
version, the report's results and the conflicts: what the decision rests on. The archivist's
acceptance carries the fingerprint of the review they saw, and is refused if the review computed
under the writers' lock has another one — the published graph changed so that the review no
longer holds (a new violation, a new conflict, or one gone).

Computing a review costs what validating the upload costs (seconds for 10 k triples), so a review
is kept with the log position it was computed at and the IRIs it depends on (what the upload
describes or points to, and what their published triples point to). It stays valid as long as no
later change-log entry adds a triple about one of those IRIs and nothing is withdrawn
(`changed_since`): the same rule that lets a submission skip its second validation under the
lock.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Callable

import pyoxigraph as ox

from ppkg.archive.diff import Submitted, conflicts, diff, published_about
from ppkg.archive.uploads import Upload
from ppkg.archive.validation import Validation, backward_predicates, validate_upload
from ppkg.store.changelog import LogError

FORMAT = "ppkg-review/1"
_RESULT_KEYS = ("severity", "focusNode", "path", "value", "message", "sourceShape", "constraint")
_CONFLICT_KEYS = ("resource", "property")


@dataclass
class Review:
    report: dict  # ppkg.archive.validation.Validation.to_json()
    diff: dict
    conflicts: list[dict]
    fingerprint: str
    seq: int  # the change-log position the published state was read at (or after)
    depends_on: frozenset
    validation: Validation | None = field(default=None, repr=False)  # when computed, not cached

    @property
    def conforms(self) -> bool:
        return bool(self.report["conforms"])

    def to_json(self) -> dict:
        """What a client sees (the cached form adds the log position and dependencies)."""
        return {"fingerprint": self.fingerprint, "report": self.report, "diff": self.diff,
                "conflicts": self.conflicts}

    def to_cache(self) -> dict:
        return {"format": FORMAT, "seq": self.seq, "dependsOn": sorted(self.depends_on),
                **self.to_json()}

    @classmethod
    def from_cache(cls, raw: dict) -> "Review | None":
        if not isinstance(raw, dict) or raw.get("format") != FORMAT:
            return None
        try:
            return cls(report=raw["report"], diff=raw["diff"], conflicts=raw["conflicts"],
                       fingerprint=raw["fingerprint"], seq=int(raw["seq"]),
                       depends_on=frozenset(raw["dependsOn"]))
        except (KeyError, TypeError, ValueError):
            return None


def compute_review(upload: Upload, data_sha256: str, query, seen: Callable[[], int]) -> Review:
    """Validate, diff and compare the upload with the published graph as the query service sees
    it; `seen()` is the last change its next query sees (ppkg.store.StoreDataset.seq)."""
    seq = seen()  # read first: the queries below see this entry or later ones
    validation = validate_upload(upload, query)
    submitted = Submitted(upload.quads)
    subjects = [s.value for s in submitted.roots() if isinstance(s, ox.NamedNode)]
    published = published_about(query, subjects, submitted.iris_to_label())
    found = conflicts(submitted, published)
    report = validation.to_json()
    return Review(report=report, diff=diff(submitted, published), conflicts=found,
                  fingerprint=fingerprint(data_sha256, report, found), seq=seq,
                  depends_on=frozenset(validation.depends_on | published.depends_on),
                  validation=validation)


def fingerprint(data_sha256: str, report: dict, found: list[dict]) -> str:
    """sha256 of what a decision rests on: the data, the shapes, the results, the conflicts."""
    results = sorted(json.dumps([r.get(k) for k in _RESULT_KEYS], sort_keys=True)
                     for r in report["results"])
    disagreements = sorted(json.dumps([c[k] for k in _CONFLICT_KEYS]
                                      + [c["submitted"]["value"], c["published"]["value"],
                                         c["published"]["source"]["graph"]], sort_keys=True)
                           for c in found)
    canonical = json.dumps({"data": data_sha256, "shapes": report["shapesVersion"],
                            "results": results, "conflicts": disagreements}, sort_keys=True)
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


def changed_since(log, seen: int, depends_on: frozenset) -> bool:
    """Could the change-log entries written after `seen` change an outcome that depends on the
    published description of `depends_on`? Only if one adds a triple about one of them (or, for
    a predicate the shapes reach backwards, pointing to one) or removes anything (a withdrawal);
    when unsure, yes."""
    last = log.last_seq()
    if last == seen:
        return False
    if last - seen > 100:
        return True
    backward = backward_predicates()
    for seq in range(seen + 1, last + 1):
        try:
            entry = log.read(seq)
        except LogError:  # compacted away, or damaged: it may have changed anything
            return True
        if entry.get("kind") != "add":
            return True
        try:
            for quad in ox.parse(entry.get("data", "").encode(), format=ox.RdfFormat.N_QUADS):
                if isinstance(quad.subject, ox.NamedNode) and quad.subject.value in depends_on:
                    return True
                if (quad.predicate.value in backward and isinstance(quad.object, ox.NamedNode)
                        and quad.object.value in depends_on):
                    return True
        except SyntaxError:
            return True
    return False
