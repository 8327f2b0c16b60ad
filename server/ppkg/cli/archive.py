"""The archive's commands: `ppkg token create|list|revoke` (local, on the data dir) and
`ppkg submit FILE --endpoint URL` (remote). `ppkg validate FILE --endpoint URL` (in
ppkg.cli.graph) calls `validate_remote` here; reviewing is ppkg.cli.review.

Exit status: 0 accepted or queued / conforms (warnings allowed), 1 refused for violations, 2
anything else (unreadable file, unknown format, refused token, server unreachable or in error).
"""

from __future__ import annotations

import json
import sys
import urllib.parse
from pathlib import Path

import click

from ppkg.archive.tokens import ROLES, TokenError, Tokens
from ppkg.cli.http import RemoteError, bearer, endpoint, error_text, request
from ppkg.config import Config
from ppkg.durable import open_record
from ppkg.errors import RecordUnavailable
from ppkg.formats import SHEET_FORMATS, by_extension, rdf_format_for_path


# --------------------------------------------------------------------------------------------
# Tokens (local)
# --------------------------------------------------------------------------------------------

@click.group()
def token() -> None:
    """Issue, list and revoke API tokens (stored hashed in the data dir, or in the database of
    PPKG_DATABASE_URL)."""


def _tokens(config: Config) -> Tokens:
    record = open_record(config)
    record.prepare()
    return record.tokens


@token.command("create")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), default=None,
              help="contributor (default): submits for review; archivist: also reviews, "
                   "publishes and withdraws; admin: an archivist who manages tokens.")
@click.option("--admin", is_flag=True, help="The same as --role admin.")
@click.pass_obj
def token_create(config: Config, name: str, role: str | None, admin: bool) -> None:
    """Issue a token for NAME and print it (once: only its hash is kept)."""
    if admin and role not in (None, "admin"):
        raise click.UsageError(f"--admin and --role {role} disagree")
    try:
        plain, record = _tokens(config).create(
            name, role="admin" if admin else role or "contributor")
    except (TokenError, OSError, RecordUnavailable) as err:
        click.echo(f"error: {err}", err=True)
        sys.exit(2)
    click.echo(f"Token for {record.name} ({record.role}), shown only this once; keep it secret:",
               err=True)
    click.echo(plain)


@token.command("list")
@click.pass_obj
def token_list(config: Config) -> None:
    """List tokens: name, role, created, revoked (never the tokens themselves)."""
    try:
        store = _tokens(config)
        tokens = store.load()
    except (TokenError, RecordUnavailable) as err:
        click.echo(f"error: {err}", err=True)
        sys.exit(2)
    if not tokens:
        click.echo(f"No tokens in {store.describe()}: submissions are disabled.")
        return
    for t in tokens:
        state = f"revoked {t.revoked}" if t.revoked else "active"
        click.echo(f"{t.name}\t{t.role}\tcreated {t.created}\t{state}")


@token.command("revoke")
@click.argument("name")
@click.pass_obj
def token_revoke(config: Config, name: str) -> None:
    """Revoke NAME's token at once (the name stays reserved: submissions keep it)."""
    try:
        _tokens(config).revoke(name)
    except (TokenError, OSError, RecordUnavailable) as err:
        click.echo(f"error: {err}", err=True)
        sys.exit(2)
    click.echo(f"Revoked the token of {name}.")


# --------------------------------------------------------------------------------------------
# Remote: submit and validate
# --------------------------------------------------------------------------------------------

def _read(path: str, sheet: bool = False) -> tuple[bytes, str]:
    p = Path(path)
    fmt = by_extension(SHEET_FORMATS, p.suffix) if sheet else rdf_format_for_path(p)
    if fmt is None:
        raise RemoteError(f"{path}: " + ("a spreadsheet is a .csv or .xlsx file" if sheet
                                         else "unknown RDF file extension"))
    try:
        return p.read_bytes(), fmt.media_type
    except OSError as err:
        raise RemoteError(f"{path}: cannot be read: {err}") from None


_ACCEPT = {"text": "text/plain", "json": "application/json", "turtle": "text/turtle"}


def validate_remote(path: str, server: str, output_format: str = "text") -> int:
    """POST the file to ENDPOINT/validate and print the report; returns the exit status."""
    try:
        data, content_type = _read(path)
        status, headers, body = request("POST", endpoint(server, "/validate"), data, {
            "Content-Type": content_type, "Accept": _ACCEPT[output_format]})
    except RemoteError as err:
        click.echo(f"error: {err}", err=True)
        return 2
    if status != 200:
        click.echo(f"error: {path}: {error_text(status, body)}", err=True)
        return 2
    click.echo(body.decode(), nl=False)
    conforms = {k.lower(): v for k, v in headers.items()}.get("x-ppkg-conforms")
    return 0 if conforms == "true" else 1


