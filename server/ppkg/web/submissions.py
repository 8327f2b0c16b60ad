"""The archivists' API: POST/GET /submissions, GET/DELETE /submissions/<id>, GET /submissions/new.

- `POST /submissions` — the same inputs as POST /validate, plus `Authorization: Bearer <token>`
  (or a `token` form field from the HTML form) and a mandatory `summary` (query parameter or form
  field). 401 without a token or with a bad one (WWW-Authenticate: Bearer); 400 without a summary;
  422 with the validation report when there is any sh:Violation (nothing is stored); 201 Created
  with Location /submissions/<id> and a JSON body (or an HTML page) otherwise, once the change is
  durably in the log. It is visible to the next query of any worker.
- `GET /submissions/<id>` — the record (provenance) and the data: JSON (default), HTML, or RDF
  (Turtle, TriG, N-Quads, ...: the data graph and the provenance records). 410 once withdrawn
  (the body still gives the record), 404 if unknown.
- `GET /submissions` — the records, newest first (`limit`, `offset`), JSON or HTML.
- `DELETE /submissions/<id>` — withdraw (the same token or an admin token, else 403; optional
  `reason`): the triples leave the published graph, the provenance stays, the URL answers 410.

When no token exists (tokens.json missing or all revoked), POST and DELETE answer 403: the
submissions API is disabled. Reads stay available.
"""

from __future__ import annotations

import json

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, render_template, request, url_for

from ppkg.archive.provenance import graph_iri
from ppkg.archive.submissions import Archive, Rejected, SubmissionError, check_summary
from ppkg.archive.tokens import Token, TokenError
from ppkg.errors import NotAcceptable
from ppkg.formats import HTML, JSON, RDF_FORMATS
from ppkg.negotiate import choose, media_types
from ppkg.vocab import PREFIXES, PROVENANCE_GRAPH
from ppkg.web.context import public_url, services
from ppkg.web.errors import error_response
from ppkg.web.uploads import (handle_upload_errors, is_form, negotiate_report, read_upload,
                              report_response, upload_error_response)

bp = Blueprint("submissions", __name__)

REALM = 'Bearer realm="ppkg"'
RECORD_FORMATS = (JSON, HTML) + RDF_FORMATS
LIST_FORMATS = (JSON, HTML)

handle_upload_errors(bp, "submission_form.html")


def archive() -> Archive:
    found = current_app.extensions.get("ppkg.archive")
    if found is None:
        s = services()
        found = Archive(s.config.data_dir, s.query)
        current_app.extensions["ppkg.archive"] = found
    return found


@bp.errorhandler(SubmissionError)
def _submission_error(err: SubmissionError):
    headers = list(err.details.pop("headers", []) or [])
    return upload_error_response(err.status, err.message, "submission_form.html", headers,
                                 **err.details)


# --------------------------------------------------------------------------------------------
# Authentication
# --------------------------------------------------------------------------------------------

