"""The archive's part of /openapi.json: /validate, /submissions and /review, as they behave.

Each blueprint's `openapi_part()` returns one of the parts below (ppkg.web.openapi merges them).
Every error is `application/json` `{"error", "status", …}` for an API client (an HTML client gets
a page). The schemas describe exactly the JSON the views write.
"""

from __future__ import annotations

from ppkg.catalog.openapi import SCHEMAS as CATALOG_SCHEMAS
from ppkg.formats import RDF_FORMATS

REF = "#/components/schemas/"


def _ref(name: str) -> dict:
    return {"$ref": REF + name}


def _nullable(schema: dict) -> dict:
    return {"anyOf": [schema, {"type": "null"}]}


def _object(required: list[str], properties: dict, **extra) -> dict:
    return {"type": "object", "required": required, "properties": properties, **extra}


STRING, INTEGER, BOOLEAN = {"type": "string"}, {"type": "integer"}, {"type": "boolean"}
TEXT = _nullable(STRING)
DATE_TIME = {"type": "string", "format": "date-time"}

SCHEMAS: dict = {
    "RdfTerm": CATALOG_SCHEMAS["RdfTerm"],
    "Error": CATALOG_SCHEMAS["Error"],
    "ValidationResult": _object(
        ["severity", "focusNode", "message"],
        {"severity": {"type": "string", "enum": ["Violation", "Warning", "Info"]},
         "focusNode": {"type": "string", "description": "An IRI, or _:label for a blank node"},
         "focusLabel": TEXT, "path": TEXT, "value": _nullable(_ref("RdfTerm")),
         "valueLabel": TEXT, "message": STRING, "sourceShape": TEXT, "nodeShape": TEXT,
         "shapeLabel": TEXT, "constraint": TEXT,
         "focusParent": _object(["subject", "predicate"], {
             "subject": STRING, "predicate": STRING, "subjectLabel": TEXT})}),
    "ValidationReport": _object(
        ["conforms", "counts", "triples", "focusNodes", "shapesVersion", "results"],
        {"conforms": BOOLEAN,
         "counts": _object(["Violation", "Warning", "Info"],
                           {k: INTEGER for k in ("Violation", "Warning", "Info")}),
         "triples": _object(["upload", "context", "validated"],
                            {k: INTEGER for k in ("upload", "context", "validated")}),
         "focusNodes": INTEGER, "shapesVersion": STRING, "seconds": {"type": "number"},
         "results": {"type": "array", "items": _ref("ValidationResult")},
         "error": STRING, "status": INTEGER},
        description="The SHACL report of an upload validated with the published context."),
    "Source": _object(["iri"], {"iri": STRING, "label": TEXT}),
    "Conflict": _object(
        ["resource", "property", "submitted", "published"],
        {"resource": STRING, "resourceLabel": TEXT, "property": STRING, "propertyLabel": TEXT,
         "submitted": _object(["value", "text", "sources"], {
             "value": _ref("RdfTerm"), "text": STRING,
             "sources": {"type": "array", "items": _ref("Source")}}),
         "published": _object(["value", "text", "source"], {
             "value": _ref("RdfTerm"), "text": STRING,
             "source": _object(["graph", "cites"], {
                 "graph": STRING, "label": TEXT,
                 "cites": {"type": "array", "items": _ref("Source")}})})},
        description="A value of the submission that a published source contradicts: both sides."),
    "Statement": _object(
        ["via", "predicate", "object"],
        {"via": {"type": "array", "items": STRING,
                 "description": "Predicates from the resource to the blank node stated about"},
         "predicate": STRING, "predicateLabel": TEXT, "object": _ref("RdfTerm"),
         "objectLabel": TEXT}),
    "ResourceChange": _object(
        ["resource", "statements"],
        {"resource": STRING, "label": TEXT,
         "statements": {"type": "array", "items": _ref("Statement")},
         "alreadyPublished": INTEGER,
         "publishedIn": {"type": "array", "items": _object(["graph"], {
             "graph": STRING, "label": TEXT})}}),
    "Diff": _object(
        ["counts", "newResources", "existingResources"],
        {"counts": _object(
            ["resources", "newResources", "existingResources", "newStatements", "alreadyPublished"],
            {k: INTEGER for k in ("resources", "newResources", "existingResources",
                                  "newStatements", "alreadyPublished")}),
         "newResources": {"type": "array", "items": _ref("ResourceChange")},
         "existingResources": {"type": "array", "items": _ref("ResourceChange")}}),
    "Decision": _object(
        ["decision", "reviewedBy", "reviewedAt"],
        {"decision": {"type": "string", "enum": ["accepted", "rejected"]}, "reviewedBy": STRING,
         "reviewedAt": DATE_TIME, "note": TEXT, "fingerprint": TEXT}),
    "QueueItem": _object(
        ["id", "url", "status", "summary", "submittedBy", "submittedAt", "triples", "decision"],
        {"id": STRING, "url": STRING,
         "status": {"type": "string", "enum": ["pending", "accepted", "rejected"]},
         "summary": STRING, "submittedBy": STRING, "submittedAt": DATE_TIME, "triples": INTEGER,
         "decision": _nullable(_ref("Decision")),
         "published": {"type": "string", "description": "The published submission (accepted)"},
         "graph": STRING}),
    "Queue": _object(
        ["submissions", "count", "status", "limit", "offset", "viewer"],
        {"submissions": {"type": "array", "items": _ref("QueueItem")}, "count": INTEGER,
         "status": STRING, "limit": INTEGER, "offset": INTEGER,
         "viewer": _object(["name", "role"], {"name": STRING, "role": STRING})}),
    "Review": {"allOf": [_ref("QueueItem"), _object(["mayDecide"], {
        "mayDecide": BOOLEAN,
        "fingerprint": {"type": "string", "description": "Send it back to accept this review"},
        "report": _ref("ValidationReport"), "diff": _ref("Diff"),
        "conflicts": {"type": "array", "items": _ref("Conflict")}})],
        "description": "A submission sent for review; while it waits, the review as of now."},
    "Refusal": {"allOf": [_ref("Error"), _object([], {
        "reason": {"type": "string", "enum": ["decided", "stale", "violations"]},
        "decision": _ref("Decision"),
        "review": _object(["fingerprint", "report", "diff", "conflicts"], {
            "fingerprint": STRING, "report": _ref("ValidationReport"), "diff": _ref("Diff"),
            "conflicts": {"type": "array", "items": _ref("Conflict")}})})],
        "description": "A decision refused: decided already (409; `decision`), the review no "
                       "longer holds (409; the new `review`), violations now (422; `review`)."},
    "Submission": _object(
        ["id", "url", "graph", "status", "summary", "attributedTo", "submittedAt",
         "generatedAt", "reviewedBy", "selfReviewed", "triples"],
        {"id": STRING, "url": STRING, "graph": STRING,
         "status": {"type": "string", "enum": ["published", "withdrawn"]}, "summary": STRING,
         "attributedTo": STRING, "submittedAt": DATE_TIME, "generatedAt": DATE_TIME,
         "reviewedBy": STRING, "selfReviewed": BOOLEAN, "note": TEXT, "triples": INTEGER,
         "shapesVersion": TEXT, "withdrawnAt": DATE_TIME, "withdrawnBy": STRING,
         "withdrawalNote": TEXT, "warnings": {"type": "array", "items": {"type": "object"}},
         "data": {"type": "string", "description": "The triples, in Turtle"},
         "report": _ref("ValidationReport"),
         "conflicts": {"type": "array", "items": _ref("Conflict")},
         "error": {"type": "string", "description": "Why the answer is 410 (withdrawn)"}}),
    "Queued": _object(
        ["id", "url", "status", "summary", "submittedBy", "submittedAt", "triples", "report",
         "conflicts"],
        {"id": STRING, "url": STRING, "status": {"type": "string", "enum": ["pending"]},
         "summary": STRING, "submittedBy": STRING, "submittedAt": DATE_TIME, "triples": INTEGER,
         "shapesVersion": STRING, "report": _ref("ValidationReport"),
         "conflicts": {"type": "array", "items": _ref("Conflict")}}),
    "SubmissionList": _object(
        ["submissions", "count", "limit", "offset"],
        {"submissions": {"type": "array", "items": _ref("Submission")}, "count": INTEGER,
         "limit": INTEGER, "offset": INTEGER, "resource": STRING}),
}

