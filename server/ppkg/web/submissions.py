"""Submissions: POST /submissions, the published ones (GET /submissions[/<id>]), withdrawal.

- `POST /submissions` — the same inputs as POST /validate, plus a token (`Authorization: Bearer
  <token>`, or a `token` form field from the HTML form) and a mandatory `summary` (query parameter
  or form field). 401 without a token or with a bad one; 400 without a summary; 422 with the
  validation report when there is any sh:Violation (nothing is stored). Otherwise a contributor's
  submission is queued for review: 202 Accepted, Location /review/<id> (ppkg.web.review), and none
  of it is published. An archivist's is published at once, recorded as self-reviewed (optional
  `note`): 201 Created, Location /submissions/<id>, once its change-log entry is on disk — unless
  they send `review=queue` to have a colleague review it (202).
- `GET /submissions/<id>` — a published submission's record (provenance: who, when, reviewed by
  whom, the note) and data: JSON (default), HTML or RDF. 410 once withdrawn, 404 if unknown (a
  submission waiting for review is not published: 404 here too).
- `GET /submissions` — the published records, newest first (`limit`, `offset`), JSON or HTML;
  with `resource=IRI`, the submissions that described that resource (its history).
- `DELETE /submissions/<id>` — withdraw (an archivist's decision, with a mandatory `note`): the
  triples leave the published graph, the provenance stays, the URL answers 410.

When no token exists (tokens.json missing or all revoked), POST and DELETE answer 403.
"""

from __future__ import annotations

import pyoxigraph as ox
from flask import Blueprint, Response, render_template, request, url_for

from ppkg.archive.provenance import graph_iri
from ppkg.archive.submissions import (Archive, Published, Queued, Rejected, SubmissionError,
                                      check_text)
from ppkg.errors import NotAcceptable
from ppkg.formats import HTML, JSON, RDF_FORMATS
from ppkg.negotiate import choose, media_types
from ppkg.vocab import PREFIXES, PROVENANCE_GRAPH
from ppkg.web.archive_openapi import submissions_part
from ppkg.web.archiving import archive, int_arg, iri_arg, json_response, param
from ppkg.web.auth import authenticate
from ppkg.web.context import iri_map, public_url
from ppkg.web.errors import error_response
from ppkg.web.uploads import (handle_upload_errors, negotiate_report, read_upload,
                              report_response, upload_error_response)
from ppkg.web.versions import answered_at, wait_for

bp = Blueprint("submissions", __name__)

RECORD_FORMATS = (JSON, HTML) + RDF_FORMATS
LIST_FORMATS = (JSON, HTML)

handle_upload_errors(bp, "submission_form.html")


@bp.errorhandler(SubmissionError)
def _submission_error(err: SubmissionError):
    details = dict(err.details)
    headers = list(details.pop("headers", []) or [])
    return upload_error_response(err.status, err.message, "submission_form.html", headers,
                                 **details)


# --------------------------------------------------------------------------------------------
# Routes
# --------------------------------------------------------------------------------------------

@bp.get("/submissions/new")
def new():
    return render_template("submission_form.html", form={}, formats=RDF_FORMATS, report=None,
                           error=None)


@bp.post("/submissions")
def create():
    arch = archive()
    offer = negotiate_report()
    token = authenticate(arch.tokens)
    summary = check_text(param("summary"), "summary")
    review = param("review")
    if review not in (None, "", "self", "queue"):
        raise SubmissionError("`review` is `self` (an archivist publishes at once) or `queue` "
                              "(for an archivist's review)", 400)
    if review == "self" and not token.may("archivist"):
        raise SubmissionError("A contributor's submission is reviewed by an archivist: "
                              "`review=self` is for archivists", 403)
    upload = read_upload()
    try:
        outcome = arch.submit(upload, token, summary, queue=review == "queue", note=param("note"))
    except Rejected as rejected:
        return report_response(rejected.validation, 422, offer, "submission_form.html",
                               json_extra={"error": rejected.message, "status": 422})
    if isinstance(outcome, Queued):
        return _queued(outcome, offer)
    return _published(arch, outcome, offer)


def _published(arch: Archive, published: Published, offer) -> Response:
    location = url_for("submissions.show", submission_id=published.id)
    if wait_for(published.seq):  # its own server shows it at once (others: min-version)
        answered_at(published.seq)
    if offer is HTML:
        record = arch.records.get(published.id, warnings=True)
        response = Response(render_template("submission.html", record=record, created=True,
                                            data=_turtle(arch.records.data(published.id))),
                            status=201, mimetype="text/html")
    else:
        review = published.review
        body = {
            "id": published.id,
            "version": published.seq,
            "url": public_url(location),
            "graph": published.graph,
            "status": "published",
            "summary": published.summary,
            "attributedTo": published.submitter,
            "submittedAt": published.submitted,
            "generatedAt": published.accepted,
            "reviewedBy": published.reviewer,
            "selfReviewed": published.reviewer == published.submitter,
            "note": published.note,
            "triples": review.report["triples"]["upload"],
            "shapesVersion": review.report["shapesVersion"],
            "report": review.report,
            "conflicts": review.conflicts,
        }
        response = json_response(body, 201)
    response.headers["Location"] = location
    response.headers["Cache-Control"] = "no-store"
    return response


