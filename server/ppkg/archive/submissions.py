"""Archivists' submissions: accepting (atomic, durable, serialised), withdrawing, and reading them.

An accepted submission is a named graph of its own, <https://w3id.org/ppkg/id/submission/ID>,
with its provenance in the separate graph <https://w3id.org/ppkg/graph/provenance>
(ppkg.archive.provenance).

Writing (`Archive.submit`, `Archive.withdraw`) is serialised across processes by the writers'
lock (ppkg.changelog.locked). An upload is first validated without the lock; under the lock, if
the change log has moved since and a new entry touches what that validation depended on (adds a
triple about a resource it described or read, or withdraws anything), it is validated again
against the current state, so two submissions that only violate the shapes together cannot both
pass; then the change is appended to the log (durable before this returns) and the lock
released. Every query process replays the
entry before its next query (ppkg.store.Dataset.catch_up). Reads go through the QueryService.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pyoxigraph as ox

from ppkg.archive.provenance import (graph_iri, provenance_of_add,
                                     provenance_of_withdrawal)
from ppkg.archive.tokens import Token, TokenStore
from ppkg.archive.uploads import Upload
from ppkg.archive.validation import Validation, backward_predicates, validate_upload
from ppkg.store.changelog import ChangeLog, locked
from ppkg.vocab import PROVENANCE_GRAPH, SUBMISSION_GRAPH_BASE, XSD, sparql_prologue

ID_PATTERN = re.compile(r"^[0-9]{8}-[0-9]{6}-[0-9a-f]{6}$")
LOCK_TIMEOUT = 20.0  # seconds a writer waits for another (then 503)
MAX_SUMMARY = 2000

PREFIXES = sparql_prologue("rdfs", "prov", "dcterms", "void", "sh")


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


@dataclass
class Record:
    """What the provenance graph says about one submission."""

    id: str
    graph: str
    summary: str
    agent: str  # the token name it is attributed to
    generated: str  # xsd:dateTime lexical form
    triples: int
    shapes_version: str = ""
    withdrawn: str | None = None
    withdrawn_by: str | None = None
    warnings: list[dict] = field(default_factory=list)

    @property
    def status(self) -> str:
        return "withdrawn" if self.withdrawn else "published"

    def to_json(self, url: str | None = None) -> dict:
        out = {
            "id": self.id,
            "url": url,
            "graph": self.graph,
            "status": self.status,
            "summary": self.summary,
            "attributedTo": self.agent,
            "generatedAt": self.generated,
            "triples": self.triples,
            "shapesVersion": self.shapes_version or None,
        }
        if self.withdrawn:
            out["withdrawnAt"] = self.withdrawn
            out["withdrawnBy"] = self.withdrawn_by
        if self.warnings:
            out["warnings"] = self.warnings
        return out


@dataclass
class Accepted:
    id: str
    graph: str
    seq: int
    generated: str
    agent: str
    summary: str
    validation: Validation


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


# --------------------------------------------------------------------------------------------
# The archive
# --------------------------------------------------------------------------------------------

class Archive:
    """Submissions over one data dir and one QueryService (see the module docstring)."""

    def __init__(self, data_dir: str | Path, query, lock_timeout: float = LOCK_TIMEOUT):
        self.data_dir = Path(data_dir)
        self.log = ChangeLog(self.data_dir)
        self.tokens = TokenStore(self.data_dir)
        self.query = query
        self.lock_timeout = lock_timeout

    # -- writing ----------------------------------------------------------------------------

    def submit(self, upload: Upload, token: Token, summary: str) -> Accepted:
        """Validate and, if there is no violation, store durably; raises Rejected (422)."""
        summary = check_summary(summary)
        seen = self.log.last_seq()
        validation = validate_upload(upload, self.query)
        if not validation.conforms:
            raise Rejected(validation)
        with locked(self.data_dir, self.lock_timeout):
            if self._changed_since(seen, validation):  # validate against the current state
                validation = validate_upload(upload, self.query)
                if not validation.conforms:
                    raise Rejected(validation)
            submission_id = new_id()
            graph = graph_iri(submission_id)
            generated = _now()
            entry = {
                "kind": "add",
                "submission": submission_id,
                "graph": graph,
                "time": generated,
                "agent": token.name,
                "summary": summary,
                "triples": upload.triples,
                "shapes": validation.shapes_version,
                "data": upload.nquads_in(graph),
                "provenance": provenance_of_add(submission_id, token, summary, generated,
                                                validation),
            }
            seq = self.log.append(entry)
        return Accepted(id=submission_id, graph=graph, seq=seq, generated=generated,
                        agent=token.name, summary=summary, validation=validation)

    def _changed_since(self, seen: int, validation: Validation) -> bool:
        """Could the entries written after `seen` change this validation's outcome?

        Only if one of them adds a triple about a resource the validation depended on (its
        `depends_on`), or removes anything (a withdrawal); when unsure, yes. Called under the
        lock, so no entry can be added meanwhile.
        """
        last = self.log.last_seq()
        if last == seen:
            return False
        if last - seen > 100:
            return True
        depends_on = validation.depends_on
        backward = backward_predicates()  # their objects become focus nodes: count them too
        for seq in range(seen + 1, last + 1):
            entry = self.log.read(seq)
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

    def withdraw(self, submission_id: str, token: Token, reason: str | None = None) -> Record:
        """Withdraw a submission (its own token or an admin token); returns the updated record."""
        if reason is not None:
            reason = reason.strip()[:MAX_SUMMARY] or None
        with locked(self.data_dir, self.lock_timeout):
            record = self.get(submission_id)
            if record is None:
                raise SubmissionError(f"No submission {submission_id}", 404)
            if record.withdrawn:
                raise SubmissionError(f"Submission {submission_id} was withdrawn on "
                                      f"{record.withdrawn}", 410)
            if record.agent != token.name and not token.admin:
                raise SubmissionError(f"Submission {submission_id} belongs to {record.agent!r}: "
                                      "only its own token or an admin token can withdraw it", 403)
            when = _now()
            self.log.append({
                "kind": "withdraw",
                "submission": submission_id,
                "graph": record.graph,
                "time": when,
                "agent": token.name,
                "reason": reason,
                "provenance": provenance_of_withdrawal(submission_id, token, when, reason),
            })
        record.withdrawn, record.withdrawn_by = when, token.name
        return record

    # -- reading (through the QueryService: the query process catches up first) --------------

    def get(self, submission_id: str, warnings: bool = False) -> Record | None:
        if not ID_PATTERN.match(submission_id or ""):
            return None
        records = self._records(f"VALUES ?g {{ <{graph_iri(submission_id)}> }}", limit=1)
        if not records:
            return None
        record = records[0]
        if warnings:
            record.warnings = self._warnings(record.graph)
        return record

    def records(self, limit: int = 100, offset: int = 0) -> list[Record]:
        return self._records("", limit=limit, offset=offset)

    def data(self, submission_id: str) -> list:
        """The triples of a published submission (pyoxigraph Triples)."""
        g = graph_iri(submission_id)
        return list(self.query.construct(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{g}> {{ ?s ?p ?o }} }}",
                                         limit=10_000_000))

    def provenance(self, submission_id: str) -> list:
        """The provenance records about a submission (pyoxigraph Triples)."""
        g = graph_iri(submission_id)
        query = (f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{PROVENANCE_GRAPH}> {{ ?s ?p ?o "
                 f"FILTER(?s = <{g}> || STRSTARTS(STR(?s), \"{g}#\")) }} }}")
        return list(self.query.construct(query, limit=1_000_000))

    def _records(self, values: str, limit: int, offset: int = 0) -> list[Record]:
        query = PREFIXES + f"""
