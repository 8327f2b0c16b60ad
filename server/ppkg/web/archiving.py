"""What the archive's blueprints (/submissions, /review) share: the app's Archive, request
parameters checked with a 400 naming the problem, and JSON answers that are never cached."""

from __future__ import annotations

import json
import re

from flask import Flask, Response, current_app, request

from ppkg.archive.submissions import Archive, SubmissionError
from ppkg.web.uploads import is_form

_IRI = re.compile(r"^https?://[^\s<>\"{}|^`\\]+$")


def open_archive(app: Flask) -> Archive:
    """The app's Archive over its durable record and query service, recovered from any crash
    (run when the app is built: in gunicorn's master, before the workers are forked)."""
    s = app.extensions["ppkg"]
    found = Archive(s.record, s.query)
    found.recover()
    app.extensions["ppkg.archive"] = found
    return found


def archive() -> Archive:
    """The Archive of this app."""
    return current_app.extensions.get("ppkg.archive") or open_archive(current_app)


def param(name: str) -> str | None:
    """A query parameter, else the form field of that name."""
    value = request.args.get(name)
    if value is None and is_form():
        value = request.form.get(name)
    return value


def body_fields(*names: str) -> dict:
    """Fields of a JSON object body, or of a form; 400 for any other body."""
    if is_form():
        return {n: request.form.get(n) for n in names}
    if request.mimetype == "application/json":
        try:
            data = json.loads(request.get_data(cache=True) or b"{}")
        except ValueError as err:
            raise SubmissionError(f"The body is not valid JSON: {err}", 400) from None
        if not isinstance(data, dict):
            raise SubmissionError("The body must be a JSON object", 400)
        out = {}
        for n in names:
            value = data.get(n)
            if value is not None and not isinstance(value, str):
                raise SubmissionError(f"`{n}` must be a string", 400)
            out[n] = value
        return out
    if request.content_length:
        raise SubmissionError("Send the fields as a JSON object (Content-Type: application/json) "
                              "or as a form", 415)
    return {n: None for n in names}


def int_arg(name: str, default: int, lowest: int, highest: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SubmissionError(f"`{name}` must be an integer, not {raw!r}", 400) from None
    return max(lowest, min(highest, value))


def choice_arg(name: str, default: str, allowed: tuple[str, ...]) -> str:
    raw = request.args.get(name) or default
    if raw not in allowed:
        raise SubmissionError(f"`{name}` is one of {', '.join(allowed)}, not {raw!r}", 400)
    return raw


def iri_arg(name: str) -> str:
    raw = (request.args.get(name) or "").strip()
    if not _IRI.match(raw):
        raise SubmissionError(f"`{name}` must be an absolute http(s) IRI, not {raw!r}", 400)
    return raw


def json_response(body: dict, status: int = 200) -> Response:
    return Response(json.dumps(body, ensure_ascii=False, indent=1) + "\n", status=status,
                    mimetype="application/json", headers={"Cache-Control": "no-store"})
