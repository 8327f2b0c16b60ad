"""/dataset (VoID + DCAT description) and /dumps/ppkg.trig, /dumps/ppkg.nq.gz.

The dumps are written once per data version into Config.data_dir / "cache" (ppkg.dump) and
streamed from disk with Content-Length, an ETag from the data's version, Last-Modified, and their
SHA-256 as `Digest: sha-256=<base64>`, `Repr-Digest: sha-256=:<base64>:` and
`X-Checksum-SHA256: <hex>`. Range requests and If-None-Match are honoured (304 / 206).
"""

from __future__ import annotations

import base64

from flask import Blueprint, send_file
from werkzeug.exceptions import NotFound

from ppkg.formats import HTML
from ppkg.linked_data import dataset_description
from ppkg.linked_data import dumps as dump
from ppkg.linked_data.rdf import serialize_quads
from ppkg.web.context import iri_map, services, site_root
from ppkg.web.render import (DOCUMENT_FORMATS, by_path_extension, document_headers, negotiate,
                             respond)
from ppkg.web.versions import conditional, current_version, etag_for

bp = Blueprint("dataset", __name__, template_folder="templates")


def current_dumps(version) -> dict[str, dump.CachedDump]:
    ppkg = services()
    return dump.cached_dumps(ppkg.query, ppkg.config.data_dir, version.tag,
                             version_now=lambda: current_version().tag)


@bp.get("/dataset")
@bp.get("/dataset.<ext>")
def dataset(ext: str | None = None):
    forced = by_path_extension(ext, DOCUMENT_FORMATS)
    fmt = negotiate(DOCUMENT_FORMATS, forced)
    etag, version, unchanged = conditional(f"dataset\0{fmt.name}")
    if unchanged:
        return unchanged
    mapping = iri_map()
    info = dataset_description.gather(services().query, mapping, version.tag, version.modified,
                                      current_dumps(version))
    if fmt is not HTML:
        response = respond(fmt, rdf=lambda f: serialize_quads(
            dataset_description.triples(info, mapping), f, mapping, first=info.iri,
            extra_prefixes=dataset_description.PREFIXES), validators=(etag, version))
        return document_headers(response, "dataset", fmt, forced is None)
    data = {"info": info, "title": dataset_description.TITLE,
            "description": dataset_description.DESCRIPTION,
            "graphs": [(g, mapping.public(g.iri), _graph_href(g.iri)) for g in info.graphs],
            "root": site_root(),
            "example_href": _graph_href(info.example) if info.example else None}
    return respond(HTML, data=data, template="dataset.html", validators=(etag, version))


def _graph_href(iri: str | None) -> str | None:
    if not iri:
        return None
    path = iri_map().path(iri)
    return f"{site_root()}/{path}" if path is not None else None


@bp.get("/dumps/<name>")
def dumps(name: str):
    spec = dump.HTTP_DUMPS_BY_NAME.get(name)
    if spec is None:
        raise NotFound("Available dumps: " + ", ".join(d.name for d in dump.HTTP_DUMPS))
    etag, version, unchanged = conditional(f"dump\0{name}", vary=False)
    if unchanged:
        return unchanged
    for attempt in (1, 2):
        cached = current_dumps(version)[name]
        try:  # send_file opens the file at once: a newer version cannot remove it afterwards
            response = send_file(cached.path, mimetype=spec.media_type, conditional=True,
                                 etag=etag, last_modified=version.modified, max_age=None)
            break
        except FileNotFoundError:  # removed by a worker writing a newer version: once more
            if attempt == 2:
                raise
            version = current_version()
            etag = etag_for(f"dump\0{name}", version)
    digest = base64.b64encode(bytes.fromhex(cached.sha256)).decode("ascii")
    response.headers["Digest"] = f"sha-256={digest}"
    response.headers["Repr-Digest"] = f"sha-256=:{digest}:"
    response.headers["X-Checksum-SHA256"] = cached.sha256
    response.headers["Cache-Control"] = "public, no-cache"
    response.headers["Accept-Ranges"] = "bytes"
    return response
