"""The archivists' commands: `ppkg token create|list|revoke` (local, on the data dir) and
`ppkg submit FILE --endpoint URL` (remote). `ppkg validate FILE --endpoint URL` (in
ppkg.cli.graph) calls `validate_remote` here.

Exit status: 0 accepted / conforms (warnings allowed), 1 refused for violations, 2 anything else
(unreadable file, unknown format, refused token, server unreachable or in error).
"""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import click

from ppkg.config import Config
from ppkg.formats import rdf_format_for_path
from ppkg.archive.tokens import TokenError, TokenStore

TIMEOUT = 120  # seconds for one HTTP request


# --------------------------------------------------------------------------------------------
# Tokens (local)
# --------------------------------------------------------------------------------------------

@click.group()
def token() -> None:
    """Issue, list and revoke archivists' API tokens (stored hashed in the data dir)."""


@token.command("create")
@click.argument("name")
@click.option("--admin", is_flag=True, help="May withdraw anyone's submission.")
@click.pass_obj
def token_create(config: Config, name: str, admin: bool) -> None:
    """Issue a token for NAME and print it (once: only its hash is kept)."""
    try:
        plain, record = TokenStore(config.data_dir).create(name, admin=admin)
    except (TokenError, OSError) as err:
        click.echo(f"error: {err}", err=True)
        sys.exit(2)
    click.echo(f"Token for {record.name}{' (admin)' if record.admin else ''}, shown only this "
               f"once; keep it secret:", err=True)
    click.echo(plain)


@token.command("list")
@click.pass_obj
def token_list(config: Config) -> None:
    """List tokens: name, admin, created, revoked (never the tokens themselves)."""
    try:
        tokens = TokenStore(config.data_dir).load()
    except TokenError as err:
        click.echo(f"error: {err}", err=True)
        sys.exit(2)
    if not tokens:
        click.echo(f"No tokens in {config.data_dir}: submissions are disabled.")
        return
    for t in tokens:
        state = f"revoked {t.revoked}" if t.revoked else "active"
        click.echo(f"{t.name}\t{'admin' if t.admin else '-'}\tcreated {t.created}\t{state}")


@token.command("revoke")
@click.argument("name")
@click.pass_obj
def token_revoke(config: Config, name: str) -> None:
    """Revoke NAME's token at once (the name stays reserved: submissions keep it)."""
    try:
        TokenStore(config.data_dir).revoke(name)
    except (TokenError, OSError) as err:
        click.echo(f"error: {err}", err=True)
        sys.exit(2)
    click.echo(f"Revoked the token of {name}.")


# --------------------------------------------------------------------------------------------
# Remote: submit and validate
# --------------------------------------------------------------------------------------------

class RemoteError(Exception):
    pass


def _read(path: str) -> tuple[bytes, str]:
    p = Path(path)
    fmt = rdf_format_for_path(p)
    if fmt is None:
        raise RemoteError(f"{path}: unknown RDF file extension")
    try:
        return p.read_bytes(), fmt.media_type
    except OSError as err:
        raise RemoteError(f"{path}: cannot be read: {err}") from None


def _post(url: str, data: bytes, content_type: str, accept: str,
          headers: dict | None = None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, data=data, method="POST", headers={
        "Content-Type": content_type, "Accept": accept, **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()
    except (urllib.error.URLError, OSError) as err:
        raise RemoteError(f"{url}: {getattr(err, 'reason', err)}") from None


def _error_text(status: int, body: bytes) -> str:
    try:
        payload = json.loads(body)
        message = payload.get("error") or body.decode(errors="replace")
        where = ""
        if payload.get("line"):
            where = f" (line {payload['line']}" + (f", column {payload['column']}" if payload.get("column") else "") + ")"
        return f"{status}: {message}{where}"
    except (ValueError, AttributeError):
        return f"{status}: {body.decode(errors='replace').strip()}"


def _endpoint(url: str, path: str) -> str:
    return url.rstrip("/") + path


_ACCEPT = {"text": "text/plain", "json": "application/json", "turtle": "text/turtle"}


def validate_remote(path: str, endpoint: str, output_format: str = "text") -> int:
    """POST the file to ENDPOINT/validate and print the report; returns the exit status."""
    try:
        data, content_type = _read(path)
        status, headers, body = _post(_endpoint(endpoint, "/validate"), data, content_type,
                                      _ACCEPT[output_format])
    except RemoteError as err:
        click.echo(f"error: {err}", err=True)
        return 2
    if status != 200:
        click.echo(f"error: {path}: {_error_text(status, body)}", err=True)
        return 2
    click.echo(body.decode(), nl=False)
    conforms = {k.lower(): v for k, v in headers.items()}.get("x-ppkg-conforms")
    return 0 if conforms == "true" else 1


@click.command()
@click.argument("path", type=click.Path())
@click.option("--endpoint", required=True, metavar="URL",
              help="The ppkg server, e.g. http://127.0.0.1:8080 (env PPKG_ENDPOINT).",
              envvar="PPKG_ENDPOINT")
@click.option("--token", "token_value", required=True, metavar="TOKEN", envvar="PPKG_TOKEN",
              help="Your API token (env PPKG_TOKEN, which keeps it out of the shell history).")
@click.option("--summary", required=True, help="What the submission adds (mandatory).")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="How to print the outcome (and the report if refused).")
def submit(path: str, endpoint: str, token_value: str, summary: str, output_format: str) -> None:
    """Submit an RDF file to a ppkg server: published at once if it has no violation.

    Exit status: 0 accepted, 1 refused for violations (the report is printed), 2 any other error.
    """
    try:
        data, content_type = _read(path)
        url = _endpoint(endpoint, "/submissions?" + urllib.parse.urlencode({"summary": summary}))
        # A refusal's report comes as text, grouped by resource, or as JSON; an acceptance as JSON.
        status, headers, body = _post(url, data, content_type, _ACCEPT[output_format],
                                      {"Authorization": f"Bearer {token_value.strip()}"})
    except RemoteError as err:
        click.echo(f"error: {err}", err=True)
        sys.exit(2)
    if status == 201:
        if output_format == "json":
            click.echo(body.decode(), nl=False)
        else:
            payload = json.loads(body)
            counts = payload.get("report", {}).get("counts", {})
            click.echo(f"Accepted: {payload['url']} ({payload['triples']} triples, "
                       f"{counts.get('Warning', 0)} warnings)")
        sys.exit(0)
    if status == 422:
        click.echo(body.decode(), nl=False)
        if output_format == "text":
            click.echo("Refused: the submission violates the shapes; nothing was stored.", err=True)
        sys.exit(1)
    click.echo(f"error: {path}: {_error_text(status, body)}", err=True)
    sys.exit(2)


COMMANDS = [token, submit]
