"""/openapi.json: one OpenAPI 3.1 document, assembled from the part each blueprint describes.

A blueprint module that answers an API defines `openapi_part() -> {"paths", "schemas", "tags",
"securitySchemes"}` (run in a request, so it may read the app's catalog or configuration); its
operations, schemas, tags and security schemes are merged here, in the order of
ppkg.web.BLUEPRINTS.
"""

from __future__ import annotations

import sys

from flask import Blueprint, current_app, jsonify

from ppkg import __version__
from ppkg.web.context import public_url, site_root
from ppkg.web.versions import openapi_components, versioned

bp = Blueprint("openapi", __name__)

DESCRIPTION = ("The Political Prisoners Knowledge Graph: who was imprisoned, on what charges, by "
               "which decree they were freed, who campaigned for them and what everyone said — "
               "every fact in the named graph of the source that states it. Every answer carries "
               "X-PPKG-Version, the version of the data it includes; every operation also takes "
               "min-version (query) or X-PPKG-Min-Version (header), see components.parameters, "
               "and then answers 503 with Retry-After (components.responses.NotYet) rather than "
               "from older data.")


def document() -> dict:
    paths: dict = {}
    schemas: dict = {}
    security: dict = {}
    tags: list = []
    for blueprint in current_app.blueprints.values():
        describe = getattr(sys.modules.get(blueprint.import_name), "openapi_part", None)
        if describe is None:
            continue
        found = describe()
        paths.update(found.get("paths", {}))
        schemas.update(found.get("schemas", {}))
        security.update(found.get("securitySchemes", {}))
        tags += found.get("tags", [])
    return {
        "openapi": "3.1.0",
        "info": {"title": "Political Prisoners Knowledge Graph", "version": __version__,
                 "description": DESCRIPTION},
        "servers": [{"url": public_url(site_root() + "/")}],
        "tags": tags,
        "paths": versioned(paths),
        "components": {"schemas": schemas, **openapi_components(),
                       **({"securitySchemes": security} if security else {})},
    }


@bp.get("/openapi.json")
def openapi():
    return jsonify(document())
