"""/search?q= : people, organisations, events, statements, documents and sources by any name
variant or words of a quote (ppkg.search), as HTML or JSON (`/search.json`, Accept, `?format=`).

    GET /search?q=gahramanlı[&kind=person][&limit=20]

Each result: its kind and type, a label, every name each source gives it, and what matched —
the name or the quote, with the source that states it. The index is built when the app is
(in the gunicorn master, before the workers fork) and kept current by the store's changes.
"""

from __future__ import annotations

import pyoxigraph as ox
from flask import Blueprint, current_app, request
from werkzeug.exceptions import BadRequest

from ppkg.linked_data import describe as ld
from ppkg.linked_data.kinds import SEARCHABLE, class_kinds
from ppkg.search.build import build
from ppkg.search.fold import WORD, fold, skeleton, words
from ppkg.search.index import LABEL, QUOTE, SearchIndex
from ppkg.web.context import iri_map, services, site_root
from ppkg.web.render import PAGE_FORMATS, by_path_extension, negotiate, respond

bp = Blueprint("search", __name__, template_folder="templates")

MAX_LIMIT = 100
MAX_QUERY = 200  # characters: a name or a few words of a quote


@bp.record_once
def _build(state) -> None:
    ppkg = state.app.extensions["ppkg"]
    kinds = class_kinds(ppkg.query, ppkg.dataset.version)
    state.app.extensions["ppkg.search"] = build(
        ppkg.query, ppkg.dataset, ppkg.config.data_dir / "cache" / "search", kinds)


_seen = {"version": None}  # per process: the data version this worker's index reads reflect


def current_index() -> SearchIndex:
    """The index, with every change of the data version served now applied to it.

    The embedded store applies accepted changes in the query process, before a query runs; one
    trivial query makes it catch up (and its listener update the index) when the version moved.
    """
    ppkg = services()
    version = ppkg.dataset.version
    if _seen["version"] != version:
        ppkg.query.ask("ASK {}")
        _seen["version"] = version
    return current_app.extensions["ppkg.search"]


@bp.get("/search")
@bp.get("/search.<ext>")
def search(ext: str | None = None):
    fmt = negotiate(PAGE_FORMATS, by_path_extension(ext, PAGE_FORMATS))
    text = request.args.get("q", "").strip()
    if len(text) > MAX_QUERY:
        raise BadRequest(f"The search text is too long (at most {MAX_QUERY} characters)")
    kind = request.args.get("kind", "") or None
    if kind is not None and kind not in SEARCHABLE:
        raise BadRequest(f"kind must be one of {', '.join(SEARCHABLE)}")
    try:
        limit = min(max(int(request.args.get("limit", 20)), 1), MAX_LIMIT)
    except ValueError:
        raise BadRequest("limit must be a whole number") from None
    results = []
    if text:
        index = current_index()
        hits = index.search(text, limit=limit, kinds=(kind,) if kind else ())
        results = _results(index, hits, text, html=fmt.name == "html")
    data = {"query": text, "kind": kind, "kinds": list(SEARCHABLE), "results": results}
    response = respond(fmt, data=data, template="search.html")
    response.headers["Cache-Control"] = "no-cache"
    return response


def _results(index: SearchIndex, hits, text: str, html: bool) -> list[dict]:
    ppkg = services()
    vocab = ld.vocabulary(ppkg.query, ppkg.dataset.version)
    graphs = {g for h in hits for m in h.matches for g in m.graphs} | \
        {g for h in hits for _, _, g in h.names}
    graph_names = index.names(graphs)
    sources = {g: _link(g, graph_names.get(g)) for g in graphs}
    tokens = words(fold(text))
    out = []
    for hit in hits:
        classes = sorted(hit.kinds)
        kind = next((k for k in SEARCHABLE if k in hit.kinds.values()), "")
        names: dict[str, list[dict]] = {}
        for _, name, graph in hit.names:
            names.setdefault(name, [])
            if sources[graph] not in names[name]:
                names[name].append(sources[graph])
        result = _link(hit.iri, hit.names)
        result.update({
            "kind": kind,
            "types": [vocab.label(c) for c in classes if hit.kinds[c] == kind],
            "names": [{"name": n, "sources": s} for n, s in names.items()],
            "matched": [{"field": m.field, "text": m.text,
                         "sources": [sources[g] for g in m.graphs]} for m in hit.matches],
        })
        if html:
            for m in result["matched"]:
                m["parts"] = highlight(m["text"], tokens, m["field"] != QUOTE)
        out.append(result)
    return out


def _link(iri: str, names: list[tuple[str, str, str]] | None) -> dict:
    """Public IRI, href and label: a label the sources give (another name only if none)."""
    names = names or []
    labels = [n for f, n, _ in names if f == LABEL] or [n for _, n, _ in names]
    label = ld.pick_label([ox.Literal(n) for n in labels]) or ld.local_name(iri)
    path = iri_map().path(iri)
    return {"iri": iri_map().public(iri), "label": label,
            "href": f"{site_root()}/{path}" if path is not None else None}


def highlight(text: str, tokens: list[str], name: bool) -> list[tuple[str, bool]]:
    """The text in pieces, (piece, matched?): words that start with a searched word (or whose
    skeleton does, in a name) are matched."""
    stems = [fold(t) for t in tokens if t]
    bones = [skeleton(t) for t in stems] if name else []
    parts: list[tuple[str, bool]] = []
    last = 0
    for m in WORD.finditer(text):
        word = fold(m.group())
        hit = any(word.startswith(s) for s in stems) or any(skeleton(word).startswith(b)
                                                            for b in bones)
        if hit:
            if m.start() > last:
                parts.append((text[last:m.start()], False))
            parts.append((m.group(), True))
            last = m.end()
    if last < len(text):
        parts.append((text[last:], False))
    return parts
