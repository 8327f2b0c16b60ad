"""Reading published submissions: their provenance records (ppkg.archive.provenance) and data.

Everything goes through the QueryService, whose query process catches up with the change log
first, so a record is readable by every worker as soon as its entry is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ppkg.archive.diff import term_id
from ppkg.archive.provenance import graph_iri
from ppkg.sparql.results import term_json
from ppkg.vocab import PROVENANCE_GRAPH, SUBMISSION_GRAPH_BASE, sparql_prologue

ID_PATTERN = re.compile(r"^[0-9]{8}-[0-9]{6}-[0-9a-f]{6}$")
PREFIXES = sparql_prologue("rdfs", "prov", "dcterms", "void", "sh")


@dataclass
class Record:
    """What the provenance graph says about one published (or withdrawn) submission."""

    id: str
    graph: str
    summary: str
    agent: str  # the token name it is attributed to (who submitted it)
    generated: str  # xsd:dateTime lexical form: when it was accepted and published
    triples: int
    shapes_version: str = ""
    submitted: str | None = None  # when it was sent (None: before reviews, when it was `generated`)
    reviewer: str | None = None
    note: str | None = None  # the reviewer's
    withdrawn: str | None = None
    withdrawn_by: str | None = None
    withdrawal_note: str | None = None
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
            "submittedAt": self.submitted or self.generated,
            "generatedAt": self.generated,
            "reviewedBy": self.reviewer or self.agent,
            "selfReviewed": (self.reviewer or self.agent) == self.agent,
            "note": self.note,
            "triples": self.triples,
            "shapesVersion": self.shapes_version or None,
        }
        if self.withdrawn:
            out["withdrawnAt"] = self.withdrawn
            out["withdrawnBy"] = self.withdrawn_by
            out["withdrawalNote"] = self.withdrawal_note
        if self.warnings:
            out["warnings"] = self.warnings
        return out


class Records:
    """The published submissions, read through a QueryService."""

    def __init__(self, query):
        self.query = query

    def get(self, submission_id: str, warnings: bool = False) -> Record | None:
        if not ID_PATTERN.match(submission_id or ""):
            return None
        records = self.select(f"VALUES ?g {{ <{graph_iri(submission_id)}> }}", limit=1)
        if not records:
            return None
        record = records[0]
        if warnings:
            record.warnings = self._warnings(record.graph)
        return record

    def list(self, limit: int = 100, offset: int = 0) -> list[Record]:
        return self.select("", limit=limit, offset=offset)

    def touching(self, iri: str, limit: int = 1000) -> list[Record]:
        """The published submissions that describe `iri`, newest first. (A withdrawn one no
        longer does: its data left the published graph, and its record names no resource.)"""
        rows = self.query.select(f"""
SELECT DISTINCT ?g WHERE {{
  GRAPH ?g {{ <{iri}> ?p ?o }} FILTER(STRSTARTS(STR(?g), "{SUBMISSION_GRAPH_BASE}"))
}}""", limit=limit).rows
        return self.of_graphs([row[0].value for row in rows], limit)

    def of_graphs(self, graphs: list[str], limit: int = 1000) -> list[Record]:
        """The published submissions whose graphs these are, newest first."""
        graphs = sorted(g for g in graphs if g.startswith(SUBMISSION_GRAPH_BASE))
        if not graphs:
            return []
        values = " ".join(f"<{g}>" for g in graphs)
        return self.select(f"VALUES ?g {{ {values} }}", limit=limit)

    def data(self, submission_id: str) -> list:
        """The triples of a published submission (pyoxigraph Triples)."""
        g = graph_iri(submission_id)
        return list(self.query.construct(
            f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{g}> {{ ?s ?p ?o }} }}", limit=10_000_000))

    def provenance(self, submission_id: str) -> list:
        """The provenance records about a submission (pyoxigraph Triples)."""
        g = graph_iri(submission_id)
        query = (f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{PROVENANCE_GRAPH}> {{ ?s ?p ?o "
                 f"FILTER(?s = <{g}> || STRSTARTS(STR(?s), \"{g}#\")) }} }}")
        return list(self.query.construct(query, limit=1_000_000))

    def select(self, values: str, limit: int, offset: int = 0) -> list[Record]:
        query = PREFIXES + f"""
SELECT ?g ?summary ?name ?time ?submitted ?triples ?shapes ?reviewer ?note
       ?withdrawn ?withdrawnBy ?withdrawalNote WHERE {{
  GRAPH <{PROVENANCE_GRAPH}> {{
    {values}
    ?g prov:generatedAtTime ?time ; prov:wasAttributedTo ?agent .
    FILTER(STRSTARTS(STR(?g), "{SUBMISSION_GRAPH_BASE}"))
    ?agent rdfs:label ?name .
    OPTIONAL {{ ?g dcterms:description ?summary }}
    OPTIONAL {{ ?g dcterms:dateSubmitted ?submitted }}
    OPTIONAL {{ ?g void:triples ?triples }}
    OPTIONAL {{ ?g prov:wasGeneratedBy ?review .
               ?review prov:wasAssociatedWith ?reviewerAgent .
               ?reviewerAgent rdfs:label ?reviewer
               OPTIONAL {{ ?review dcterms:description ?note }}
               OPTIONAL {{ ?review prov:used ?shapesUsed . ?shapesUsed dcterms:identifier ?shapes }} }}
    OPTIONAL {{ ?g prov:invalidatedAtTime ?withdrawn
               OPTIONAL {{ ?g prov:wasInvalidatedBy ?withdrawal .
                          ?withdrawal prov:wasAssociatedWith ?withdrawer .
                          ?withdrawer rdfs:label ?withdrawnBy
                          OPTIONAL {{ ?withdrawal dcterms:description ?withdrawalNote }} }} }}
  }}
}} ORDER BY DESC(?time) DESC(?g) LIMIT {int(limit)} OFFSET {int(offset)}"""
        records = []
        for row in self.query.select(query, limit=limit).dicts():
            text = lambda name: row[name].value if name in row else None  # noqa: E731
            g = row["g"].value
            records.append(Record(
                id=g[len(SUBMISSION_GRAPH_BASE):], graph=g, summary=text("summary") or "",
                agent=row["name"].value, generated=row["time"].value,
                triples=int(row["triples"].value) if "triples" in row else 0,
                shapes_version=text("shapes") or "", submitted=text("submitted"),
                reviewer=text("reviewer"), note=text("note"), withdrawn=text("withdrawn"),
                withdrawn_by=text("withdrawnBy"), withdrawal_note=text("withdrawalNote"),
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
                "focusNode": term_id(row["focus"]),
                "path": row["path"].value if "path" in row else None,
                "value": term_json(row["value"]) if "value" in row else None,
                "message": row["message"].value,
                "nodeShape": row["shape"].value if "shape" in row else None,
            })
        return out


def history(query, iri: str) -> list[dict]:
    """A resource's history, for its page: each published submission that described it (newest
    first), with who sent it and when, who reviewed it, when, and their note (Record.to_json
    without `url`: the page links /submissions/<id>).
    `iri` is the stored IRI (ppkg.linked_data.iris.IriMap.data of a public one)."""
    return [r.to_json() for r in Records(query).touching(iri)]
