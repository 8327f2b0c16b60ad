"""The query catalog's part of the OpenAPI document: one GET operation per `.rq` file.

Assembled into /openapi.json by ppkg.web.openapi. Each catalog query `NAME` is the operation
`GET /queries/NAME` (operationId NAME), with its parameters as typed query parameters (iri →
string/uri, date → string/date, integer → integer, string → string) carrying the header's
descriptions, examples and defaults, and its results in every media type the endpoint offers
(SPARQL JSON — also what `/queries/NAME.json` returns —, SPARQL XML, CSV, TSV, and the HTML
page). The list of queries, `GET /queries`, is one more operation.
"""

from __future__ import annotations

from typing import Any

from ppkg.catalog.queries import Catalog, Param, Query

SCHEMAS: dict[str, Any] = {
    "RdfTerm": {
        "type": "object",
        "description": "One RDF term of a result row (SPARQL 1.1 Query Results JSON Format).",
        "required": ["type", "value"],
        "properties": {
            "type": {"type": "string", "enum": ["uri", "literal", "bnode", "triple"]},
            "value": {},
            "datatype": {"type": "string"},
            "xml:lang": {"type": "string"},
        },
    },
    "SparqlResults": {
        "type": "object",
        "description": "SPARQL 1.1 Query Results JSON (https://www.w3.org/TR/sparql11-results-json/). "
                       "Each row binds the variables that have a value; IRIs come with a "
                       "...Label variable holding a readable name.",
        "required": ["head", "results"],
        "properties": {
            "head": {"type": "object", "properties": {
                "vars": {"type": "array", "items": {"type": "string"}}}},
            "results": {"type": "object", "properties": {
                "bindings": {"type": "array", "items": {
                    "type": "object",
                    "additionalProperties": {"$ref": "#/components/schemas/RdfTerm"}}}}},
        },
    },
    "Error": {
        "type": "object",
        "required": ["error", "status"],
        "properties": {"error": {"type": "string"}, "status": {"type": "integer"}},
    },
    "Parameter": {
        "type": "object",
        "required": ["name", "type", "description", "required"],
        "properties": {
            "name": {"type": "string"},
            "type": {"type": "string", "enum": ["iri", "date", "string", "integer"]},
            "description": {"type": "string"},
            "required": {"type": "boolean"},
            "example": {},
            "default": {},
        },
    },
    "CatalogEntry": {
        "type": "object",
        "required": ["name", "title", "description", "parameters", "columns", "links"],
        "properties": {
            "name": {"type": "string"},
            "title": {"type": "string"},
            "description": {"type": "string"},
            "parameters": {"type": "array", "items": {"$ref": "#/components/schemas/Parameter"}},
            "columns": {"type": "array", "items": {"type": "string"}},
            "links": {"type": "object", "additionalProperties": {"type": "string"}},
        },
    },
    "Catalog": {
        "type": "object",
        "required": ["queries"],
        "properties": {
            "queries": {"type": "array", "items": {"$ref": "#/components/schemas/CatalogEntry"}},
            "openapi": {"type": "string"},
        },
    },
}


def _error_response(description: str, page: bool = False) -> dict:
    """An error answer: JSON, or text / HTML for clients that prefer them (ppkg.web.errors);
    with `page`, a page's own form shown again with the error (browsers)."""
    content = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}},
               "text/plain": {"schema": {"type": "string"}},
               "text/html": {"schema": {"type": "string"}}}
    return {"description": description + (" Browsers get the page again, with the error."
                                           if page else ""), "content": content}


def param_schema(param: Param) -> dict:
    if param.type == "iri":
        schema = {"type": "string", "format": "iri", "pattern": "^[Hh][Tt][Tt][Pp][Ss]?://"}
    elif param.type == "date":
        schema = {"type": "string", "format": "date"}
    elif param.type == "integer":
        schema = {"type": "integer"}
    else:
        schema = {"type": "string"}
    if param.default is not None:
        schema["default"] = param.default
    if param.required:
        return schema
    # An empty value leaves an optional parameter out (as an HTML form sends an unset field).
    return {"anyOf": [schema, {"type": "string", "maxLength": 0}]}


def operation(query: Query) -> dict:
    parameters = []
    for param in query.params.values():
        entry = {"name": param.name, "in": "query", "required": param.required,
                 "description": f"{param.description} ({param.type})",
                 "schema": param_schema(param)}
        if param.example is not None:
            entry["example"] = param.example
        parameters.append(entry)
    text = (f"{query.description}\n\nColumns: {', '.join(query.columns)}.\n\n"
            f"Also at `/queries/{query.name}.json`, `.csv` and `.tsv`; the SPARQL is at "
            f"`/queries/{query.name}.rq`.")
    return {
        "operationId": query.name,
        "summary": query.title,
        "description": text,
        "tags": ["queries"],
        "parameters": parameters,
        "responses": {
            "200": {
                "description": "The results (at most the server's row limit; the header "
                               "X-PPKG-Truncated: true says rows were left out).",
                "headers": {
                    "X-PPKG-Truncated": {"description": "true when rows were left out",
                                         "schema": {"type": "string"}},
                    "X-PPKG-Row-Limit": {"description": "the most rows a result holds",
                                         "schema": {"type": "string"}},
                },
                "content": {
                    "application/sparql-results+json": {
                        "schema": {"$ref": "#/components/schemas/SparqlResults"}},
                    "application/json": {
                        "schema": {"$ref": "#/components/schemas/SparqlResults"}},
                    "application/sparql-results+xml": {"schema": {"type": "string"}},
                    "text/csv": {"schema": {"type": "string"}},
                    "text/tab-separated-values": {"schema": {"type": "string"}},
                    "text/html": {"schema": {"type": "string"}},
                },
            },
            "400": _error_response("A parameter value does not fit its type, or the parameter "
                                   "is unknown; the message names it.", page=True),
            "406": _error_response("None of the accepted media types is offered."),
            "503": _error_response("The query ran past the server's time limit."),
        },
    }


def part(catalog: Catalog) -> dict:
    """The catalog's operations, schemas and tags for ppkg.web.openapi's document."""
    paths: dict[str, Any] = {
        "/queries": {"get": {
            "operationId": "list-queries",
            "summary": "The query catalog",
            "description": "Every query with its title, description, parameters and links. "
                           "Also at `/queries.json`.",
            "tags": ["catalog"],
            "responses": {"200": {"description": "The catalog", "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/Catalog"}},
                "text/html": {"schema": {"type": "string"}}}}},
        }},
    }
    for query in catalog:
        paths[f"/queries/{query.name}"] = {"get": operation(query)}
    return {"paths": paths, "schemas": SCHEMAS,
            "tags": [{"name": "queries", "description": "The catalog's questions, one per .rq file"},
                     {"name": "catalog", "description": "The list of questions"}]}
