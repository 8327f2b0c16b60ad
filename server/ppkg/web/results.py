"""A query's answer as an HTTP response: the body, its type, the row limit and truncation."""

from __future__ import annotations

from flask import Response

from ppkg.sparql.answer import Answer


def result_response(answer: Answer) -> Response:
    response = Response(answer.body, content_type=answer.format.content_type)
    response.headers["X-PPKG-Row-Limit"] = str(answer.row_limit)
    if answer.truncated:
        response.headers["X-PPKG-Truncated"] = "true"
    response.vary.add("Accept")
    return response