SECURITY = {"bearer": {"type": "http", "scheme": "bearer",
                       "description": "An API token from `ppkg token create NAME --role ROLE`."}}


# --- pieces of operations ------------------------------------------------------------------------

def _json(schema: dict) -> dict:
    return {"application/json": {"schema": schema}}


def _error(description: str) -> dict:
    return {"description": description, "content": _json(_ref("Error"))}


def _html() -> dict:
    return {"text/html": {"schema": {"type": "string"}}}


RDF_BODY = {f.media_type: {"schema": {"type": "string"}} for f in RDF_FORMATS}
UPLOAD_FORM = {"multipart/form-data": {"schema": _object([], {
    "file": {"type": "string", "format": "binary"}, "data": STRING,
    "format": {"type": "string", "description": "A format name (turtle, trig, jsonld, ...)"},
    "token": STRING, "summary": STRING, "review": STRING, "note": STRING})}}
UPLOAD = {"required": True, "description": "RDF in any format by Content-Type, or a form",
          "content": {**RDF_BODY, **UPLOAD_FORM}}
REPORT_CONTENT = {**_json(_ref("ValidationReport")),
                  "text/turtle": {"schema": {"type": "string"}},
                  "application/ld+json": {"schema": {"type": "object"}},
                  "text/plain": {"schema": {"type": "string"}}, **_html()}
