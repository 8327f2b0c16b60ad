"""Which stored IRI a request path names: /id/… pages and the pictures of the same resources
(/timeline/…, /network/…) read their paths the same way."""

from __future__ import annotations

from collections.abc import Sequence

import pyoxigraph as ox
from werkzeug.exceptions import BadRequest, NotFound, RequestURITooLarge

from ppkg.formats import Format, split_extension
from ppkg.linked_data.iris import BadPath, check_path
from ppkg.linked_data.describe import Description, describe
from ppkg.web.context import iri_map, services, site_root


def split_path(path: str, offers: Sequence[Format]) -> tuple[list[str], Format | None]:
    """Check a path below the root; strip a format extension (one of `offers`) from its last
    segment."""
    try:
        segments = check_path(path)
    except BadPath as err:
        if err.status == 414:
            raise RequestURITooLarge(err.message) from None
        if err.status == 404:
            raise NotFound(err.message) from None
        raise BadRequest(err.message) from None
    segments[-1], forced = split_extension(segments[-1], offers)
    return segments, forced


def stored_iri(public_iri: str) -> str:
    iri = iri_map().data(public_iri)
    try:
        ox.NamedNode(iri)
    except ValueError:
        raise BadRequest("The path does not make a valid IRI") from None
    return iri


def picture_links(path: str) -> dict[str, str]:
    """Where the pictures of the resource at `path` ("id/person/x") are: a page and a JSON twin
    each, under /timeline/ and /network/ — outside /id/, so no resource IRI can clash with them."""
    root = site_root()
    rest = path.removeprefix("id/")
    return {f"{what}_{form}": f"{root}/{what}/{rest}{ext}"
            for what in ("timeline", "network") for form, ext in (("page", ""), ("json", ".json"))}


# The graphs a remote store keeps for itself (ppkg.store.remote.registry: its registry, the union
# it serves as the default graph, the default graph's own triples): never anyone's source.
STORE_GRAPHS = "urn:ppkg:store:"


def described(iri: str) -> Description:
    """The linked-data description of a stored IRI, each quad in a graph of the published data.

    A remote store answers a query with a transitive path (the description follows blank nodes
    with one) over all its graphs, its own among them (ppkg.store.remote); what those hold is in
    the published graphs already. (The workers' copy of the embedded store's graph list is not
    kept current — its query process is — so the store's own graphs are what is left out.)"""
    desc = describe(services().query, iri)
    desc.quads = [q for q in desc.quads if isinstance(q.graph_name, ox.DefaultGraph)
                  or not q.graph_name.value.startswith(STORE_GRAPHS)]
    return desc
