"""The review queue: archivists see each submission's report, diff and conflicts, and decide.

- `GET /review` — the submissions sent for review, newest first (`status` = pending (default),
  accepted, rejected or all; `limit`, `offset`), JSON or HTML. Archivists see all of them, a
  contributor their own.
- `GET /review/<id>` — one submission: who sent it, when, its summary, and, while it waits, the
  review as of now (ppkg.archive.review): the SHACL report, the diff against the published graph,
  the conflicts with published sources, and the fingerprint an acceptance must carry; once
  decided, the decision. JSON, HTML (with the decision forms), or the submitted triples as RDF.
- `POST /review/<id>/accept` — `fingerprint` (required) and `note`, as a JSON object or a form:
  200 with the published submission (Location /submissions/<id>); 409 when it is decided already
  or the review no longer holds (the body has the new review), 422 when it now has violations.
- `POST /review/<id>/reject` — `note` (required): 200 with the decision; 409 when decided.

Only archivists decide (403 for a contributor); 401 without a valid token. The HTML pages
authenticate with a session cookie set by signing in with a token (/review/sign-in, ppkg.web.auth);
a page asked for without one is redirected there.
"""

from __future__ import annotations

import re

import pyoxigraph as ox
from flask import Blueprint, Response, redirect, render_template, request, url_for

from ppkg.archive.pending import Decision, Pending
from ppkg.archive.submissions import Archive, ReviewRefused, SubmissionError
from ppkg.archive.tokens import Token
from ppkg.formats import HTML, JSON, RDF_FORMATS
from ppkg.store.changelog import LockTimeout, LogError
from ppkg.vocab import PREFIXES
from ppkg.web.archive_openapi import review_part
from ppkg.web.archiving import (
    archive,
    body_fields,
    choice_arg,
    int_arg,
    json_response,
    open_archive,
)
from ppkg.web.auth import REALM, authenticate, end_session, session_csrf, start_session
from ppkg.web.context import public_url
from ppkg.web.errors import error_response
from ppkg.web.render import negotiate, wants
from ppkg.web.uploads import write_refused

bp = Blueprint("review", __name__)

QUEUE_FORMATS = (JSON, HTML)
REVIEW_FORMATS = (JSON, HTML) + RDF_FORMATS  # RDF: the submitted triples
STATUSES = ("pending", "accepted", "rejected", "all")


@bp.record_once
def _recover(state) -> None:
    open_archive(state.app)


@bp.errorhandler(LockTimeout)
@bp.errorhandler(LogError)
def _unwritable(err: LockTimeout | LogError):
    status, message, headers = write_refused(err)
    return error_response(status, message, headers)


@bp.errorhandler(SubmissionError)
def _refused(err: SubmissionError):
    details = dict(err.details)
    headers = list(details.pop("headers", []) or [])
    html = wants((JSON, HTML)) is HTML
    if html and err.status == 401:
        return redirect(url_for("review.sign_in", next=request.path), 303)
    return error_response(err.status, err.message, headers, **details)


def _viewer(arch: Archive) -> Token:
    return authenticate(arch.tokens, cookie=True)


def _session_path() -> str:
    return url_for("review.queue")


# --------------------------------------------------------------------------------------------
# Signing in (the HTML pages' session)
# --------------------------------------------------------------------------------------------

@bp.get("/review/sign-in")
def sign_in():
    return render_template("review_sign_in.html", next=_next(), error=None)


@bp.post("/review/sign-in")
def start():
    arch = archive()
    token = arch.tokens.authenticate(request.form.get("token", ""))
    if token is None:
        return Response(render_template("review_sign_in.html", next=_next(),
                                        error="Invalid or revoked token"),
                        status=401, mimetype="text/html",
                        headers={"WWW-Authenticate": REALM})
    response = redirect(_next(), 303)
    start_session(response, request.form["token"].strip(), _session_path())
    return response


@bp.post("/review/sign-out")
def stop():
    response = redirect(url_for("review.sign_in"), 303)
    end_session(response, _session_path())
    return response


def _next() -> str:
    """Where to go after signing in: a review page of this server, nowhere else."""
    wanted = request.values.get("next") or ""
    root = _session_path()
    return wanted if re.fullmatch(re.escape(root) + r"(/[\w-]+)*", wanted) else root