SELECT ?g ?summary ?name ?time ?triples ?shapes ?withdrawn ?withdrawnBy WHERE {{
  GRAPH <{PROVENANCE_GRAPH}> {{
    {values}
    ?g prov:generatedAtTime ?time ; prov:wasAttributedTo ?agent .
    FILTER(STRSTARTS(STR(?g), "{SUBMISSION_GRAPH_BASE}"))
    ?agent rdfs:label ?name .
    OPTIONAL {{ ?g dcterms:description ?summary }}
    OPTIONAL {{ ?g void:triples ?triples }}
    OPTIONAL {{ ?g prov:wasGeneratedBy/prov:used/dcterms:identifier ?shapes }}
    OPTIONAL {{ ?g prov:invalidatedAtTime ?withdrawn
               OPTIONAL {{ ?g prov:wasInvalidatedBy/prov:wasAssociatedWith/rdfs:label ?withdrawnBy }} }}
  }}
}} ORDER BY DESC(?time) DESC(?g) LIMIT {int(limit)} OFFSET {int(offset)}"""
        rows = self.query.select(query, limit=limit).dicts()
        records = []
        for row in rows:
            g = row["g"].value
            records.append(Record(
                id=g[len(SUBMISSION_GRAPH_BASE):],
                graph=g,
                summary=row["summary"].value if "summary" in row else "",
                agent=row["name"].value,
                generated=row["time"].value,
                triples=int(row["triples"].value) if "triples" in row else 0,
                shapes_version=row["shapes"].value if "shapes" in row else "",
                withdrawn=row["withdrawn"].value if "withdrawn" in row else None,
                withdrawn_by=row["withdrawnBy"].value if "withdrawnBy" in row else None,
            ))
        return records

    def _warnings(self, graph: str) -> list[dict]:
        query = PREFIXES + f"""
SELECT ?r ?severity ?focus ?path ?value ?message ?shape WHERE {{
  GRAPH <{PROVENANCE_GRAPH}> {{
    <{graph}#report> sh:result ?r .
    ?r sh:resultSeverity ?severity ; sh:focusNode ?focus ; sh:resultMessage ?message .
    OPTIONAL {{ ?r sh:resultPath ?path }}
    OPTIONAL {{ ?r sh:value ?value }}
    OPTIONAL {{ ?r sh:sourceShape ?shape }}
  }}
}} ORDER BY ?r"""
        out = []
        for row in self.query.select(query, limit=10_000).dicts():
            out.append({
                "severity": row["severity"].value.rsplit("#", 1)[-1],
                "focusNode": _json_id(row["focus"]),
                "path": row["path"].value if "path" in row else None,
                "value": _json_value(row.get("value")),
                "message": row["message"].value,
                "nodeShape": row["shape"].value if "shape" in row else None,
            })
        return out


def check_summary(summary: str | None) -> str:
    summary = (summary or "").strip()
    if not summary:
        raise SubmissionError("A summary is required: say what the submission adds (the "
                              "`summary` query parameter or form field)", 400)
    if len(summary) > MAX_SUMMARY:
        raise SubmissionError(f"The summary is longer than {MAX_SUMMARY} characters", 400)
    return summary


def _json_id(term) -> str:
    return f"_:{term.value}" if isinstance(term, ox.BlankNode) else term.value


def _json_value(term):
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value != XSD + "string":
        out["datatype"] = term.datatype.value
    return out
