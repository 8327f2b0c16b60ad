"""Talking to a ppkg server from the shell: one request, its status, headers and body, and errors
as one line (for `ppkg submit`, `ppkg validate --endpoint` and `ppkg review`)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

TIMEOUT = 120  # seconds for one request


class RemoteError(Exception):
    """The server cannot be reached, or a local file cannot be read."""


def request(method: str, url: str, data: bytes | None = None, headers: dict | None = None,
            ) -> tuple[int, dict, bytes]:
    """(status, headers, body) of one request; RemoteError when the server is unreachable."""
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()
    except (urllib.error.URLError, OSError) as err:
        raise RemoteError(f"{url}: {getattr(err, 'reason', err)}") from None


def endpoint(url: str, path: str) -> str:
    return url.rstrip("/") + path


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token.strip()}"}


def error_text(status: int, body: bytes) -> str:
    """`status: message (line L, column C)` from an error body (JSON, else its text)."""
    try:
        payload = json.loads(body)
        message = payload.get("error") or body.decode(errors="replace")
        where = ""
        if payload.get("line"):
            where = f" (line {payload['line']}" + (f", column {payload['column']}" if payload.get("column") else "") + ")"
        return f"{status}: {message}{where}"
    except (ValueError, AttributeError):
        return f"{status}: {body.decode(errors='replace').strip()}"
