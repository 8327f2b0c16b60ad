"""A query's result as an HTTP response: the body, its type, the row limit and truncation."""

from __future__ import annotations

import os

from flask import Response, request
from werkzeug.wsgi import wrap_file

from ppkg.formats import TEXT_CHARSET
from ppkg.store import ExecuteResult


def _content_type(media_type: str) -> str:
    return f"{media_type}; charset={TEXT_CHARSET}" if media_type.startswith("text/") else media_type


def result_response(result: ExecuteResult) -> Response:
    """Stream the result file; it is unlinked at once, so nothing is left if the client leaves."""
    handle = open(result.path, "rb")
    try:
        os.unlink(result.path)
        size = os.fstat(handle.fileno()).st_size
    except OSError:
        handle.close()
        raise
    response = Response(wrap_file(request.environ, handle), direct_passthrough=True,
                        content_type=_content_type(result.media_type))
    response.content_length = size
    response.headers["X-PPKG-Row-Limit"] = str(result.row_limit)
    if result.truncated:
        response.headers["X-PPKG-Truncated"] = "true"
    response.vary.add("Accept")
    return response


