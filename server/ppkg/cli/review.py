"""`ppkg review list|show|accept|reject|withdraw`: the review queue of a ppkg server, from the shell.

Each command is one request to the server's API (/review, /submissions) with your token. `show`
prints what the review page shows — the report, the conflicts, the diff — and the review's
fingerprint, which `accept` must be given: an acceptance publishes what you reviewed, and is
refused if the published graph has changed it since.

Exit status: 0 done, 1 refused (decided already, the review no longer holds, violations), 2 any
other error (unreachable server, bad token, unknown submission).
"""

from __future__ import annotations

import json
import sys
import urllib.parse

import click

from ppkg.cli.archive import ENDPOINT, TOKEN
from ppkg.cli.http import RemoteError, bearer, endpoint, error_text, request

FORMAT = click.option("--format", "output_format", type=click.Choice(["text", "json"]),
                      default="text", show_default=True, help="How to print it.")
WHY = click.option("--note", required=True, help="Why (required).")


def _call(method: str, server: str, path: str, token: str, body: dict | None = None,
          refusals: tuple[int, ...] = ()) -> dict:
    """The JSON answer; exits 1 on a refusal (printing why), 2 on any other error."""
    headers = {"Accept": "application/json", **bearer(token)}
    data = None
    if body is not None:
        data, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
    try:
        status, _headers, raw = request(method, endpoint(server, path), data, headers)
    except RemoteError as err:
        click.echo(f"error: {err}", err=True)
        sys.exit(2)
    if 200 <= status < 300:
        return json.loads(raw)
    click.echo(f"error: {error_text(status, raw)}", err=True)
    if status in refusals:
        payload = json.loads(raw)
        if payload.get("review"):
            click.echo("The review as of now:", err=True)
            click.echo(_review_text(payload["review"]), err=True)
        sys.exit(1)
    sys.exit(2)


@click.group()
def review() -> None:
    """Review what contributors submitted: list, show, accept, reject; withdraw published ones."""


@review.command("list")
@ENDPOINT
@TOKEN
@click.option("--status", type=click.Choice(["pending", "accepted", "rejected", "all"]),
              default="pending", show_default=True)
@FORMAT
def list_(server: str, token_value: str, status: str, output_format: str) -> None:
    """The submissions sent for review, newest first."""
    found = _call("GET", server, "/review?" + urllib.parse.urlencode({"status": status,
                                                                      "limit": 1000}), token_value)
    if output_format == "json":
        click.echo(json.dumps(found, indent=1, ensure_ascii=False))
        return
    if not found["submissions"]:
        click.echo(f"No {status if status != 'all' else ''} submissions.")
    for item in found["submissions"]:
        click.echo(f"{item['id']}\t{item['status']}\t{item['submittedBy']}\t{item['submittedAt']}\t"
                   f"{item['triples']} triples\t{item['summary']}")


@review.command()
@click.argument("submission_id")
@ENDPOINT
@TOKEN
@FORMAT
def show(submission_id: str, server: str, token_value: str, output_format: str) -> None:
    """One submission: the report, the conflicts and the diff as of now, or its decision."""
    item = _call("GET", server, f"/review/{urllib.parse.quote(submission_id)}", token_value)
    if output_format == "json":
        click.echo(json.dumps(item, indent=1, ensure_ascii=False))
        return
    click.echo(f"Submission {item['id']}: {item['summary']}")
    click.echo(f"  sent by {item['submittedBy']} at {item['submittedAt']}, "
               f"{item['triples']} triples")
    decision = item.get("decision")
    if decision:
        note = f": {decision['note']}" if decision["note"] else ""
        click.echo(f"  {decision['decision']} by {decision['reviewedBy']} at "
                   f"{decision['reviewedAt']}{note}")
        return
    click.echo(_review_text(item))
    if item.get("mayDecide"):
        hint = f"ppkg review accept {item['id']} --fingerprint {item['fingerprint']}"
        click.echo(f"\nTo accept exactly this: {hint} [--note TEXT]")


def _review_text(review: dict) -> str:
    report, counts = review["report"], review["diff"]["counts"]
    lines = [f"Report: {report['counts']['Violation']} violations, "
             f"{report['counts']['Warning']} warnings"]
    for r in report["results"]:
        lines.append(f"  {r['severity'].upper()} {r.get('focusLabel') or r['focusNode']}: "
                     f"{r['message']}")
    lines.append(f"Conflicts with published sources: {len(review['conflicts'])}")
    for c in review["conflicts"]:
        sources = ", ".join(s["label"] or s["iri"] for s in c["submitted"]["sources"])
        published = c["published"]["source"]
        cites = "".join(f", after {s['label'] or s['iri']}" for s in published["cites"])
        lines.append(f"  {c['resourceLabel'] or c['resource']}, "
                     f"{c['propertyLabel'] or c['property']}: "
                     f"{c['submitted']['text']!r} (this submission, after {sources or '?'}) vs "
                     f"{c['published']['text']!r} ({published['label'] or published['graph']}"
                     f"{cites})")
    lines.append(f"Diff: {counts['newResources']} new resources, {counts['existingResources']} "
                 f"published ones described, {counts['newStatements']} new statements, "
                 f"{counts['alreadyPublished']} already published")
    for kind in ("newResources", "existingResources"):
        for r in review["diff"][kind]:
            lines.append(f"  {'new' if kind == 'newResources' else 'adds to'} "
                         f"{r['label'] or r['resource']}: {len(r['statements'])} statements")
    lines.append(f"Fingerprint: {review['fingerprint']}")
    return "\n".join(lines)


@review.command()
@click.argument("submission_id")
@ENDPOINT
@TOKEN
@click.option("--fingerprint", required=True,
              help="The fingerprint `ppkg review show` printed: what you reviewed.")
@click.option("--note", default=None, help="Your note (optional).")
def accept(submission_id: str, server: str, token_value: str, fingerprint: str,
           note: str | None) -> None:
    """Accept and publish a submission, as reviewed."""
    done = _call("POST", server, f"/review/{urllib.parse.quote(submission_id)}/accept",
                 token_value, {"fingerprint": fingerprint, "note": note}, refusals=(409, 422))
    click.echo(f"Accepted and published: {done['published']}")


@review.command()
@click.argument("submission_id")
@ENDPOINT
@TOKEN
@WHY
def reject(submission_id: str, server: str, token_value: str, note: str) -> None:
    """Reject a submission, saying why."""
    _call("POST", server, f"/review/{urllib.parse.quote(submission_id)}/reject", token_value,
          {"note": note}, refusals=(409,))
    click.echo(f"Rejected: {submission_id}")


@review.command()
@click.argument("submission_id")
@ENDPOINT
@TOKEN
@WHY
def withdraw(submission_id: str, server: str, token_value: str, note: str) -> None:
    """Withdraw a published submission: its triples leave the published graph, its record stays."""
    _call("DELETE", server, f"/submissions/{urllib.parse.quote(submission_id)}?"
          + urllib.parse.urlencode({"note": note}), token_value, refusals=(410,))
    click.echo(f"Withdrawn: {submission_id}")


COMMANDS = [review]
