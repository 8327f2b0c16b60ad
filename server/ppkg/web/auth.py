"""Who is asking: the request's API token, checked against the data dir's tokens.

A token comes as `Authorization: Bearer <token>` (API clients, the CLI), as the `token` field of
an HTML form (the submission form), or — on the review pages only — in the session cookie that
signing in on /review/sign-in sets: HttpOnly (no script reads it), SameSite=Strict (no other site
sends it), limited to /review, Secure over HTTPS. A form posted with the cookie also carries
`csrf`, a value derived from the token that only a page rendered for it holds. Tokens never come
in a URL and are never logged.

401 when the token is missing (RFC 6750, whether or not any token has been issued), unknown or
revoked (WWW-Authenticate: Bearer); 403 when a token is presented but none has been issued at all
(the submissions API is disabled) or the token's role may not do this.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import Response, request

from ppkg.archive.submissions import SubmissionError
from ppkg.archive.tokens import Token, TokenError, Tokens
from ppkg.web.uploads import is_form

REALM = 'Bearer realm="ppkg"'
COOKIE = "ppkg_review"


def presented(cookie: bool = False) -> tuple[str | None, bool]:
    """(the token the request presents, whether it came in the cookie)."""
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, value = header.partition(" ")
        return (value.strip() if scheme.lower() == "bearer" else None), False
    if is_form() and request.form.get("token", "").strip():
        return request.form["token"].strip(), False
    if cookie and request.cookies.get(COOKIE):
        return request.cookies[COOKIE], True
    return None, False


def authenticate(tokens: Tokens, cookie: bool = False) -> Token:
    """The request's token, or SubmissionError 401 (missing or bad) / 403 (disabled). With
    `cookie`, the review session's cookie counts too (and a form posted with it needs `csrf`)."""
    try:
        enabled = tokens.enabled()
    except TokenError:
        enabled = False
    disabled = ("Submissions are disabled on this server: no token has been issued (an "
                "administrator runs `ppkg token create NAME`)")
    plain, from_cookie = presented(cookie)
    if not plain:
        raise SubmissionError(disabled if not enabled else
                              "Authentication required: send `Authorization: Bearer <token>`",
                              401, headers=[("WWW-Authenticate", REALM)])
    if not enabled:
        raise SubmissionError(disabled, 403)
    token = tokens.authenticate(plain)
    if token is None:
        raise SubmissionError("Invalid or revoked token", 401,
                              headers=[("WWW-Authenticate", REALM + ', error="invalid_token"')])
    if from_cookie and request.method == "POST" and not hmac.compare_digest(
            request.form.get("csrf", ""), csrf_value(plain)):
        raise SubmissionError("This form was not sent from a review page of this server (no "
                              "valid `csrf` field): reload the page and send it again", 403)
    return token


def csrf_value(plain: str) -> str:
    """The anti-forgery value for forms of a page rendered for this token."""
    return hashlib.sha256(b"ppkg-csrf\0" + plain.encode()).hexdigest()[:32]


def session_csrf() -> str:
    """The anti-forgery value for the page being rendered ('' without a session cookie)."""
    plain = request.cookies.get(COOKIE)
    return csrf_value(plain) if plain else ""


def start_session(response: Response, plain: str, path: str) -> None:
    response.set_cookie(COOKIE, plain, path=path, httponly=True, samesite="Strict",
                        secure=request.is_secure)


def end_session(response: Response, path: str) -> None:
    response.delete_cookie(COOKIE, path=path, httponly=True, samesite="Strict",
                           secure=request.is_secure)
