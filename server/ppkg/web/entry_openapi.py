"""The entry part of /openapi.json: the kinds, templates, pick-lists, spreadsheets and forms."""

from __future__ import annotations

from ppkg.entry.kinds import kinds
from ppkg.formats import CSV_TABLE, XLSX
from ppkg.web.archive_openapi import (AUTH_ERRORS, BUSY, REPORT_CONTENT, SCHEMAS, SECURITY, _error,
                                      _html, _json, _object, _query, _ref)

STRING, INTEGER, BOOLEAN = {"type": "string"}, {"type": "integer"}, {"type": "boolean"}
TEXT = {"anyOf": [STRING, {"type": "null"}]}

ENTRY_SCHEMAS = {
    "CellError": _object(["row", "column", "value", "message", "severity"], {
        "row": {"anyOf": [INTEGER, {"type": "null"}],
                "description": "The row as a spreadsheet program numbers it (the header is 1)"},
        "column": TEXT, "value": STRING, "message": STRING,
        "severity": {"type": "string", "enum": ["Violation", "Warning", "Info"]}}),
    "SheetReport": _object(
        ["kind", "conforms", "rows", "rowsWithViolations", "counts", "triples", "errors"],
        {"kind": STRING, "conforms": BOOLEAN, "rows": INTEGER,
         "rowsWithViolations": {"type": "array", "items": INTEGER},
         "counts": {"type": "object", "additionalProperties": INTEGER}, "triples": INTEGER,
         "errors": {"type": "array", "items": _ref("CellError")}, "shapesVersion": TEXT,
         "submission": _object(["id", "status", "url"], {
             "id": STRING, "status": {"type": "string", "enum": ["pending", "published"]},
             "url": STRING})},
        description="A spreadsheet's SHACL report, at rows and columns."),
    "Kind": _object(["kind", "title", "description", "url"], {
        "kind": STRING, "title": STRING, "description": STRING, "url": STRING}),
    "Choice": _object(["iri", "label"], {"iri": STRING, "label": STRING}),
}

KIND = {"name": "name", "in": "path", "required": True,
        "schema": {"type": "string", "enum": list(kinds())}}
SHEET_BODY = {"required": True, "description": "The spreadsheet: CSV (UTF-8) or XLSX, or a form",
              "content": {CSV_TABLE.media_type: {"schema": {"type": "string"}},
                          XLSX.media_type: {"schema": {"type": "string", "format": "binary"}},
                          "multipart/form-data": {"schema": _object([], {
                              "file": {"type": "string", "format": "binary"}, "token": STRING,
                              "summary": STRING, "review": STRING, "note": STRING})}}}
SHEET_REPORT = {**_json(_ref("SheetReport")), **_html(),
                CSV_TABLE.media_type: {"schema": {"type": "string"}}}
SHEET_ERRORS = {"400": _error("Unknown, repeated or missing columns, or a bad parameter"),
                "404": _error("No such kind"), "406": _error("No acceptable format"),
                "413": _error("Too large: bytes, rows, columns, cells, or an XLSX that unpacks "
                              "past the limit"),
                "415": _error("Not CSV (UTF-8) or XLSX"),
                "422": {"description": "Rows that violate the shapes, names that match nothing, "
                                       "or a formula cell: nothing was stored",
                        "content": SHEET_REPORT}}
SUBMIT_PARAMS = [_query("summary", STRING, "What the records add (or the form field)"),
                 _query("review", {"type": "string", "enum": ["self", "queue"]},
                        "An archivist's: publish at once (self) or queue for a colleague"),
                 _query("note", STRING, "An archivist's note on their self-review")]


