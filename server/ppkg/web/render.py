"""One view, many renderers: pick the representation, then render a view's data as it.

A view computes its data once — a dict for the HTML page and the JSON twin, quads for RDF — and
calls `respond`. What can be asked for (by extension, `?format=` or Accept) is the format table's
(ppkg.formats); `negotiate` applies the one rule, and `respond` turns the data into the body.
Datasette's renderers are the model.
"""

from __future__ import annotations

from typing import Callable, Mapping, Sequence

from flask import Response, json, render_template, request
from werkzeug.exceptions import NotFound

from ppkg.errors import NotAcceptable
from ppkg.formats import HTML, JSON, RDF_FORMATS, Format, RdfFormat, by_extension
from ppkg.negotiate import choose, media_types
from ppkg.web.context import site_root
from ppkg.web.versions import DataVersion, set_validators

# Linked-data documents: Turtle first (what `*/*` or no Accept gets), then the others, then HTML.
DOCUMENT_FORMATS: tuple[Format, ...] = RDF_FORMATS + (HTML,)
PAGE_FORMATS: tuple[Format, ...] = (HTML, JSON)


def by_path_extension(extension: str | None, offers: Sequence[Format]) -> Format | None:
    """The format a path's extension asks for (`/classes.json`); a 404 listing the others."""
    if extension is None:
        return None
    found = by_extension(offers, extension)
    if found is None or found not in offers:
        raise NotFound("Available as " + ", ".join(o.extension for o in offers if o.extension))
    return found


def negotiate(offers: Sequence[Format], forced: Format | None = None) -> Format:
    """The representation: the path's extension if it named one, else `?format=`, else Accept."""
    if forced is not None:
        if forced in offers:
            return forced
        raise NotFound("No representation with that extension; available: "
                       + ", ".join(o.extension for o in offers if o.extension))
    choice = choose(offers, request.headers.get("Accept"), request.args.getlist("format"))
    if choice is None:
        raise NotAcceptable("None of the requested media types is available here",
                            media_types(offers))
    return choice


def respond(fmt: Format, *, data: Mapping | None = None, template: str | None = None,
            rdf: Callable[[RdfFormat], bytes] | None = None, status: int = 200,
            validators: tuple[str, DataVersion] | None = None) -> Response:
    """The body in `fmt`: the template over `data` (HTML), `data` as JSON, or `rdf(fmt)`."""
    if fmt is HTML:
        body = render_template(template, **(data or {}))
    elif isinstance(fmt, RdfFormat):
        body = rdf(fmt)
    else:
        body = json.dumps(data, ensure_ascii=False) + "\n"
    response = Response(body, status=status, content_type=fmt.content_type)
    if validators is not None:
        set_validators(response, *validators)
    else:
        response.vary.add("Accept")
    return response


# --- the same document in every format (linked data) ----------------------------------------------

def alternates(path: str, offers: Sequence[Format] = DOCUMENT_FORMATS) -> list[dict]:
    """Links to one document (`path` from the root, no extension) in each format."""
    root = site_root()
    return [{"name": f.name, "label": f.label, "href": f"{root}/{path}{f.extension}",
             "media_type": f.media_type} for f in offers]


def document_headers(response: Response, path: str, fmt: Format, negotiated: bool,
                     offers: Sequence[Format] = DOCUMENT_FORMATS) -> Response:
    """Content-Location (when negotiated) and a Link to each other format."""
    if negotiated:
        response.headers["Content-Location"] = f"{site_root()}/{path}{fmt.extension}"
    response.headers["Link"] = ", ".join(
        f'<{a["href"]}>; rel="alternate"; type="{a["media_type"]}"'
        for a in alternates(path, offers) if a["name"] != fmt.name)
    return response


def no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


def wants(offers: Sequence[Format]) -> Format | None:
    """The client's preferred format among `offers`, without raising (None: none fits)."""
    return choose(offers, request.headers.get("Accept"), request.args.getlist("format"))
