"""Dereferenceable IRIs: resource descriptions, ontology terms, class pages and the ontology.

    /id/{kind}/{slug}[.ext]   a resource (https://w3id.org/ppkg/id/… under the public base IRI)
    /terms/{Name}[.ext]       an ontology term or concept (…/ontology#Name) as a resource page
    /classes[.json]           the ontology's classes, with how many instances each has
    /classes/{Name}[.ext]     the instances of a class (and of its subclasses)
    /ontology[.ext]           the ontology: RDF by Accept, HTML documentation by pyLODE
    /ontology/{version}       the same, under the ontology's owl:versionIRI

Every representation is chosen by Accept (q-values, wildcards; ppkg.negotiate), `?format=` or a
file extension (.ttl .nt .jsonld .rdf .trig .nq .html); nothing acceptable → 406 listing what is.
An IRI with no triples → 404. Responses carry Vary: Accept, an ETag and Last-Modified derived
from the data's version (ppkg.web.versions), and a matching If-None-Match gets a 304 before any
query runs. HEAD is GET without the body.
"""

from __future__ import annotations

import logging
import re

import pyoxigraph as ox
import rdflib
from flask import Blueprint, Response, render_template, request
from werkzeug.exceptions import BadRequest, NotFound, RequestURITooLarge

from ppkg.linked_data import describe as ld
from ppkg.linked_data import ontology_doc
from ppkg.formats import RDF_FORMATS, RdfFormat
from ppkg.negotiate import Offer, available, choose, html_offer, rdf_offers
from ppkg.errors import NotAcceptable
from ppkg.web.pages import Linker, build_page
from ppkg.web.versions import conditional, set_validators

bp = Blueprint("linked_data", __name__, template_folder="templates")
log = logging.getLogger("ppkg.web")

# File extensions that pick a representation (formats table + HTML).
EXTENSIONS = {ext: f.name for f in RDF_FORMATS for ext in f.extensions}
EXTENSIONS.update({".html": "html", ".htm": "html"})
FORMAT_LABELS = {"turtle": "Turtle", "ntriples": "N-Triples", "jsonld": "JSON-LD",
                 "rdfxml": "RDF/XML", "trig": "TriG", "nquads": "N-Quads", "html": "HTML"}
PRIMARY_EXTENSION = {"turtle": ".ttl", "ntriples": ".nt", "jsonld": ".jsonld", "rdfxml": ".rdf",
                     "trig": ".trig", "nquads": ".nq", "html": ".html"}
TERM_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]{0,200}")
TEXT_CHARSET = "utf-8"


def description_offers() -> list[Offer]:
    """Turtle first (what `*/*` or no Accept gets), then the other RDF formats, then HTML."""
    return rdf_offers() + [html_offer()]


# --- helpers shared with the other linked-data blueprints ----------------------------------------

def iri_map() -> ld.IriMap:
    from ppkg.web import services

    return ld.IriMap(services().config.base_iri)


def site_root() -> str:
    return request.script_root.rstrip("/")


def negotiate(offers: list[Offer], forced: str | None = None) -> Offer:
    """The representation to answer with: the extension's, else `?format=`, else Accept."""
    if forced is not None:
        for offer in offers:
            if _offer_name(offer) == forced:
                return offer
        raise NotFound("This resource has no representation with that extension; available: "
                       + ", ".join(PRIMARY_EXTENSION.get(_offer_name(o), "") for o in offers))
    choice = choose(offers, request.headers.get("Accept"), request.args.getlist("format"))
    if choice is None:
        raise NotAcceptable("None of the requested media types is available for this resource",
                            available(offers))
    return choice


def _offer_name(offer: Offer) -> str:
    return offer.value.name if isinstance(offer.value, RdfFormat) else str(offer.value)


def content_type(media_type: str) -> str:
    return f"{media_type}; charset={TEXT_CHARSET}" if media_type.startswith("text/") \
        or media_type in ("application/ld+json", "application/json") else media_type


