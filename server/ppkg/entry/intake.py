"""Records entered in a spreadsheet, checked or sent to review through the same path as files.

    checked = check_sheet(kind, data, fmt, name, query)          # nothing is stored
    outcome = submit_sheet(archive, kind, data, fmt, name, token, summary, queue=…)

A spreadsheet is read (ppkg.entry.sheets), converted (ppkg.entry.rows), completed
(ppkg.entry.complete) and made an Upload with the checks every upload passes; then it is
validated with the published context it references (ppkg.archive.validation), or submitted
(ppkg.archive.submissions: validated again, queued for review or published, all or nothing).
Either way the report comes back mapped to rows and columns (ppkg.entry.cells). A name that
matches no resource is refused with the report, like a violation: nothing is stored unless every
row conforms.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from ppkg.archive.submissions import Archive, Published, Queued, Rejected
from ppkg.archive.tokens import Token
from ppkg.archive.uploads import Upload, checked_upload, parse_upload
from ppkg.archive.validation import Validation, validate_upload
from ppkg.entry.cells import cell_errors, violations
from ppkg.entry.complete import complete, label_finder, mint
from ppkg.entry.forms import FORM
from ppkg.entry.kinds import Kind
from ppkg.entry.rows import CellError, Converted, convert
from ppkg.entry.sheets import read_sheet
from ppkg.formats import rdf_format
from ppkg.vocab import PPKG, RDF_TYPE, RDFS

MAX_TRIPLES = 150_000  # per spreadsheet: MAX_ROWS rows of the widest kind
DEFAULT = ox.DefaultGraph()


@dataclass
class Checked:
    """A spreadsheet converted and validated: its rows, the report at rows and columns."""

    converted: Converted
    upload: Upload
    validation: Validation | None = None
    errors: list[CellError] = field(default_factory=list)
    outcome: Published | Queued | None = None  # when it was submitted and conforms

    @property
    def conforms(self) -> bool:
        return not violations(self.errors)

    def to_json(self) -> dict:
        report = self.validation.to_json() if self.validation is not None else None
        counts = {"Violation": 0, "Warning": 0, "Info": 0}
        for e in self.errors:
            counts[e.severity] = counts.get(e.severity, 0) + 1
        bad_rows = sorted({e.row for e in violations(self.errors) if e.row is not None})
        return {
            "kind": self.converted.kind.name,
            "conforms": self.conforms,
            "rows": len(self.converted.sheet.rows),
            "rowsWithViolations": bad_rows,
            "counts": counts,
            "triples": self.upload.triples,
            "errors": [e.to_json() for e in self.errors],
            "shapesVersion": report["shapesVersion"] if report else None,
        }


def _prepare(kind: Kind, data: bytes, fmt, name: str, query) -> tuple[Converted, Upload]:
    converted = convert(kind, read_sheet(data, fmt, name), query)
    triples = complete(converted.quads, label_finder(query))
    quads = [ox.Quad(t.subject, t.predicate, t.object, DEFAULT) for t in triples]
    return converted, checked_upload(quads, rdf_format("ntriples"), name, MAX_TRIPLES)


def _checked(converted: Converted, upload: Upload, validation: Validation) -> Checked:
    return Checked(converted, upload, validation,
                   cell_errors(converted, validation.report.results))


def check_sheet(kind: Kind, data: bytes, fmt, name: str, query) -> Checked:
    """Convert and validate; nothing is stored."""
    converted, upload = _prepare(kind, data, fmt, name, query)
    return _checked(converted, upload, validate_upload(upload, query))


def submit_sheet(archive: Archive, kind: Kind, data: bytes, fmt, name: str, token: Token,
                 summary: str, queue: bool = False, note: str | None = None) -> Checked:
    """Convert and submit: `outcome` set when every row conforms, else the report (nothing
    stored). Validated once: by the archive, or here when a lookup failed already."""
    converted, upload = _prepare(kind, data, fmt, name, archive.query)
    if converted.errors:
        return _checked(converted, upload, validate_upload(upload, archive.query))
    try:
        outcome = archive.submit(upload, token, summary, queue=queue, note=note)
    except Rejected as rejected:
        return _checked(converted, upload, rejected.validation)
    checked = _checked(converted, upload, outcome.review.validation)
    checked.outcome = outcome
    return checked


# --- forms ---------------------------------------------------------------------------------

def _named(triples: list) -> list:
    """The form's blank nodes as new IRIs in their kinds' folders (stable for the same content)."""
    about: dict = {}
    for t in triples:
        about.setdefault(t.subject, []).append(t)
    names = {}
    for node, own in about.items():
        if not isinstance(node, ox.BlankNode):
            continue
        cls = next((t.object.value for t in own if t.predicate.value == RDF_TYPE), PPKG + "Event")
        label = next((t.object.value for t in own if t.predicate.value in (
            RDFS + "label", PPKG + "title", PPKG + "text") and isinstance(t.object, ox.Literal)), "")
        facts = sorted(f"{t.predicate.value} {t.object}" for t in own
                       if not isinstance(t.object, ox.BlankNode))
        names[node] = ox.NamedNode(mint(cls, label or cls.rsplit("#", 1)[-1], *facts))

    def name(term):
        return names.get(term, term)

    return [ox.Triple(name(t.subject), t.predicate, name(t.object)) for t in triples]


def _cited(triples: list, kind: Kind) -> list:
    """Every resource the form describes cites the form's source document (the root's)."""
    source = ox.NamedNode(PPKG + "source")
    root_class = ox.NamedNode(kind.cls)
    roots = {t.subject for t in triples if t.predicate.value == RDF_TYPE and t.object == root_class}
    cited = [t.object for t in triples if t.predicate == source and t.subject in roots]
    if len(cited) != 1:
        return triples
    sources = {t.subject for t in triples
               if t.predicate.value == RDF_TYPE and t.object.value == PPKG + "Source"}
    described = {t.subject for t in triples} - sources
    have = {t.subject for t in triples if t.predicate == source}
    return triples + [ox.Triple(s, source, cited[0]) for s in sorted(described - have, key=str)]


def submit_form(archive: Archive, kind: Kind, turtle: str, token: Token, summary: str,
                queue: bool = False, note: str | None = None) -> Published | Queued:
    """What a kind's form sent (Turtle from shacl-form), completed and submitted (Rejected)."""
    parsed = parse_upload(turtle.encode(), rdf_format("turtle"), "form")
    # shacl-form also types the record with the form's own shape: not a fact of the record.
    own = [q.triple for q in parsed.quads if not q.object.value.startswith(FORM)]
    triples = _cited(_named(own), kind)
    triples = complete(triples, label_finder(archive.query))
    quads = [ox.Quad(t.subject, t.predicate, t.object, DEFAULT) for t in triples]
    upload = checked_upload(quads, rdf_format("ntriples"), "form")
    return archive.submit(upload, token, summary, queue=queue, note=note)