def authenticate(arch: Archive) -> Token:
    """The request's token, or SubmissionError 403 (disabled) / 401 (missing or bad)."""
    try:
        enabled = arch.tokens.enabled()
    except TokenError:
        enabled = False
    if not enabled:
        raise SubmissionError("Submissions are disabled on this server: no token has been "
                              "issued (an administrator runs `ppkg token create NAME`)", 403)
    plain = None
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "bearer":
            plain = value.strip()
    elif is_form():
        plain = request.form.get("token", "").strip()
    if not plain:
        raise SubmissionError("Authentication required: send `Authorization: Bearer <token>`",
                              401, headers=[("WWW-Authenticate", REALM)])
    token = arch.tokens.authenticate(plain)
    if token is None:
        raise SubmissionError("Invalid or revoked token", 401,
                              headers=[("WWW-Authenticate", REALM + ', error="invalid_token"')])
    return token


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
    token = authenticate(arch)
    summary = request.args.get("summary")
    if summary is None and is_form():
        summary = request.form.get("summary")
    summary = check_summary(summary)
    upload = read_upload()
    try:
        accepted = arch.submit(upload, token, summary)
    except Rejected as rejected:
        return report_response(rejected.validation, 422, offer, "submission_form.html",
                               json_extra={"error": rejected.message, "status": 422})
    location = url_for("submissions.show", submission_id=accepted.id)
    body = {
        "id": accepted.id,
        "url": public_url(url_for("submissions.show", submission_id=accepted.id)),
        "graph": accepted.graph,
        "status": "published",
        "summary": accepted.summary,
        "attributedTo": accepted.agent,
        "generatedAt": accepted.generated,
        "triples": upload.triples,
        "shapesVersion": accepted.validation.shapes_version,
        "report": accepted.validation.to_json(),
    }
    if offer is HTML:
        record = arch.get(accepted.id, warnings=True)
        response = Response(render_template("submission.html", record=record, created=True,
                                            data=_turtle(arch.data(accepted.id))),
                            status=201, mimetype="text/html")
    else:
        response = Response(json.dumps(body, ensure_ascii=False, indent=1) + "\n", status=201,
                            mimetype="application/json")
    response.headers["Location"] = location
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/submissions")
def index():
    offer = choose(LIST_FORMATS, request.headers.get("Accept"), request.args.getlist("format"))
    if offer is None:
        raise NotAcceptable("No acceptable format for the list of submissions",
                            available=media_types(LIST_FORMATS))
    limit = _int_arg("limit", 100, 1, 1000)
    offset = _int_arg("offset", 0, 0, 10**9)
    records = archive().records(limit=limit, offset=offset)
    if offer is HTML:
        response = Response(render_template("submissions.html", records=records),
                            mimetype="text/html")
    else:
        items = [r.to_json(public_url(url_for("submissions.show", submission_id=r.id)))
                 for r in records]
        response = Response(json.dumps({"submissions": items, "count": len(items),
                                        "limit": limit, "offset": offset},
                                       ensure_ascii=False, indent=1) + "\n",
                            mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/submissions/<submission_id>")
def show(submission_id: str):
    offer = choose(RECORD_FORMATS, request.headers.get("Accept"), request.args.getlist("format"))
    if offer is None:
        raise NotAcceptable("No acceptable format for a submission",
                            available=media_types(RECORD_FORMATS))
    arch = archive()
    record = arch.get(submission_id, warnings=True)
    if record is None:
        return error_response(404, f"No submission {submission_id}")
    url = public_url(url_for("submissions.show", submission_id=record.id))
    status = 410 if record.withdrawn else 200
    if offer is HTML:
        data = None if record.withdrawn else _turtle(arch.data(record.id))
        response = Response(render_template("submission.html", record=record, created=False,
                                            data=data), status=status, mimetype="text/html")
    elif offer is JSON:
        body = record.to_json(url)
        if record.withdrawn:
            body = {"error": f"Submission {record.id} was withdrawn on {record.withdrawn}",
                    "status": 410, **body}
        else:
            body["data"] = _turtle(arch.data(record.id))
        response = Response(json.dumps(body, ensure_ascii=False, indent=1) + "\n",
                            status=status, mimetype="application/json")
    else:
        fmt = offer
        prov = ox.NamedNode(PROVENANCE_GRAPH)
        quads = [ox.Quad(t.subject, t.predicate, t.object, prov) for t in arch.provenance(record.id)]
        if not record.withdrawn:
            g = ox.NamedNode(graph_iri(record.id))
            quads += [ox.Quad(t.subject, t.predicate, t.object, g) for t in arch.data(record.id)]
        if not fmt.datasets:
            quads = list(dict.fromkeys(ox.Triple(q.subject, q.predicate, q.object) for q in quads))
        response = Response(ox.serialize(quads, format=fmt.oxigraph, prefixes=PREFIXES),
                            status=status, mimetype=fmt.media_type)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.delete("/submissions/<submission_id>")
def withdraw(submission_id: str):
    arch = archive()
    token = authenticate(arch)
    reason = request.args.get("reason")
    record = arch.withdraw(submission_id, token, reason)
    body = record.to_json(public_url(url_for("submissions.show", submission_id=record.id)))
    return Response(json.dumps(body, ensure_ascii=False, indent=1) + "\n", status=200,
                    mimetype="application/json", headers={"Cache-Control": "no-store"})


# --------------------------------------------------------------------------------------------



def _turtle(triples: list) -> str:
    return ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES).decode()


def _int_arg(name: str, default: int, lowest: int, highest: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SubmissionError(f"`{name}` must be an integer, not {raw!r}", 400) from None
    return max(lowest, min(highest, value))