def entry_part() -> dict:
    get = {"tags": ["entry"]}
    return {"tags": [{"name": "entry", "description": "Entering records without RDF"}],
            "schemas": {**SCHEMAS, **ENTRY_SCHEMAS}, "securitySchemes": SECURITY, "paths": {
        "/entry": {"get": {**get, "operationId": "entryKinds", "summary": "The kinds of record",
                           "responses": {"200": {"description": "The kinds", "content": {
                               **_json(_object(["kinds"], {"kinds": {
                                   "type": "array", "items": _ref("Kind")}})), **_html()}},
                               "406": _error("No acceptable format")}}},
        "/entry/{name}": {
            "get": {**get, "operationId": "entryKind", "parameters": [KIND],
                    "summary": "A kind: its form and spreadsheet upload (HTML), its columns (JSON)",
                    "responses": {"200": {"description": "The kind", "content": {
                        **_json({"type": "object"}), **_html()}},
                        "404": _error("No such kind"), "406": _error("No acceptable format")}},
            "post": {**get, "operationId": "submitSheet", "security": [{"bearer": []}],
                     "parameters": [KIND] + SUBMIT_PARAMS, "requestBody": SHEET_BODY,
                     "summary": "Submit a spreadsheet: queued for review (or published, an "
                                "archivist's) only if every row conforms",
                     "responses": {"201": {"description": "Published", "content": SHEET_REPORT},
                                   "202": {"description": "Queued for review",
                                           "content": SHEET_REPORT},
                                   **SHEET_ERRORS, **AUTH_ERRORS, **BUSY}}},
        "/entry/{name}/check": {"post": {
            **get, "operationId": "checkSheet", "parameters": [KIND], "requestBody": SHEET_BODY,
            "summary": "Convert and validate a spreadsheet; nothing is stored",
            "responses": {"200": {"description": "The report (X-PPKG-Conforms)",
                                  "content": SHEET_REPORT}, **SHEET_ERRORS}}},
        "/entry/{name}/template.{ext}": {"get": {
            **get, "operationId": "sheetTemplate",
            "parameters": [KIND, {"name": "ext", "in": "path", "required": True,
                                  "schema": {"type": "string", "enum": ["csv", "xlsx"]}}],
            "summary": "A blank spreadsheet of the kind's columns",
            "responses": {"200": {"description": "The template", "content": {
                CSV_TABLE.media_type: {"schema": STRING},
                XLSX.media_type: {"schema": {"type": "string", "format": "binary"}}}},
                "404": _error("No such kind or extension")}}},
        "/entry/{name}/template.csv-metadata.json": {"get": {
            **get, "operationId": "sheetDescription", "parameters": [KIND],
            "summary": "The W3C CSVW description of the kind's columns and their mapping to RDF",
            "responses": {"200": {"description": "CSVW metadata", "content": {
                "application/csvm+json": {"schema": {"type": "object"}}}},
                "404": _error("No such kind")}}},
        "/entry/{name}/shapes.ttl": {"get": {
            **get, "operationId": "formShapes", "parameters": [KIND],
            "summary": "The SHACL shapes the kind's form is drawn from",
            "responses": {"200": {"description": "Turtle", "content": {
                "text/turtle": {"schema": STRING}}}, "404": _error("No such kind")}}},
        "/entry/{name}/form": {"post": {
            **get, "operationId": "submitForm", "security": [{"bearer": []}],
            "parameters": [KIND] + SUBMIT_PARAMS,
            "requestBody": {"required": True, "content": {
                "application/x-www-form-urlencoded": {"schema": _object(["data"], {
                    "data": {"type": "string", "description": "Turtle, as the form serialises"},
                    "token": STRING, "summary": STRING, "review": STRING, "note": STRING})}}},
            "summary": "What a kind's form sends: completed (IRIs, labels, datatypes, the "
                       "citation of its source document) and submitted",
            "responses": {"201": {"description": "Published", "content": _json({"type": "object"})},
                          "202": {"description": "Queued for review",
                                  "content": _json({"type": "object"})},
                          "400": _error("Unparsable data or a bad parameter"),
                          "404": _error("No such kind"), "406": _error("No acceptable format"),
                          "413": _error("Too large"), "415": _error("Unsupported media type"),
                          "422": {"description": "Violations: nothing was stored",
                                  "content": REPORT_CONTENT}, **AUTH_ERRORS, **BUSY}}},
        "/entry/{name}/choices": {"get": {
            **get, "operationId": "choices",
            "parameters": [KIND, _query("class", {"type": "string", "format": "uri"},
                                  "A class whose resources to offer (repeatable)", required=True),
                           _query("q", STRING, "Part of the name")],
            "summary": "Existing resources of a class whose name contains `q` (pick-lists)",
            "responses": {"200": {"description": "The choices", "content": _json(_object(
                ["choices"], {"choices": {"type": "array", "items": _ref("Choice")}}))},
                "400": _error("No class, or `q` too long"), "404": _error("No such kind")}}},
    }}
