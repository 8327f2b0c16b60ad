"""GET /validate (an upload form) and POST /validate: a SHACL report on an upload; nothing is stored.

The body is RDF in any format of ppkg.formats, chosen by Content-Type (Turtle, TriG, JSON-LD,
N-Triples, N-Quads, RDF/XML), or a multipart form from the HTML page (a file or pasted text, and
a `format` field). It is parsed and checked by ppkg.uploads and validated with the context it
references from the published graph. The report comes by Accept (or `?format=`): a JSON summary
(the default), Turtle or JSON-LD `sh:ValidationReport`, text, or an HTML page grouped by focus
node. The status is 200 whether or not the upload conforms; the header `X-PPKG-Conforms` and the
report say which. Errors: 400 (with line and column for a parse error), 413, 415.

`read_upload`, `report_response` and the error rendering are shared with the submissions API.
"""

from __future__ import annotations

import json
import re

from flask import Blueprint, Response, render_template, request

from ppkg.store.changelog import LockTimeout
from ppkg.formats import RDF_FORMATS, rdf_format, rdf_format_for_media_type, rdf_format_for_path
from ppkg.negotiate import Offer, available, choose, html_offer
from ppkg.errors import NotAcceptable
from ppkg.archive.uploads import Upload, UploadError, Validation, parse_upload, validate_upload
from ppkg.archive.shacl import PREFIXES, ParseError, load_ontology, load_shapes
from ppkg.web.errors import error_response

bp = Blueprint("validation", __name__)

FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")

REPORT_OFFERS = [
    Offer("application/json", "json", (), ("json",)),
    html_offer(),
    Offer("text/turtle", "turtle", ("application/x-turtle",), ("turtle", "ttl")),
    Offer("application/ld+json", "json-ld", (), ("jsonld", "json-ld")),
    Offer("text/plain", "text", (), ("text", "txt")),
]


@bp.record_once
def _warm(_state) -> None:
    """Parse the shapes and the ontology once, in the process that builds the app (gunicorn's
    master, with preload): the workers inherit them instead of each parsing them again."""
    load_shapes()
    load_ontology()


# --------------------------------------------------------------------------------------------
# Routes
# --------------------------------------------------------------------------------------------

@bp.get("/validate")
def form():
    return render_template("validate.html", form={}, formats=RDF_FORMATS, report=None, error=None)


@bp.post("/validate")
def validate():
    from ppkg.web import services

    offer = negotiate_report()
    upload = read_upload()
    validation = validate_upload(upload, services().query)
    return report_response(validation, 200, offer, template="validate.html")


# --------------------------------------------------------------------------------------------
# Shared with the submissions API
# --------------------------------------------------------------------------------------------

def is_form() -> bool:
    return request.mimetype in FORM_TYPES


def form_values() -> dict:
    """What the HTML form sent (shown again with the report, so it can be fixed in place)."""
    if not is_form():
        return {}
    return {"data": request.form.get("data", ""), "format": request.form.get("format", ""),
            "summary": request.form.get("summary", "")}


def negotiate_report() -> Offer:
    offer = choose(REPORT_OFFERS, request.headers.get("Accept"), request.args.getlist("format"))
    if offer is None:
        raise NotAcceptable("No acceptable format for a validation report",
                            available=available(REPORT_OFFERS))
    return offer


def wants_html() -> bool:
    offer = choose(REPORT_OFFERS, request.headers.get("Accept"), request.args.getlist("format"))
    return offer is not None and offer.value == "html"


