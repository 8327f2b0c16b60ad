"""Reading an upload from a request and answering with its validation report.

Shared by the blueprints that take RDF uploads (/validate, /submissions): the body is RDF in any
format of the format table, chosen by Content-Type, or a multipart form from an HTML page (a file
or pasted text, and a `format` field). The report comes by Accept (or `?format=`): a JSON summary
(the default), Turtle or JSON-LD `sh:ValidationReport`, text, or the page's form again with the
report grouped by focus node.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, render_template, request

from ppkg.archive.rdf_input import InputRefused, ParseError
from ppkg.archive.uploads import Upload, parse_upload
from ppkg.archive.validation import Validation
from ppkg.errors import NotAcceptable
from ppkg.formats import (
    HTML,
    JSON,
    RDF_FORMATS,
    TEXT,
    Format,
    by_media_type,
    rdf_format,
    rdf_format_for_path,
)
from ppkg.negotiate import choose, media_types
from ppkg.store.changelog import LockTimeout, LogError
from ppkg.web.errors import error_response

FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
REPORT_FORMATS = (JSON, HTML, rdf_format("turtle"), rdf_format("jsonld"), TEXT)



def is_form() -> bool:
    return request.mimetype in FORM_TYPES


def form_values() -> dict:
    """What the HTML form sent (shown again with the report, so it can be fixed in place)."""
    if not is_form():
        return {}
    return {"data": request.form.get("data", ""), "format": request.form.get("format", ""),
            "summary": request.form.get("summary", "")}


def negotiate_report() -> Format:
    fmt = choose(REPORT_FORMATS, request.headers.get("Accept"), request.args.getlist("format"))
    if fmt is None:
        raise NotAcceptable("No acceptable format for a validation report",
                            available=media_types(REPORT_FORMATS))
    return fmt


def wants_html() -> bool:
    return choose(REPORT_FORMATS, request.headers.get("Accept"),
                  request.args.getlist("format")) is HTML


def read_upload() -> Upload:
    """The upload of this request, parsed and checked (ParseError, InputRefused)."""
    if is_form():
        chosen = request.form.get("format", "").strip()
        upload = request.files.get("file")
        if upload is not None and upload.filename:
            data = upload.read()
            name = upload.filename
            fmt = (rdf_format(chosen) if chosen else None) or rdf_format_for_path(upload.filename)
            if fmt is None and upload.mimetype not in ("", "application/octet-stream"):
                fmt = by_media_type(RDF_FORMATS, upload.mimetype)
            if fmt is None:
                raise InputRefused(f"Cannot tell the format of {upload.filename!r} from its name: "
                                  "choose a format", status=415)
        else:
            data = request.form.get("data", "").encode()
            name = "pasted text"
            fmt = rdf_format(chosen) if chosen else rdf_format("turtle")
            if fmt is None:
                raise InputRefused(f"Unknown format {chosen!r}", status=415)
    else:
        content_type = request.headers.get("Content-Type", "")
        fmt = by_media_type(RDF_FORMATS, content_type) if content_type else None
        if fmt is None:
            accepted = ", ".join(f.media_type for f in RDF_FORMATS)
            what = f"Content-Type {content_type!r}" if content_type else "a missing Content-Type"
            raise InputRefused(f"Unsupported media type: {what}. Send one of {accepted}, or a "
                              "multipart form", status=415, accepted=[f.media_type for f in RDF_FORMATS])
        data = request.get_data(cache=False)
        name = "request body"
    return parse_upload(data, fmt, name=name)


def report_response(validation: Validation, status: int, fmt: Format, template: str,
                    headers=None, json_extra: dict | None = None, **context) -> Response:
    """The report in the negotiated format; `json_extra` keys go before the JSON report's."""
    report = validation.to_json()
    kind = fmt.name
    if kind == "html":
        body = render_template(template, report=report, form=form_values(), formats=RDF_FORMATS,
                               error=None, **context)
        response = Response(body, status=status, mimetype="text/html")
    elif kind == "turtle":
        response = Response(validation.report.graph.serialize(format="turtle"), status=status,
                            mimetype="text/turtle")
    elif kind == "jsonld":
        response = Response(validation.report.graph.serialize(format="json-ld"), status=status,
                            mimetype="application/ld+json")
    elif kind == "text":
        response = Response(validation.report.to_text(), status=status, mimetype="text/plain")
    else:
        payload = {**(json_extra or {}), **report}
        response = Response(json.dumps(payload, ensure_ascii=False, indent=1) + "\n",
                            status=status, mimetype="application/json")
    response.headers["X-PPKG-Conforms"] = "true" if validation.conforms else "false"
    response.headers["Cache-Control"] = "no-store"
    for name, value in headers or ():
        response.headers[name] = value
    return response


def upload_error_response(status: int, message: str, template: str, headers=None,
                          **extra) -> Response:
    """An error on an upload request: the form again (HTML clients), else a short error."""
    if wants_html():
        error = {"status": status, "message": message, "line": extra.get("line"),
                 "column": extra.get("column")}
        body = render_template(template, form=form_values(), formats=RDF_FORMATS, report=None,
                               error=error)
        response = Response(body, status=status, mimetype="text/html")
        for name, value in headers or ():
            response.headers[name] = value
        response.headers["Cache-Control"] = "no-store"
        return response
    return error_response(status, message, headers,
                          **{k: v for k, v in extra.items() if v is not None})


def handle_upload_errors(blueprint: Blueprint, template: str) -> None:
    """Register the upload error handlers on a blueprint; `template` re-renders its form."""

    @blueprint.errorhandler(ParseError)
    def _parse_error(err: ParseError):
        return upload_error_response(400, f"Parse error: {err}", template, line=err.line,
                                     column=err.column)

    @blueprint.errorhandler(InputRefused)
    def _upload_error(err: InputRefused):
        return upload_error_response(err.status, err.message, template, **err.details)

    @blueprint.errorhandler(LockTimeout)
    @blueprint.errorhandler(LogError)
    def _unwritable(err: LockTimeout | LogError):
        status, message, headers = write_refused(err)
        return upload_error_response(status, message, template, headers=headers)


def write_refused(err: LockTimeout | LogError) -> tuple[int, str, list[tuple[str, str]]]:
    """Why nothing was written: another writer holds the lock (retry soon), or the change log is
    damaged (nothing is written behind damage until an operator repairs it)."""
    if isinstance(err, LockTimeout):
        return 503, f"Busy: {err}; try again", [("Retry-After", "2")]
    return 503, (f"Nothing was written: the change log is damaged ({err}). An operator repairs "
                 "it with `ppkg log check` and `ppkg log truncate`"), [("Retry-After", "300")]