# --------------------------------------------------------------------------------------------
# The queue and one submission
# --------------------------------------------------------------------------------------------

@bp.get("/review")
def queue():
    fmt = negotiate(QUEUE_FORMATS)
    arch = archive()
    token = _viewer(arch)
    status = choice_arg("status", "pending", STATUSES)
    limit = int_arg("limit", 100, 1, 1000)
    offset = int_arg("offset", 0, 0, 10**9)
    items = [(p, d) for p, d in arch.queue(status)
             if token.may("archivist") or p.submitter == token.name][offset:offset + limit]
    listed = [_summary(p, d) for p, d in items]
    if fmt is HTML:
        return _no_store(Response(render_template(
            "review_queue.html", items=listed, status=status, statuses=STATUSES, viewer=token,
            csrf=session_csrf()), mimetype="text/html"))
    return json_response({"submissions": listed, "count": len(listed), "status": status,
                          "limit": limit, "offset": offset,
                          "viewer": {"name": token.name, "role": token.role}})


@bp.get("/review/<submission_id>")
def show(submission_id: str):
    fmt = negotiate(REVIEW_FORMATS)
    arch = archive()
    token = _viewer(arch)
    pending = arch.pending(submission_id, token)
    if fmt not in (JSON, HTML):
        quads = pending.upload().quads
        return _no_store(Response(ox.serialize(quads, format=fmt.oxigraph, prefixes=PREFIXES),
                                  mimetype=fmt.media_type))
    decision = arch.decision(submission_id)
    review = None if decision else arch.review(pending)
    if fmt is HTML:
        return _page(arch, token, pending, review, 200, decision=decision)
    return json_response({**_summary(pending, decision), "mayDecide": token.may("archivist"),
                          **(review.to_json() if review else {})})


def _page(arch: Archive, token: Token, pending: Pending, review, status: int,
          decision: Decision | None = None, refused: str | None = None) -> Response:
    return _no_store(Response(render_template(
        "review.html", item=_summary(pending, decision),
        review=review.to_json() if review else None,
        viewer=token, may_decide=token.may("archivist") and decision is None,
        csrf=session_csrf(), refused=refused), status=status, mimetype="text/html"))


# --------------------------------------------------------------------------------------------
# Decisions
# --------------------------------------------------------------------------------------------

@bp.post("/review/<submission_id>/accept")
def accept(submission_id: str):
    arch = archive()
    token = _viewer(arch)
    fields = body_fields("note", "fingerprint")
    try:
        published = arch.accept(submission_id, token, fields["fingerprint"], fields["note"])
    except ReviewRefused as refused:  # answered with the review as it is now
        if wants((JSON, HTML)) is HTML:
            return _page(arch, token, arch.pending(submission_id, token), refused.review,
                         refused.status, refused=refused.message)
        return error_response(refused.status, refused.message, **refused.details,
                              review=refused.review.to_json())
    if wants((JSON, HTML)) is HTML:
        return redirect(url_for("review.show", submission_id=submission_id), 303)
    location = url_for("submissions.show", submission_id=published.id)
    response = json_response({**_summary(arch.pending(submission_id, token, data=False),
                                         arch.decision(submission_id)),
                              "graph": published.graph})
    response.headers["Location"] = location
    return response


@bp.post("/review/<submission_id>/reject")
def reject(submission_id: str):
    arch = archive()
    token = _viewer(arch)
    fields = body_fields("note")
    decision = arch.reject(submission_id, token, fields["note"])
    if wants((JSON, HTML)) is HTML:
        return redirect(url_for("review.show", submission_id=submission_id), 303)
    return json_response(_summary(arch.pending(submission_id, token, data=False), decision))


# --------------------------------------------------------------------------------------------

def _summary(pending: Pending, decision: Decision | None) -> dict:
    out = {"id": pending.id,
           "url": public_url(url_for("review.show", submission_id=pending.id)),
           "status": decision.decision if decision else "pending",
           "summary": pending.summary, "submittedBy": pending.submitter,
           "submittedAt": pending.submitted, "triples": pending.triples,
           "decision": decision.public() if decision else None}
    if decision is not None and decision.decision == "accepted":
        out["published"] = public_url(url_for("submissions.show", submission_id=pending.id))
    return out


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


def openapi_part() -> dict:
    return review_part()