def _queued(queued: Queued, offer) -> Response:
    pending, review = queued.pending, queued.review
    location = url_for("review.show", submission_id=pending.id)
    if offer is HTML:
        response = Response(render_template("submission_queued.html", pending=pending,
                                            review=review.to_json(), url=location),
                            status=202, mimetype="text/html")
    else:
        response = json_response({
            "id": pending.id, "url": public_url(location), "status": "pending",
            "summary": pending.summary, "submittedBy": pending.submitter,
            "submittedAt": pending.submitted, "triples": pending.triples,
            "shapesVersion": review.report["shapesVersion"], "report": review.report,
            "conflicts": review.conflicts}, 202)
    response.headers["Location"] = location
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/submissions")
def index():
    offer = choose(LIST_FORMATS, request.headers.get("Accept"), request.args.getlist("format"))
    if offer is None:
        raise NotAcceptable("No acceptable format for the list of submissions",
                            available=media_types(LIST_FORMATS))
    limit = int_arg("limit", 100, 1, 1000)
    offset = int_arg("offset", 0, 0, 10**9)
    resource = request.args.get("resource")
    records = archive().records
    if resource is not None:
        found = records.touching(iri_map().data(iri_arg("resource")))[offset:offset + limit]
    else:
        found = records.list(limit=limit, offset=offset)
    if offer is HTML:
        response = Response(render_template("submissions.html", records=found, resource=resource),
                            mimetype="text/html")
    else:
        items = [r.to_json(public_url(url_for("submissions.show", submission_id=r.id)))
                 for r in found]
        body = {"submissions": items, "count": len(items), "limit": limit, "offset": offset}
        if resource is not None:
            body["resource"] = resource
        response = json_response(body)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/submissions/<submission_id>")
def show(submission_id: str):
    offer = choose(RECORD_FORMATS, request.headers.get("Accept"), request.args.getlist("format"))
    if offer is None:
        raise NotAcceptable("No acceptable format for a submission",
                            available=media_types(RECORD_FORMATS))
    records = archive().records
    record = records.get(submission_id, warnings=True)
    if record is None:
        return error_response(404, f"No published submission {submission_id}")
    url = public_url(url_for("submissions.show", submission_id=record.id))
    status = 410 if record.withdrawn else 200
    if offer is HTML:
        data = None if record.withdrawn else _turtle(records.data(record.id))
        response = Response(render_template("submission.html", record=record, created=False,
                                            data=data), status=status, mimetype="text/html")
    elif offer is JSON:
        body = record.to_json(url)
        if record.withdrawn:
            # the record as it is ("status": "withdrawn"), with the reason for the 410
            body = {"error": f"Submission {record.id} was withdrawn on {record.withdrawn}", **body}
        else:
            body["data"] = _turtle(records.data(record.id))
        response = json_response(body, status)
    else:
        prov = ox.NamedNode(PROVENANCE_GRAPH)
        quads = [ox.Quad(t.subject, t.predicate, t.object, prov)
                 for t in records.provenance(record.id)]
        if not record.withdrawn:
            g = ox.NamedNode(graph_iri(record.id))
            quads += [ox.Quad(t.subject, t.predicate, t.object, g) for t in records.data(record.id)]
        response = Response(_rdf(quads, offer), status=status, mimetype=offer.media_type)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.delete("/submissions/<submission_id>")
def withdraw(submission_id: str):
    arch = archive()
    token = authenticate(arch.tokens)
    note = request.args.get("note", request.args.get("reason"))
    record = arch.withdraw(submission_id, token, note)
    body = record.to_json(public_url(url_for("submissions.show", submission_id=record.id)))
    return json_response(body)


# --------------------------------------------------------------------------------------------

def _turtle(triples: list) -> str:
    return ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES).decode()


def _rdf(quads: list, fmt) -> bytes:
    if not fmt.datasets:
        quads = list(dict.fromkeys(ox.Triple(q.subject, q.predicate, q.object) for q in quads))
    return ox.serialize(quads, format=fmt.oxigraph, prefixes=PREFIXES)


def openapi_part() -> dict:
    return submissions_part()