def read_upload() -> Upload:
    """The upload of this request, parsed and checked (ParseError, UploadError)."""
    if is_form():
        chosen = request.form.get("format", "").strip()
        upload = request.files.get("file")
        if upload is not None and upload.filename:
            data = upload.read()
            name = upload.filename
            fmt = (rdf_format(chosen) if chosen else None) or rdf_format_for_path(upload.filename)
            if fmt is None and upload.mimetype not in ("", "application/octet-stream"):
                fmt = rdf_format_for_media_type(upload.mimetype)
            if fmt is None:
                raise UploadError(f"Cannot tell the format of {upload.filename!r} from its name: "
                                  "choose a format", status=415)
        else:
            data = request.form.get("data", "").encode()
            name = "pasted text"
            fmt = rdf_format(chosen) if chosen else rdf_format("turtle")
            if fmt is None:
                raise UploadError(f"Unknown format {chosen!r}", status=415)
    else:
        content_type = request.headers.get("Content-Type", "")
        fmt = rdf_format_for_media_type(content_type) if content_type else None
        if fmt is None:
            accepted = ", ".join(f.media_type for f in RDF_FORMATS)
            what = f"Content-Type {content_type!r}" if content_type else "a missing Content-Type"
            raise UploadError(f"Unsupported media type: {what}. Send one of {accepted}, or a "
                              "multipart form", status=415, accepted=[f.media_type for f in RDF_FORMATS])
        data = request.get_data(cache=False)
        name = "request body"
    return parse_upload(data, fmt, name=name)


def report_response(validation: Validation, status: int, offer: Offer, template: str,
                    headers=None, json_extra: dict | None = None, **context) -> Response:
    """The report in the negotiated format; `json_extra` keys go before the JSON report's."""
    report = validation.to_json()
    kind = offer.value
    if kind == "html":
        body = render_template(template, report=report, form=form_values(), formats=RDF_FORMATS,
                               error=None, **context)
        response = Response(body, status=status, mimetype="text/html")
    elif kind == "turtle":
        response = Response(validation.report.graph.serialize(format="turtle"), status=status,
                            mimetype="text/turtle")
    elif kind == "json-ld":
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

    @blueprint.errorhandler(UploadError)
    def _upload_error(err: UploadError):
        return upload_error_response(err.status, err.message, template, **err.details)

    @blueprint.errorhandler(LockTimeout)
    def _busy(err: LockTimeout):
        return upload_error_response(503, f"Busy: {err}; try again", template,
                                     headers=[("Retry-After", "2")])


handle_upload_errors(bp, "validate.html")


# --------------------------------------------------------------------------------------------
# Template filters: compact names instead of bare IRIs
# --------------------------------------------------------------------------------------------

@bp.app_template_filter("short")
def short(iri: str | None) -> str:
    if not iri:
        return ""
    text = str(iri)
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1]
    for prefix, namespace in PREFIXES:
        if text.startswith(namespace) and len(text) > len(namespace):
            return f"{prefix}:{text[len(namespace):]}"
    return text


_IRI_IN_PATH = re.compile(r"<([^<>\s]*)>")


@bp.app_template_filter("short_path")
def short_path(path: str | None) -> str:
    return _IRI_IN_PATH.sub(lambda m: short(m.group(1)), path or "")


@bp.app_template_filter("term")
def term(value: dict | None) -> str:
    if not value:
        return ""
    if value.get("type") == "uri":
        return short(value["value"])
    if value.get("type") == "bnode":
        return "_:" + value["value"]
    text = json.dumps(value["value"], ensure_ascii=False)
    if value.get("xml:lang"):
        return f"{text}@{value['xml:lang']}"
    if value.get("datatype"):
        return f"{text}^^{short(value['datatype'])}"
    return text


@bp.app_template_filter("groupby_focus")
def groupby_focus(results: list[dict]) -> list[dict]:
    """Results (already ordered by focus node) as groups: focus, label, parent, results."""
    groups: list[dict] = []
    for r in results:
        if not groups or groups[-1]["focus"] != r["focusNode"]:
            groups.append({"focus": r["focusNode"], "label": r.get("focusLabel"),
                           "parent": r.get("focusParent"), "results": []})
        groups[-1]["results"].append(r)
    return groups