def alternates(path: str) -> list[dict]:
    """Links to the same resource in every format (path without extension, from the root)."""
    root = site_root()
    out = []
    for offer in description_offers():
        name = _offer_name(offer)
        out.append({"name": name, "label": FORMAT_LABELS.get(name, name),
                    "href": f"{root}/{path}{PRIMARY_EXTENSION[name]}",
                    "media_type": offer.media_type})
    return out


def link_header(path: str, current: str) -> str:
    return ", ".join(f'<{a["href"]}>; rel="alternate"; type="{a["media_type"]}"'
                     for a in alternates(path) if a["name"] != current)


def rdf_response(body: bytes, offer: Offer, etag: str, version, path: str,
                 negotiated: bool, truncated: bool = False) -> Response:
    response = Response(body, content_type=content_type(offer.media_type))
    set_validators(response, etag, version)
    name = _offer_name(offer)
    if negotiated:
        response.headers["Content-Location"] = f"{site_root()}/{path}{PRIMARY_EXTENSION[name]}"
    response.headers["Link"] = link_header(path, name)
    if truncated:
        response.headers["X-PPKG-Truncated"] = "true"
    return response


def split_path(path: str) -> tuple[list[str], str | None]:
    """Check a path below the root; strip a format extension from its last segment."""
    try:
        segments = ld.check_path(path)
    except ld.BadPath as err:
        if err.status == 414:
            raise RequestURITooLarge(err.message) from None
        if err.status == 404:
            raise NotFound(err.message) from None
        raise BadRequest(err.message) from None
    stem, forced = ld.split_extension(segments[-1], EXTENSIONS)
    segments[-1] = stem
    return segments, forced


def stored_iri(public_iri: str) -> str:
    iri = iri_map().data(public_iri)
    try:
        ox.NamedNode(iri)
    except ValueError:
        raise BadRequest("The path does not make a valid IRI") from None
    return iri


# --- resources ----------------------------------------------------------------------------------

@bp.get("/id/<path:rest>")
def resource(rest: str):
    segments, forced = split_path("id/" + rest)
    path = "/".join(segments)
    from ppkg.web import services

    public = services().config.base_iri + path
    return describe_response(stored_iri(public), path, forced)


@bp.get("/terms/<name>")
def term(name: str):
    stem, forced = ld.split_extension(name, EXTENSIONS)
    if len(name) > ld.MAX_PATH_LENGTH:
        raise RequestURITooLarge("The term name is too long")
    if not TERM_NAME.fullmatch(stem):
        raise NotFound("No such term in the ontology")
    return describe_response(ld.ONTOLOGY_NS + stem, f"terms/{stem}", forced, term_name=stem)


def describe_response(iri: str, path: str, forced: str | None, term_name: str | None = None):
    """The description of a stored IRI as the negotiated representation (see the module doc)."""
    from ppkg.web import services

    ppkg = services()
    offer = negotiate(description_offers(), forced)
    name = _offer_name(offer)
    etag, version, unchanged = conditional(f"describe\0{path}\0{name}")
    if unchanged:
        return unchanged
    desc = ld.describe(ppkg.query, iri)
    if desc.empty:
        raise NotFound(f"Nothing is known about <{iri_map().public(iri)}>")
    if name != "html":
        body = ld.serialize_quads(desc.quads, offer.value, iri_map(), first=iri)
        return rdf_response(body, offer, etag, version, path, forced is None, desc.truncated)
    vocab = ld.vocabulary(ppkg.query, version.tag)
    rows = ld.conflicts(ppkg.query, iri)
    page = build_page(desc, vocab, iri_map(), site_root(), rows)
    extra = {}
    if term_name is not None:
        if vocab.is_class(iri) or vocab.is_property(iri):  # what pyLODE documents
            extra["definition_href"] = f"{site_root()}/ontology#{term_name}"
        if vocab.is_class(iri):
            extra["instances_href"] = f"{site_root()}/classes/{term_name}"
    body = render_template("resource.html", page=page, alternates=alternates(path), **extra)
    response = Response(body, content_type=content_type("text/html"))
    set_validators(response, etag, version)
    if forced is None:
        response.headers["Content-Location"] = f"{site_root()}/{path}.html"
    response.headers["Link"] = link_header(path, "html")
    return response