ENDPOINT = click.option("--endpoint", "server", required=True, metavar="URL",
                        envvar="PPKG_ENDPOINT",
                        help="The ppkg server, e.g. http://127.0.0.1:8080 (env PPKG_ENDPOINT).")
TOKEN = click.option("--token", "token_value", required=True, metavar="TOKEN", envvar="PPKG_TOKEN",
                     help="Your API token (env PPKG_TOKEN, which keeps it out of the shell history).")


@click.command()
@click.argument("path", type=click.Path())
@ENDPOINT
@TOKEN
@click.option("--summary", required=True, help="What the submission adds (mandatory).")
@click.option("--queue", is_flag=True,
              help="An archivist's submission: queue it for a colleague's review instead of "
                   "publishing it at once (a contributor's is always queued).")
@click.option("--note", default=None, help="An archivist's note on publishing it at once.")
@click.option("--kind", default=None, metavar="KIND",
              help="PATH is a spreadsheet (.csv or .xlsx) of records of this kind: person, "
                   "imprisonment, charging, sentencing, release, statement or source.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="How to print the outcome (and the report if refused).")
def submit(path: str, server: str, token_value: str, summary: str, queue: bool,
           note: str | None, kind: str | None, output_format: str) -> None:
    """Submit an RDF file, or with --kind a spreadsheet of records, to a ppkg server. Without
    violations, a contributor's submission waits for an archivist's review; an archivist's is
    published at once (self-reviewed).

    Exit status: 0 published or queued, 1 refused for violations (the report is printed: for a
    spreadsheet, each row and column to fix), 2 any other error.
    """
    params = {"summary": summary, **({"review": "queue"} if queue else {}),
              **({"note": note} if note else {})}
    target = f"/entry/{urllib.parse.quote(kind)}" if kind else "/submissions"
    accept = "application/json" if kind else _ACCEPT[output_format]
    try:
        data, content_type = _read(path, sheet=bool(kind))
        # A refusal's report comes as text, grouped by resource, or as JSON; an outcome as JSON.
        status, headers, body = request(
            "POST", endpoint(server, target + "?" + urllib.parse.urlencode(params)), data,
            {"Content-Type": content_type, "Accept": accept, **bearer(token_value)})
    except RemoteError as err:
        click.echo(f"error: {err}", err=True)
        sys.exit(2)
    if kind and status in (201, 202, 422) and output_format == "text":
        sys.exit(_print_sheet_report(json.loads(body), status))
    if status in (201, 202):
        if output_format == "json":
            click.echo(body.decode(), nl=False)
        else:
            payload = json.loads(body)
            counts = payload["report"]["counts"]
            what = "Published" if status == 201 else "Queued for an archivist's review"
            click.echo(f"{what}: {payload['url']} ({payload['triples']} triples, "
                       f"{counts['Warning']} warnings, {len(payload['conflicts'])} conflicts "
                       "with published sources)")
        sys.exit(0)
    if status == 422:
        click.echo(body.decode(), nl=False)
        if output_format == "text":
            click.echo("Refused: the submission violates the shapes; nothing was stored.", err=True)
        sys.exit(1)
    click.echo(f"error: {path}: {error_text(status, body)}", err=True)
    sys.exit(2)


def _print_sheet_report(report: dict, status: int) -> int:
    """A spreadsheet's outcome, one line per cell to fix; the exit status."""
    for e in report["errors"]:
        where = ", ".join(w for w in (f"row {e['row']}" if e["row"] else "",
                                      f"column {e['column']}" if e["column"] else "") if w)
        click.echo(f"{where or 'the upload'}: {e['severity']}: {e['message']}"
                   + (f" (value: {e['value']})" if e["value"] else ""))
    if status == 422:
        click.echo(f"Refused: {len(report['rowsWithViolations'])} of {report['rows']} rows to "
                   "fix; nothing was stored.", err=True)
        return 1
    what = "Published" if status == 201 else "Queued for an archivist's review"
    click.echo(f"{what}: {report['submission']['url']} ({report['rows']} rows, "
               f"{report['triples']} triples)")
    return 0


COMMANDS = [token, submit]