UPLOAD_ERRORS = {"400": _error("Unparsable or refused upload (named graphs, reserved "
                               "namespaces), or a missing or bad parameter"),
                 "406": _error("No acceptable format"),
                 "413": _error("Body or triples over the limit"),
                 "415": _error("Unknown media type or format")}
AUTH_ERRORS = {"401": _error("No token, or an invalid or revoked one"),
               "403": _error("No token has been issued (disabled), or the token's role may "
                             "not do this")}
BUSY = {"503": _error("Another writer held the lock too long; try again")}
SID = {"name": "submission_id", "in": "path", "required": True,
       "schema": {"type": "string", "pattern": "^[0-9]{8}-[0-9]{6}-[0-9a-f]{6}$"}}


def _query(name: str, schema: dict, description: str, required: bool = False) -> dict:
    return {"name": name, "in": "query", "required": required, "schema": schema,
            "description": description}


PAGING = [_query("limit", {"type": "integer"}, "At most this many (1-1000, default 100)"),
          _query("offset", {"type": "integer"}, "Skip this many")]
DECISION_FORM = {"type": "object", "properties": {"note": STRING, "fingerprint": STRING,
                                                  "csrf": STRING}}


def validation_part() -> dict:
    return {"tags": [{"name": "archive", "description": "Validating, submitting, reviewing"}],
            "schemas": SCHEMAS, "paths": {"/validate": {"get": {
                "tags": ["archive"], "operationId": "validationForm",
                "summary": "The validation form, for people",
                "responses": {"200": {"description": "The form", "content": _html()}}}, "post": {
                "tags": ["archive"], "operationId": "validate",
                "summary": "Validate an upload with the published context it references; "
                           "nothing is stored",
                "requestBody": UPLOAD,
                "responses": {"200": {"description": "The report (X-PPKG-Conforms says whether "
                                                     "it conforms)",
                                      "content": REPORT_CONTENT}, **UPLOAD_ERRORS}}}}}


def submissions_part() -> dict:
    published = {"description": "The record", "content": {
        **_json(_ref("Submission")), **_html(),
        **{f.media_type: {"schema": {"type": "string"}} for f in RDF_FORMATS}}}
    return {"schemas": SCHEMAS, "securitySchemes": SECURITY, "paths": {
        "/submissions": {
            "post": {
                "tags": ["archive"], "operationId": "submit", "security": [{"bearer": []}],
                "summary": "Submit RDF: a contributor's is queued for review, an archivist's "
                           "published at once (self-reviewed)",
                "parameters": [
                    _query("summary", STRING, "What the submission adds (or the form field)"),
                    _query("review", {"type": "string", "enum": ["self", "queue"]},
                           "An archivist's: publish at once (self) or queue for a colleague"),
                    _query("note", STRING, "An archivist's note on their self-review")],
                "requestBody": UPLOAD,
                "responses": {
                    "201": {"description": "Published (self-reviewed)",
                            "content": {**_json(_ref("Submission")), **_html()}},
                    "202": {"description": "Queued for review; nothing is published",
                            "content": {**_json(_ref("Queued")), **_html()}},
                    "422": {"description": "Violations: nothing was stored",
                            "content": REPORT_CONTENT},
                    **UPLOAD_ERRORS, **AUTH_ERRORS, **BUSY}},
            "get": {
                "tags": ["archive"], "operationId": "submissions",
                "summary": "Published submissions, newest first; with `resource`, a resource's "
                           "history",
                "parameters": PAGING + [_query("resource", {"type": "string", "format": "uri"},
                                               "Only the submissions that described this IRI")],
                "responses": {"200": {"description": "The records",
                                      "content": {**_json(_ref("SubmissionList")), **_html()}},
                              "400": _error("A bad parameter"),
                              "406": _error("No acceptable format")}}},
        "/submissions/{submission_id}": {
            "get": {
                "tags": ["archive"], "operationId": "submission", "parameters": [SID],
                "summary": "A published submission: record (who, when, reviewed by whom) and data",
                "responses": {"200": published,
                              "404": _error("No published submission with this id"),
                              "406": _error("No acceptable format"),
                              "410": {**published, "description": "Withdrawn: the record"}}},
            "delete": {
                "tags": ["archive"], "operationId": "withdraw", "security": [{"bearer": []}],
                "summary": "Withdraw a published submission (an archivist's decision)",
                "parameters": [SID, _query("note", STRING, "Why (required)", required=True)],
                "responses": {"200": {"description": "Withdrawn: the record",
                                      "content": _json(_ref("Submission"))},
                              "400": _error("No note"), **AUTH_ERRORS,
                              "404": _error("No published submission with this id"),
                              "410": _error("Withdrawn already"), **BUSY}}},
    }}


