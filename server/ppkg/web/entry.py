"""Entering records without writing RDF: forms drawn from the shapes, and spreadsheets.

- `GET /entry` — the kinds of record (HTML, JSON).
- `GET /entry/<kind>` — its form (shacl-form over `/entry/<kind>/shapes.ttl`), its spreadsheet
  upload and its columns (HTML; JSON: the columns).
- `GET /entry/<kind>/template.csv`, `…/template.xlsx` — a blank spreadsheet;
  `…/template.csv-metadata.json` — its W3C CSVW description: the columns and the mapping to RDF.
- `GET /entry/<kind>/choices?class=IRI&q=TEXT` — existing resources for a pick-list.
- `POST /entry/<kind>/check` — a spreadsheet (CSV or XLSX: the body by Content-Type, or the
  `file` of a form) converted and validated; nothing is stored. 200, X-PPKG-Conforms says.
- `POST /entry/<kind>` — the same, submitted (token and summary as for POST /submissions): when
  every row conforms, 202 queued for review (or 201 published, an archivist's), else 422 and
  nothing stored. The report, by Accept or `format`: JSON, HTML, or CSV (the rows with an
  `errors` column).
- `POST /entry/<kind>/form` — what the form sends (`data`: the Turtle shacl-form serialised),
  with token and summary, through the same path as POST /submissions.
"""

from __future__ import annotations

import json
from urllib.parse import quote

from flask import Blueprint, Response, abort, render_template, request, url_for

from ppkg.archive.rdf_input import InputRefused
from ppkg.archive.submissions import Queued, Rejected, SubmissionError, check_text
from ppkg.entry.cells import rows_csv
from ppkg.entry.forms import form_turtle, reference_classes
from ppkg.entry.intake import Checked, check_sheet, submit_form, submit_sheet
from ppkg.entry.kinds import UnknownKind, kind as kind_named, kinds
from ppkg.entry.lookup import search
from ppkg.entry.rows import is_iri
from ppkg.entry.templates import template_csv, template_xlsx
from ppkg.formats import CSV_TABLE, HTML, JSON, SHEET_FORMATS, XLSX, by_extension, by_media_type
from ppkg.web.archiving import archive, json_response, param
from ppkg.web.auth import authenticate
from ppkg.web.context import public_url, services
from ppkg.web.entry_openapi import entry_part
from ppkg.web.errors import error_response
from ppkg.web.render import negotiate
from ppkg.web.uploads import (handle_upload_errors, is_form, negotiate_report, report_response,
                              upload_error_response)

bp = Blueprint("entry", __name__)
handle_upload_errors(bp, "entry_upload_error.html")

SHEET_REPORT_FORMATS = (JSON, HTML, CSV_TABLE)


@bp.errorhandler(SubmissionError)
def _refused(err: SubmissionError):
    details = dict(err.details)
    headers = list(details.pop("headers", []) or [])
    return upload_error_response(err.status, err.message, "entry_upload_error.html", headers,
                                 **details)


@bp.errorhandler(UnknownKind)
def _unknown(err: UnknownKind):
    return error_response(404, str(err))


def _kind(name: str):
    return kind_named(name)


@bp.get("/entry")
def index():
    fmt = negotiate((HTML, JSON))
    items = [{"kind": k.name, "title": k.title, "description": k.description,
              "url": public_url(url_for("entry.page", name=k.name))} for k in kinds().values()]
    if fmt is JSON:
        return json_response({"kinds": items})
    return render_template("entry_index.html", kinds=kinds().values())


@bp.get("/entry/<name>")
def page(name: str):
    kind = _kind(name)
    fmt = negotiate((HTML, JSON))
    if fmt is JSON:
        return json_response({"kind": kind.name, "title": kind.title,
                              "description": kind.description, "class": kind.cls,
                              "columns": [{"name": c.name, "required": c.required,
                                           "description": c.description, "example": c.example,
                                           "refersTo": list(c.refers_to),
                                           "separator": c.separator}
                                          for c in kind.template_columns]})
    return render_template("entry_kind.html", kind=kind, report=None, error=None,
                           pick_lists=json.dumps(reference_classes(kind)))


@bp.get("/entry/<name>/shapes.ttl")
def shapes(name: str):
    return Response(form_turtle(_kind(name)), mimetype="text/turtle")