# --- classes ------------------------------------------------------------------------------------

@bp.get("/classes")
@bp.get("/classes.<ext>")
def classes(ext: str | None = None):
    from ppkg.web import services

    ppkg = services()
    offers = [html_offer(), Offer("application/json", "json", (), ("json",))]
    forced = None
    if ext is not None:
        forced = {"html": "html", "htm": "html", "json": "json"}.get(ext.lower())
        if forced is None:
            raise NotFound("The class list is available as .html and .json")
    offer = negotiate(offers, forced)
    etag, version, unchanged = conditional(f"classes\0{offer.value}")
    if unchanged:
        return unchanged
    vocab = ld.vocabulary(ppkg.query, version.tag)
    result = ppkg.query.select(ld.CLASSES_QUERY, limit=ld.UNLIMITED)
    mapping = iri_map()
    linker = Linker(mapping, vocab, site_root())
    items = []
    for cls, count in result.rows:
        if not isinstance(cls, ox.NamedNode) or not cls.value.startswith(ld.ONTOLOGY_NS):
            continue
        link = linker.link(cls.value, as_type=True)
        comment = vocab.comments.get(cls.value)
        items.append({"iri": link.iri, "name": cls.value[len(ld.ONTOLOGY_NS):],
                      "label": link.label, "href": link.href, "instances": int(count.value),
                      "comment": ld.pick_label(comment) if comment else ""})
    items.sort(key=lambda i: i["label"].lower())
    if offer.value == "json":
        response = Response(_json({"classes": items}), content_type=content_type("application/json"))
    else:
        response = Response(render_template("classes.html", classes=items),
                            content_type=content_type("text/html"))
    return set_validators(response, etag, version)


@bp.get("/classes/<name>")
def class_page(name: str):
    from ppkg.web import services

    ppkg = services()
    stem, forced = ld.split_extension(name, EXTENSIONS)
    if len(name) > ld.MAX_PATH_LENGTH or not TERM_NAME.fullmatch(stem):
        raise NotFound("No such class in the ontology")
    offer = negotiate(description_offers(), forced)
    etag, version, unchanged = conditional(f"class\0{stem}\0{_offer_name(offer)}")
    if unchanged:
        return unchanged
    vocab = ld.vocabulary(ppkg.query, version.tag)
    class_iri = ld.ONTOLOGY_NS + stem
    if not vocab.is_class(class_iri):
        raise NotFound(f"<{iri_map().public(class_iri)}> is not a class of the ontology")
    result = ppkg.query.select(ld.INSTANCES_QUERY, substitutions={"class": ox.NamedNode(class_iri)})
    path = f"classes/{stem}"
    if _offer_name(offer) != "html":
        quads = []
        for row in result.dicts():
            quads.append(ox.Quad(row["x"], ox.NamedNode(ld.RDF_TYPE), row["type"], row["g"]))
            if "label" in row:
                quads.append(ox.Quad(row["x"], row["lp"], row["label"], row["lg"]))
        body = ld.serialize_quads(quads, offer.value, iri_map())
        return rdf_response(body, offer, etag, version, path, forced is None, result.truncated)
    graph_labels: dict[str, list] = {}
    for row in result.dicts():
        if "glabel" in row:
            graph_labels.setdefault(row["g"].value, []).append(row["glabel"])
    linker = Linker(iri_map(), vocab, site_root(), labels=graph_labels)
    instances: dict[str, dict] = {}
    for row in result.dicts():
        x = row["x"]
        if not isinstance(x, ox.NamedNode):
            continue
        item = instances.setdefault(x.value, {"labels": [], "types": {}, "sources": {}})
        if "label" in row:
            item["labels"].append(row["label"])
        item["types"][row["type"].value] = linker.link(row["type"].value, as_type=True)
        source = linker.source(row["g"])
        item["sources"][source.iri] = source
    entries = []
    for iri, item in instances.items():
        href, external = linker.href(iri)
        entries.append({"iri": mapping_public(iri), "href": href,
                        "label": ld.pick_label(item["labels"]) or ld.local_name(iri),
                        "types": sorted(item["types"].values(), key=lambda t: t.label),
                        "sources": sorted(item["sources"].values(), key=lambda s: s.label)})
    entries.sort(key=lambda e: e["label"].lower())
    comment = vocab.comments.get(class_iri)
    body = render_template(
        "class.html", name=stem, iri=iri_map().public(class_iri), label=vocab.label(class_iri),
        comment=ld.pick_label(comment) if comment else "", instances=entries,
        definition_href=f"{site_root()}/ontology#{stem}", term_href=f"{site_root()}/terms/{stem}",
        alternates=alternates(path), truncated=result.truncated)
    response = Response(body, content_type=content_type("text/html"))
    return set_validators(response, etag, version)