def review_part() -> dict:
    decided = {"description": "Decided", "content": _json(_ref("QueueItem"))}
    see_page = {"description": "(HTML form) to the review page"}
    decision_body = {"required": False, "content": {
        "application/json": {"schema": DECISION_FORM},
        "application/x-www-form-urlencoded": {"schema": DECISION_FORM},
        "multipart/form-data": {"schema": DECISION_FORM}}}
    refused = {"description": "Decided already, or the review no longer holds",
               "content": _json(_ref("Refusal"))}
    return {"schemas": SCHEMAS, "securitySchemes": SECURITY, "paths": {
        "/review": {"get": {
            "tags": ["archive"], "operationId": "reviewQueue", "security": [{"bearer": []}],
            "summary": "Submissions sent for review (archivists: all; contributors: their own)",
            "parameters": [_query("status", {"type": "string",
                                             "enum": ["pending", "accepted", "rejected", "all"]},
                                  "Which (default pending)")] + PAGING,
            "responses": {"200": {"description": "The queue",
                                  "content": {**_json(_ref("Queue")), **_html()}},
                          "303": {"description": "(HTML, not signed in) to the sign-in page"},
                          "400": _error("A bad parameter"), **AUTH_ERRORS,
                          "406": _error("No acceptable format")}}},
        "/review/{submission_id}": {"get": {
            "tags": ["archive"], "operationId": "review", "security": [{"bearer": []}],
            "parameters": [SID],
            "summary": "One submission: report, diff and conflicts as of now, or its decision",
            "responses": {"200": {"description": "The review (or the submitted triples as RDF)",
                                  "content": {**_json(_ref("Review")), **_html(),
                                              **{f.media_type: {"schema": {"type": "string"}}
                                                 for f in RDF_FORMATS}}},
                          "303": {"description": "(HTML, not signed in) to the sign-in page"},
                          **AUTH_ERRORS, "404": _error("Not in the review queue (or not yours)"),
                          "406": _error("No acceptable format")}}},
        "/review/{submission_id}/accept": {"post": {
            "tags": ["archive"], "operationId": "accept", "security": [{"bearer": []}],
            "parameters": [SID], "requestBody": decision_body,
            "summary": "Accept and publish what was reviewed (`fingerprint` required)",
            "responses": {"200": decided, "303": see_page,
                          "400": _error("No fingerprint, or a bad note or body"), **AUTH_ERRORS,
                          "404": _error("Not in the review queue"), "409": refused,
                          "415": _error("A body that is neither JSON nor a form"),
                          "422": {"description": "Violations against the published graph now",
                                  "content": _json(_ref("Refusal"))}, **BUSY}}},
        "/review/{submission_id}/reject": {"post": {
            "tags": ["archive"], "operationId": "reject", "security": [{"bearer": []}],
            "parameters": [SID], "requestBody": decision_body,
            "summary": "Reject, with a note (required)",
            "responses": {"200": decided, "303": see_page, "400": _error("No note"),
                          **AUTH_ERRORS, "404": _error("Not in the review queue"),
                          "409": refused, "415": _error("A body that is neither JSON nor a form"),
                          **BUSY}}},
    }}
