"""The data's version, the header every response carries it in, read-your-writes, and the HTTP
validators (ETag, Last-Modified, 304) derived from it.

The version is one number: the last accepted change (of the data dir's log, or of the shared
record a replica follows) that the answer includes — ppkg.store.StoreDataset.seq. Every response
says it in `X-PPKG-Version`. A client that has just written version N (a submission's answer
says it) can ask any server for at least N with `?min-version=N` or `X-PPKG-Min-Version: N`:
the server waits up to MIN_VERSION_WAIT for its copy to get there, else answers 503 with
Retry-After — never older data without saying so.

`current_version()` is the one place that says which version of the data a response shows; every
ETag is computed from it on each request and never stored elsewhere, so when the dataset's version
changes (accepted submissions) every page, description and dump changes its ETag at once.
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass
from datetime import datetime, timezone

from flask import Response, g, request

from ppkg import __version__
from ppkg.web.context import services
from ppkg.web.errors import error_response

VERSION_HEADER = "X-PPKG-Version"
MIN_VERSION_HEADER = "X-PPKG-Min-Version"
MIN_VERSION_PARAM = "min-version"
MIN_VERSION_WAIT = 2.0  # seconds a request for a version not applied yet waits for it

def require_version():
    """Before a request: note the version it is answered at, after waiting (bounded) for the one
    it asks for; a 503 with Retry-After when that does not come, a 400 for a malformed one."""
    wanted = request.args.get(MIN_VERSION_PARAM) or request.headers.get(MIN_VERSION_HEADER)
    dataset = services().dataset
    if wanted is None or wanted == "":
        g.data_seq = dataset.seq
        return None
    if not wanted.isdigit() or len(wanted) > 18:
        return error_response(400, f"`{MIN_VERSION_PARAM}` is a version number (a whole number), "
                                   f"not {wanted[:40]!r}")
    config = services().config
    # Only a replica can be behind: the data dir's own log is the record itself.
    patience = min(MIN_VERSION_WAIT, config.query_timeout / 2) if config.database_url else 0.0
    reached = wait_for(int(wanted), patience)
    g.data_seq = dataset.seq
    if not reached:
        return error_response(503, f"This server has the data up to version {g.data_seq}, not "
                                   f"yet {int(wanted)}: try again in a moment (or another "
                                   "server)", [("Retry-After", "1")], version=g.data_seq)
    return None


def wait_for(seq: int, seconds: float = MIN_VERSION_WAIT) -> bool:
    """Wait, at most `seconds`, until the next query here sees change `seq`; whether it does."""
    dataset = services().dataset
    deadline = time.monotonic() + seconds
    while dataset.seq < seq:
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.005)
    return True


def answered_at(seq: int) -> None:
    """The response includes change `seq` (a write's own, once applied here)."""
    g.data_seq = max(g.get("data_seq", 0), seq)


def stamp_version(response: Response) -> Response:
    """After a request: the version it was answered at."""
    seq = g.get("data_seq")
    response.headers[VERSION_HEADER] = str(services().dataset.seq if seq is None else seq)
    return response


def openapi_components() -> dict:
    """The version header and the min-version parameters, for every operation of /openapi.json."""
    version = {"description": "The version of the data this answer includes: the number of the "
                              "last accepted change (ppkg's one notion of a data version)",
               "schema": {"type": "integer", "minimum": 0}}
    wanted = {"description": "Answer only from data that includes this version (a write's "
                             "answer gives its version): a replica waits up to "
                             f"{MIN_VERSION_WAIT:g} s for it, else answers 503 with Retry-After",
              "required": False, "schema": {"type": "integer", "minimum": 0}}
    return {
        "headers": {"Version": version},
        "parameters": {
            "minVersion": {"name": MIN_VERSION_PARAM, "in": "query", **wanted},
            "minVersionHeader": {"name": MIN_VERSION_HEADER, "in": "header", **wanted}},
        "responses": {"NotYet": {
            "description": "This server does not have the version asked for (min-version) yet, "
                           "or the record it writes to cannot be reached: try again after "
                           "Retry-After seconds",
            "headers": {"Retry-After": {"schema": {"type": "integer"}},
                        VERSION_HEADER: {"$ref": "#/components/headers/Version"}}}},
    }


def versioned(paths: dict) -> dict:
    """Every answer says its version. min-version (components.parameters) is taken by every
    operation but listed on none: a generated request asking for a version this server does not
    have is answered 503 by design, which API checkers would count as a server error."""
    for operations in paths.values():
        for operation in operations.values():
            for response in (operation.get("responses") or {}).values() \
                    if isinstance(operation, dict) else ():
                if isinstance(response, dict) and "$ref" not in response:
                    response.setdefault("headers", {})[VERSION_HEADER] = {
                        "$ref": "#/components/headers/Version"}
    return paths


_STARTED = datetime.now(timezone.utc).replace(microsecond=0)


@dataclass(frozen=True)
class DataVersion:
    tag: str  # the dataset's version string (changes whenever the data does)
    modified: datetime  # when that version of the data was last modified (UTC, whole seconds)


def current_version() -> DataVersion:
    """The version of the data this worker serves: services().dataset.version.

    Last-Modified is the dataset's own `modified` time when it has one, else the newest
    modification time of the files it was loaded from, else the time this process started.
    """
    dataset = services().dataset
    tag = str(getattr(dataset, "version", "") or "unversioned")
    modified = getattr(dataset, "modified", None)
    if isinstance(modified, (int, float)):
        modified = datetime.fromtimestamp(modified, timezone.utc)
    if not isinstance(modified, datetime):
        times = []
        for path in getattr(dataset, "files", ()) or ():
            try:
                times.append(os.stat(path).st_mtime)
            except OSError:
                pass
        modified = datetime.fromtimestamp(max(times), timezone.utc) if times else _STARTED
    if modified.tzinfo is None:
        modified = modified.replace(tzinfo=timezone.utc)
    return DataVersion(tag, modified.astimezone(timezone.utc).replace(microsecond=0))


def etag_for(variant: str, version: DataVersion | None = None) -> str:
    """A strong ETag for one representation (`variant` names the resource and the format)."""
    version = version or current_version()
    key = "\0".join((version.tag, services().config.base_iri, __version__, variant))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def not_modified(etag: str, version: DataVersion) -> bool:
    """True when the request's If-None-Match (or, without one, If-Modified-Since) matches."""
    if request.if_none_match:
        return request.if_none_match.contains_weak(etag)
    since = request.if_modified_since
    if since is not None:
        return version.modified <= since
    return False


def set_validators(response: Response, etag: str, version: DataVersion,
                   vary: bool = True) -> Response:
    response.set_etag(etag)
    response.last_modified = version.modified
    response.headers["Cache-Control"] = "public, no-cache"
    if vary:
        response.vary.add("Accept")
    return response


def not_modified_response(etag: str, version: DataVersion, vary: bool = True) -> Response:
    return set_validators(Response(status=304), etag, version, vary)


def conditional(variant: str, vary: bool = True) -> tuple[str, DataVersion, Response | None]:
    """The ETag and data version of one representation, and the 304 to answer instead when the
    request's validators already match it (None otherwise)."""
    version = current_version()
    etag = etag_for(variant, version)
    unchanged = not_modified_response(etag, version, vary) if not_modified(etag, version) else None
    return etag, version, unchanged