def mapping_public(iri: str) -> str:
    return iri_map().public(iri)


def _json(payload) -> str:
    from flask import json

    return json.dumps(payload, ensure_ascii=False) + "\n"


# --- the ontology -------------------------------------------------------------------------------

@bp.get("/ontology")
@bp.get("/ontology.<ext>")
def ontology(ext: str | None = None):
    forced = None
    if ext is not None:
        forced = EXTENSIONS.get("." + ext.lower())
        if forced is None:
            raise NotFound("The ontology is available as " + ", ".join(
                sorted(set(PRIMARY_EXTENSION.values()))))
    return ontology_response(forced)


@bp.get("/ontology/<path:rest>")
def ontology_version(rest: str):
    """The ontology under its owl:versionIRI (…/ontology/0.1.0)."""
    from ppkg.web import services

    segments, forced = split_path("ontology/" + rest)
    public = services().config.base_iri + "/".join(segments)
    iri = stored_iri(public)
    found = services().query.ask(
        "PREFIX owl: <http://www.w3.org/2002/07/owl#> ASK { GRAPH <%s> { <%s> owl:versionIRI %s } }"
        % (ld.ONTOLOGY_IRI, ld.ONTOLOGY_IRI, ox.NamedNode(iri)))
    if not found:
        raise NotFound(f"<{public}> is not a version of the ontology")
    return ontology_response(forced)


def ontology_response(forced: str | None):
    from ppkg.web import services

    ppkg = services()
    offer = negotiate(description_offers(), forced)
    name = _offer_name(offer)
    etag, version, unchanged = conditional(f"ontology\0{name}")
    if unchanged:
        return unchanged
    triples = ppkg.query.construct(ld.ONTOLOGY_QUERY, limit=ld.UNLIMITED)
    if not triples:
        raise NotFound("This server's store holds no ontology graph")
    graph = ox.NamedNode(ld.ONTOLOGY_IRI)
    quads = [ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples]
    mapping = iri_map()
    if name != "html":
        body = ld.serialize_quads(quads, offer.value, mapping, first=ld.ONTOLOGY_IRI)
        return rdf_response(body, offer, etag, version, "ontology", forced is None)
    public_ttl = ld.serialize_quads(quads, next(f for f in RDF_FORMATS if f.name == "turtle"),
                                    mapping)
    rdf_graph = rdflib.Graph()
    rdf_graph.parse(data=public_ttl.decode("utf-8"), format="turtle")
    try:
        html = ontology_doc.render((version.tag, mapping.base), rdf_graph,
                                   mapping.public(ld.ONTOLOGY_NS))
        status_note = None
    except ontology_doc.OntologyDocError as err:
        log.warning("ontology documentation unavailable: %s", err)
        html = render_template("ontology_unavailable.html", reason=str(err),
                               alternates=alternates("ontology"),
                               iri=mapping.public(ld.ONTOLOGY_IRI))
        status_note = "fallback"
    response = Response(html, content_type=content_type("text/html"))
    set_validators(response, etag, version)
    if status_note:
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-PPKG-Ontology-Doc"] = status_note
    response.headers["Link"] = link_header("ontology", "html")
    return response

