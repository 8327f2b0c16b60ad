"""What every view shares: the configured services, the IRI map, the site's root and public URL.

Imported at the top of each blueprint (no view reaches into another blueprint for these).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from flask import current_app, request

from ppkg.config import Config
from ppkg.durable import DurableRecord
from ppkg.linked_data.iris import IriMap
from ppkg.store import QueryBackend, StoreDataset


@dataclass
class Services:
    config: Config
    dataset: StoreDataset
    query: QueryBackend
    record: DurableRecord  # accepted changes, the review queue, tokens (ppkg.durable)


def services() -> Services:
    """The current app's config, dataset, query service and durable record."""
    return current_app.extensions["ppkg"]


@lru_cache(maxsize=8)
def _iri_map(base: str) -> IriMap:
    return IriMap(base)


def iri_map() -> IriMap:
    return _iri_map(services().config.base_iri)


def site_root() -> str:
    """The path this app is mounted under ('' at the root)."""
    return request.script_root.rstrip("/")


def public_url(url_path: str = "/") -> str:
    """The URL to give out for a path of this app (as url_for writes it).

    Absolute under Config.public_url when the operator set one; otherwise root-relative, so the
    Host header a client sends is never reflected into what the server says (links, Location,
    OpenAPI's server URL).
    """
    base = services().config.public_url
    if not base:
        return url_path
    root = site_root()
    relative = url_path[len(root):] if root and url_path.startswith(root) else url_path
    return base.rstrip("/") + "/" + relative.lstrip("/")


def absolute_url(url_path: str = "/") -> str:
    """`public_url`, made absolute where RDF needs an IRI (the service description's endpoint, a
    query's base): without Config.public_url, at the address this server listens on — the
    socket's, never the Host header a client sends."""
    url = public_url(url_path)
    if url.startswith(("http://", "https://")):
        return url
    env = request.environ
    scheme, host, port = env["wsgi.url_scheme"], env["SERVER_NAME"], env["SERVER_PORT"]
    if ":" in host:
        host = f"[{host}]"
    default = (scheme, port) in (("http", "80"), ("https", "443"))
    return f"{scheme}://{host}{'' if default else ':' + port}{url}"
