"""GET /validate (an upload form) and POST /validate: a SHACL report on an upload; nothing is stored.

The body is RDF in any format of ppkg.formats, chosen by Content-Type (Turtle, TriG, JSON-LD,
N-Triples, N-Quads, RDF/XML), or a multipart form from the HTML page (a file or pasted text, and
a `format` field). It is parsed and checked by ppkg.archive.uploads and validated with the context it
references from the published graph. The report comes by Accept (or `?format=`): a JSON summary
(the default), Turtle or JSON-LD `sh:ValidationReport`, text, or an HTML page grouped by focus
node. The status is 200 whether or not the upload conforms; the header `X-PPKG-Conforms` and the
report say which. Errors: 400 (with line and column for a parse error), 413, 415.

How the upload is read and the report answered: ppkg.web.uploads (shared with /submissions).
"""

from __future__ import annotations

from flask import Blueprint, render_template

from ppkg.archive.shacl import load_ontology, load_shapes
from ppkg.archive.validation import validate_upload
from ppkg.formats import RDF_FORMATS
from ppkg.web.archive_openapi import validation_part
from ppkg.web.context import services
from ppkg.web.uploads import handle_upload_errors, negotiate_report, read_upload, report_response

bp = Blueprint("validation", __name__)

handle_upload_errors(bp, "validate.html")


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
    offer = negotiate_report()
    upload = read_upload()
    validation = validate_upload(upload, services().query)
    return report_response(validation, 200, offer, template="validate.html")


def openapi_part() -> dict:
    return validation_part()