@bp.get("/entry/<name>/template.<ext>")
def template(name: str, ext: str):
    kind = _kind(name)
    if ext == "csv":
        body, fmt = template_csv(kind).encode(), CSV_TABLE
    elif ext == "xlsx":
        body, fmt = template_xlsx(kind), XLSX
    else:
        abort(404)
    response = Response(body, mimetype=fmt.media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{kind.name}.{ext}"'
    return response


@bp.get("/entry/<name>/template.csv-metadata.json")
def description(name: str):
    return Response(_kind(name).path.read_bytes(), mimetype="application/csvm+json")


@bp.get("/entry/<name>/choices")
def choices(name: str):
    _kind(name)
    classes = request.args.getlist("class")
    if not classes or not all(is_iri(c) for c in classes):
        return error_response(400, "`class` (one or more class IRIs) is required")
    text = request.args.get("q", "")
    if len(text) > 200:
        return error_response(400, "`q` is longer than 200 characters")
    return json_response({"choices": search(services().query, classes, text)})


# --- spreadsheets ------------------------------------------------------------------------------

def _sheet_upload() -> tuple[bytes, object, str]:
    """(bytes, CSV_TABLE or XLSX, name) of the spreadsheet this request sends."""
    if is_form():
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            raise InputRefused("Choose a spreadsheet to upload (a .csv or .xlsx file)")
        fmt = by_extension(SHEET_FORMATS, upload.filename.rpartition(".")[2])
        if fmt is None:
            raise InputRefused(f"{upload.filename}: a spreadsheet is sent as .csv or .xlsx",
                               status=415)
        return upload.read(), fmt, upload.filename
    content_type = request.headers.get("Content-Type", "")
    fmt = by_media_type(SHEET_FORMATS, content_type)
    if fmt is None:
        raise InputRefused(f"Unsupported media type {content_type!r}: send text/csv or "
                           f"{XLSX.media_type}", status=415,
                           accepted=[f.media_type for f in SHEET_FORMATS])
    return request.get_data(cache=False), fmt, f"request body ({fmt.label})"


def _sheet_report(checked: Checked, status: int) -> Response:
    fmt = negotiate(SHEET_REPORT_FORMATS)
    body = checked.to_json()
    if checked.outcome is not None:
        body["submission"] = _outcome_json(checked.outcome)
    if fmt is CSV_TABLE:
        response = Response(rows_csv(checked.converted, checked.errors), status=status,
                            mimetype=CSV_TABLE.media_type)
        response.headers["Content-Disposition"] = (
            f'attachment; filename="{checked.converted.kind.name}-report.csv"')
    elif fmt is HTML:
        csv_link = "data:text/csv;charset=utf-8," + quote(rows_csv(checked.converted, checked.errors))
        response = Response(render_template("entry_report.html", checked=checked, report=body,
                                            kind=checked.converted.kind, csv_link=csv_link),
                            status=status, mimetype="text/html")
    else:
        response = json_response(body, status)
    response.headers["X-PPKG-Conforms"] = "true" if checked.conforms else "false"
    response.headers["Cache-Control"] = "no-store"
    if checked.outcome is not None:
        response.headers["Location"] = body["submission"]["url"]
    return response


def _outcome_json(outcome) -> dict:
    if isinstance(outcome, Queued):
        return {"id": outcome.pending.id, "status": "pending",
                "url": public_url(url_for("review.show", submission_id=outcome.pending.id))}
    return {"id": outcome.id, "status": "published",
            "url": public_url(url_for("submissions.show", submission_id=outcome.id))}


@bp.post("/entry/<name>/check")
def check(name: str):
    kind = _kind(name)
    data, fmt, filename = _sheet_upload()
    return _sheet_report(check_sheet(kind, data, fmt, filename, services().query), 200)


def _submission_params() -> dict:
    review = param("review")
    if review not in (None, "", "self", "queue"):
        raise InputRefused("`review` is `self` or `queue`")
    return {"summary": check_text(param("summary"), "summary"), "queue": review == "queue",
            "note": param("note")}


@bp.post("/entry/<name>")
def submit(name: str):
    kind = _kind(name)
    arch = archive()
    token = authenticate(arch.tokens)
    options = _submission_params()
    data, fmt, filename = _sheet_upload()
    checked = submit_sheet(arch, kind, data, fmt, filename, token, **options)
    if checked.outcome is None:
        return _sheet_report(checked, 422)
    return _sheet_report(checked, 202 if isinstance(checked.outcome, Queued) else 201)


# --- forms -------------------------------------------------------------------------------------

@bp.post("/entry/<name>/form")
def form(name: str):
    kind = _kind(name)
    arch = archive()
    offer = negotiate_report()
    token = authenticate(arch.tokens)
    options = _submission_params()
    turtle = param("data") or ""
    try:
        outcome = submit_form(arch, kind, turtle, token, **options)
    except Rejected as rejected:
        return report_response(rejected.validation, 422, offer, "entry_kind.html",
                               json_extra={"error": rejected.message, "status": 422},
                               kind=kind, pick_lists=json.dumps(reference_classes(kind)))
    status = 202 if isinstance(outcome, Queued) else 201
    body = _outcome_json(outcome)
    if offer is HTML:
        response = Response(render_template("entry_done.html", kind=kind, outcome=body,
                                            report=outcome.review.report),
                            status=status, mimetype="text/html")
    else:
        response = json_response({**body, "report": outcome.review.report}, status)
    response.headers["Location"] = body["url"]
    response.headers["Cache-Control"] = "no-store"
    return response


def openapi_part() -> dict:
    return entry_part()
