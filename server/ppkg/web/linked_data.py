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
query runs. HEAD is GET without the body. TriG and N-Quads documents hold the description as one
graph in their default graph and, beside it, each statement in the graph of its source.
"""

from __future__ import annotations

import logging
import re

import pyoxigraph as ox
import rdflib
from flask import Blueprint, Response
from werkzeug.exceptions import NotFound, RequestURITooLarge

from ppkg.archive.records import Records
from ppkg.formats import HTML, JSON, Format, rdf_format, split_extension
from ppkg.linked_data import describe as ld
from ppkg.linked_data import ontology_doc
from ppkg.linked_data.iris import MAX_PATH_LENGTH
from ppkg.linked_data.kinds import class_kinds
from ppkg.linked_data.rdf import serialize_quads
from ppkg.vocab import ONTOLOGY_IRI, RDF_TYPE
from ppkg.web.context import iri_map, services, site_root
from ppkg.web.pages import Linker, build_page
from ppkg.web.reading import READER_KINDS, as_data, kind_of, read
from ppkg.web.render import (DOCUMENT_FORMATS, alternates, by_path_extension, document_headers,
                             negotiate, no_store, respond)
from ppkg.web.resources import described, picture_links, split_path, stored_iri
from ppkg.web.versions import conditional, set_validators

bp = Blueprint("linked_data", __name__, template_folder="templates")
log = logging.getLogger("ppkg.web")

TERM_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]{0,200}")


def rdf_document(quads, fmt: Format, etag: str, version, path: str, negotiated: bool,
                 first: str | None = None, truncated: bool = False) -> Response:
    """Quads as an RDF document: public IRIs, the union beside the source graphs."""
    response = respond(fmt, rdf=lambda f: serialize_quads(quads, f, iri_map(), first=first,
                                                          union=True),
                       validators=(etag, version))
    document_headers(response, path, fmt, negotiated)
    if truncated:
        response.headers["X-PPKG-Truncated"] = "true"
    return response


# --- resources ----------------------------------------------------------------------------------

@bp.get("/id/<path:rest>")
def resource(rest: str):
    segments, forced = split_path("id/" + rest, DOCUMENT_FORMATS)
    path = "/".join(segments)
    return describe_response(stored_iri(services().config.base_iri + path), path, forced)


@bp.get("/terms/<name>")
def term(name: str):
    if len(name) > MAX_PATH_LENGTH:
        raise RequestURITooLarge("The term name is too long")
    stem, forced = split_extension(name, DOCUMENT_FORMATS)
    if not TERM_NAME.fullmatch(stem):
        raise NotFound("No such term in the ontology")
    return describe_response(ld.ONTOLOGY_NS + stem, f"terms/{stem}", forced, term_name=stem)


def describe_response(iri: str, path: str, forced: Format | None, term_name: str | None = None):
    """The description of a stored IRI as the negotiated representation (see the module doc)."""
    ppkg = services()
    fmt = negotiate(DOCUMENT_FORMATS, forced)
    etag, version, unchanged = conditional(f"describe\0{path}\0{fmt.name}")
    if unchanged:
        return unchanged
    desc = described(iri)
    if desc.empty:
        raise NotFound(f"Nothing is known about <{iri_map().public(iri)}>")
    if fmt is not HTML:
        return rdf_document(desc.quads, fmt, etag, version, path, forced is None, first=iri,
                            truncated=desc.truncated)
    vocab = ld.vocabulary(ppkg.query, version.tag)
    conflicts = ld.conflicts(ppkg.query, iri, desc.quads, vocab)
    page = build_page(desc, vocab, iri_map(), site_root(), conflicts)
    data = {"page": page, "alternates": alternates(path), "reading": None}
    kinds = class_kinds(ppkg.query, version.tag)
    if term_name is None and kind_of(iri, desc.quads, kinds) in READER_KINDS:
        data["reading"] = read(ppkg.query, iri, desc.quads, vocab, kinds, iri_map(), site_root(),
                               conflicts)
        # the submissions that state something about it: the graphs of its own quads
        focus = ox.NamedNode(iri)
        data["reading"].history = Records(ppkg.query).of_graphs(list({
            q.graph_name.value for q in desc.quads
            if q.subject == focus and isinstance(q.graph_name, ox.NamedNode)}))
        data["pictures"] = dict(picture_links(path), timeline=as_data(data["reading"].timeline),
                                network=as_data(data["reading"].network))
    if term_name is not None:
        if vocab.is_class(iri) or vocab.is_property(iri):  # what pyLODE documents
            data["definition_href"] = f"{site_root()}/ontology#{term_name}"
        if vocab.is_class(iri):
            data["instances_href"] = f"{site_root()}/classes/{term_name}"
    response = respond(HTML, data=data, template="resource.html", validators=(etag, version))
    return document_headers(response, path, HTML, forced is None)


# --- classes ------------------------------------------------------------------------------------

@bp.get("/classes")
@bp.get("/classes.<ext>")
def classes(ext: str | None = None):
    offers = (HTML, JSON)
    fmt = negotiate(offers, by_path_extension(ext, offers))
    etag, version, unchanged = conditional(f"classes\0{fmt.name}")
    if unchanged:
        return unchanged
    ppkg = services()
    vocab = ld.vocabulary(ppkg.query, version.tag)
    result = ppkg.query.select(ld.CLASSES_QUERY, limit=ld.UNLIMITED)
    linker = Linker(iri_map(), vocab, site_root())
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
    return respond(fmt, data={"classes": items}, template="classes.html",
                   validators=(etag, version))


@bp.get("/classes/<name>")
def class_page(name: str):
    stem, forced = split_extension(name, DOCUMENT_FORMATS)
    if len(name) > MAX_PATH_LENGTH or not TERM_NAME.fullmatch(stem):
        raise NotFound("No such class in the ontology")
    fmt = negotiate(DOCUMENT_FORMATS, forced)
    etag, version, unchanged = conditional(f"class\0{stem}\0{fmt.name}")
    if unchanged:
        return unchanged
    ppkg = services()
    vocab = ld.vocabulary(ppkg.query, version.tag)
    class_iri = ld.ONTOLOGY_NS + stem
    if not vocab.is_class(class_iri):
        raise NotFound(f"<{iri_map().public(class_iri)}> is not a class of the ontology")
    result = ppkg.query.select(ld.INSTANCES_QUERY, substitutions={"class": ox.NamedNode(class_iri)})
    path = f"classes/{stem}"
    if fmt is not HTML:
        quads = []
        for row in result.dicts():
            quads.append(ox.Quad(row["x"], ox.NamedNode(RDF_TYPE), row["type"], row["g"]))
            if "label" in row:
                quads.append(ox.Quad(row["x"], row["lp"], row["label"], row["lg"]))
        return rdf_document(quads, fmt, etag, version, path, forced is None,
                            truncated=result.truncated)
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
        href, _external = linker.href(iri)
        entries.append({"iri": iri_map().public(iri), "href": href,
                        "label": ld.pick_label(item["labels"]) or ld.local_name(iri),
                        "types": sorted(item["types"].values(), key=lambda t: t.label),
                        "sources": sorted(item["sources"].values(), key=lambda s: s.label)})
    entries.sort(key=lambda e: e["label"].lower())
    comment = vocab.comments.get(class_iri)
    data = {"name": stem, "iri": iri_map().public(class_iri), "label": vocab.label(class_iri),
            "comment": ld.pick_label(comment) if comment else "", "instances": entries,
            "definition_href": f"{site_root()}/ontology#{stem}",
            "term_href": f"{site_root()}/terms/{stem}", "alternates": alternates(path),
            "truncated": result.truncated}
    return respond(HTML, data=data, template="class.html", validators=(etag, version))


# --- the ontology -------------------------------------------------------------------------------

@bp.get("/ontology")
@bp.get("/ontology.<ext>")
def ontology(ext: str | None = None):
    return ontology_response(by_path_extension(ext, DOCUMENT_FORMATS))


@bp.get("/ontology/<path:rest>")
def ontology_version(rest: str):
    """The ontology under its owl:versionIRI (…/ontology/0.1.0)."""
    segments, forced = split_path("ontology/" + rest, DOCUMENT_FORMATS)
    public = services().config.base_iri + "/".join(segments)
    iri = stored_iri(public)
    found = services().query.ask(
        "PREFIX owl: <http://www.w3.org/2002/07/owl#> ASK { GRAPH <%s> { <%s> owl:versionIRI %s } }"
        % (ONTOLOGY_IRI, ONTOLOGY_IRI, ox.NamedNode(iri)))
    if not found:
        raise NotFound(f"<{public}> is not a version of the ontology")
    return ontology_response(forced)


def ontology_response(forced: Format | None):
    fmt = negotiate(DOCUMENT_FORMATS, forced)
    etag, version, unchanged = conditional(f"ontology\0{fmt.name}")
    if unchanged:
        return unchanged
    triples = services().query.construct(ld.ONTOLOGY_QUERY, limit=ld.UNLIMITED)
    if not triples:
        raise NotFound("This server's store holds no ontology graph")
    graph = ox.NamedNode(ONTOLOGY_IRI)
    quads = [ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples]
    if fmt is not HTML:
        return rdf_document(quads, fmt, etag, version, "ontology", forced is None,
                            first=ONTOLOGY_IRI)
    mapping = iri_map()
    public_ttl = serialize_quads(quads, rdf_format("turtle"), mapping)
    rdf_graph = rdflib.Graph()
    rdf_graph.parse(data=public_ttl.decode("utf-8"), format="turtle")
    try:
        html = ontology_doc.render((version.tag, mapping.base), rdf_graph,
                                   mapping.public(ld.ONTOLOGY_NS))
        fallback = None
    except ontology_doc.OntologyDocError as err:
        log.warning("ontology documentation unavailable: %s", err)
        fallback = str(err)
    if fallback is None:
        response = Response(html, content_type=HTML.content_type)
        set_validators(response, etag, version)
    else:
        response = no_store(respond(HTML, template="ontology_unavailable.html", data={
            "reason": fallback, "alternates": alternates("ontology"),
            "iri": mapping.public(ONTOLOGY_IRI)}))
        response.headers["X-PPKG-Ontology-Doc"] = "fallback"
    return document_headers(response, "ontology", HTML, negotiated=False)
