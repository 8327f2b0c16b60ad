"""The data's version, and the HTTP validators (ETag, Last-Modified, 304) derived from it.

`current_version()` is the one place that says which version of the data a response shows; every
ETag is computed from it on each request and never stored elsewhere, so when the dataset's version
changes (accepted submissions) every page, description and dump changes its ETag at once.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import datetime, timezone

from flask import Response, request

from ppkg import __version__
from ppkg.web.context import services

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
