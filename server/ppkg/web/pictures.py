"""The pictures of a resource, each a page of its own and a JSON twin:

    /timeline/{kind}/{slug}[.json]   the timeline of https://w3id.org/ppkg/id/{kind}/{slug}
    /network/{kind}/{slug}[.json]    its network
    /timeline[.json]                 every dated event of the graph (the home page's picture)

HTML by default (the picture over its plain list, which works without JavaScript), JSON by the
extension, Accept or `?format=json`. The JSON is what the page draws: the timeline's events with
each source's date or words for when, the network's nodes and edges with their sources
(ppkg.web.reading). These paths sit outside /id/, so they cannot clash with a resource's IRI.
"""

from __future__ import annotations

from flask import Blueprint
from werkzeug.exceptions import NotFound

from ppkg.linked_data import describe as ld
from ppkg.linked_data.kinds import class_kinds
from ppkg.web.context import iri_map, services, site_root
from ppkg.web.reading import READER_KINDS, as_data, kind_of, read
from ppkg.web.reading.all_events import all_dated_events
from ppkg.web.render import PAGE_FORMATS, by_path_extension, negotiate, respond
from ppkg.web.resources import described, picture_links, split_path, stored_iri
from ppkg.web.versions import conditional

bp = Blueprint("pictures", __name__, template_folder="templates")


@bp.get("/timeline/<path:rest>")
def timeline(rest: str):
    return _picture("timeline", rest)


@bp.get("/network/<path:rest>")
def network(rest: str):
    return _picture("network", rest)


def _picture(what: str, rest: str):
    segments, forced = split_path("id/" + rest, PAGE_FORMATS)
    path = "/".join(segments)
    fmt = negotiate(PAGE_FORMATS, forced)
    etag, version, unchanged = conditional(f"{what}\0{path}\0{fmt.name}")
    if unchanged:
        return unchanged
    ppkg = services()
    iri = stored_iri(ppkg.config.base_iri + path)
    desc = described(iri)
    if desc.empty:
        raise NotFound(f"Nothing is known about <{iri_map().public(iri)}>")
    kinds = class_kinds(ppkg.query, version.tag)
    if kind_of(iri, desc.quads, kinds) not in READER_KINDS:
        raise NotFound(f"<{iri_map().public(iri)}> has no {what}: it is not a person, "
                       "organisation, event, statement, document or source")
    vocab = ld.vocabulary(ppkg.query, version.tag)
    reading = read(ppkg.query, iri, desc.quads, vocab, kinds, iri_map(), site_root(), [],
                   pictures_only=True)
    picture = reading.timeline if what == "timeline" else reading.network
    data = {"resource": as_data(reading.focus), what: as_data(picture)}
    if fmt.name == "html":
        data.update(what=what, picture=picture, links=picture_links(path))
    return respond(fmt, data=data, template="picture.html", validators=(etag, version))


@bp.get("/timeline")
@bp.get("/timeline.<ext>")
def everything(ext: str | None = None):
    fmt = negotiate(PAGE_FORMATS, by_path_extension(ext, PAGE_FORMATS))
    etag, version, unchanged = conditional(f"timeline\0{fmt.name}")
    if unchanged:
        return unchanged
    ppkg = services()
    vocab = ld.vocabulary(ppkg.query, version.tag)
    found = all_dated_events(ppkg.query, vocab, class_kinds(ppkg.query, version.tag), iri_map(),
                             site_root(), version.tag)
    data = {"resource": None, "timeline": as_data(found)}
    if fmt.name == "html":
        root = site_root()
        data.update(what="timeline", picture=found,
                    links={"timeline_json": f"{root}/timeline.json", "timeline_page": None})
    return respond(fmt, data=data, template="picture.html", validators=(etag, version))
