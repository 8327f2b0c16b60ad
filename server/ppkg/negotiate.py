"""Content negotiation: which of the formats we offer suits a request best.

Accept parsing (q-values, wildcards, specificity) is werkzeug's; this module adds what the SPARQL
endpoint and the linked-data pages share: offers built from the format tables in ppkg.formats,
the `?format=` override (a short name such as `json`, `ttl`, `csv`, or a media type / Accept
list), a default when the client states no preference, and the list of media types to name in
a 406.

    offer = choose(results_offers(), request.headers.get("Accept"), request.args.getlist("format"))
    if offer is None:
        raise NotAcceptable(..., available=available(results_offers()))
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Sequence

from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from ppkg.formats import RDF_FORMATS, RESULTS_FORMATS


@dataclass(frozen=True)
class Offer:
    """Something we can answer with: its media type, the types and names that select it."""

    media_type: str  # the Content-Type we answer with
    value: Any  # what the caller does with it (a format object, "html", ...)
    aliases: tuple[str, ...] = ()  # other media types that select it
    names: tuple[str, ...] = ()  # `?format=` names

    @property
    def media_types(self) -> tuple[str, ...]:
        return (self.media_type,) + self.aliases


_RESULTS_NAMES = {
    "json": ("json", "srj", "sparql-results+json"),
    "xml": ("xml", "srx", "sparql-results+xml"),
    "csv": ("csv",),
    "tsv": ("tsv", "tab-separated-values"),
}
_RDF_NAMES = {
    "turtle": ("turtle", "ttl", "n3"),
    "ntriples": ("ntriples", "nt", "n-triples"),
    "jsonld": ("jsonld", "json-ld", "json"),
    "rdfxml": ("rdfxml", "rdf+xml", "rdf", "xml", "owl"),
    "trig": ("trig",),
    "nquads": ("nquads", "nq", "n-quads"),
}


def results_offers() -> list[Offer]:
    """SELECT / ASK results: SPARQL JSON first (the default), then XML, CSV, TSV."""
    return [Offer(f.media_type, f, f.media_types[1:], _RESULTS_NAMES.get(f.name, (f.name,)))
            for f in RESULTS_FORMATS]


def rdf_offers(include: Iterable[str] | None = None) -> list[Offer]:
    """RDF serializations, Turtle first (the default); `include` restricts them by name."""
    wanted = None if include is None else list(include)
    formats = RDF_FORMATS if wanted is None else [f for n in wanted for f in RDF_FORMATS if f.name == n]
    extra = {"turtle": ("text/n3", "text/rdf+n3", "application/turtle"),
             "jsonld": ("application/x-json+ld",)}
    return [Offer(f.media_type, f, f.media_types[1:] + extra.get(f.name, ()),
                  _RDF_NAMES.get(f.name, (f.name,))) for f in formats]


def html_offer(value: Any = "html") -> Offer:
    return Offer("text/html", value, ("application/xhtml+xml",), ("html",))


def available(offers: Sequence[Offer]) -> list[str]:
    """The media types to list in a 406 (one per offer)."""
    return [o.media_type for o in offers]


def choose(offers: Sequence[Offer], accept: str | MIMEAccept | None,
           format_values: Iterable[str] = ()) -> Offer | None:
    """The best offer, or None when nothing fits (the caller answers 406).

    `format_values` (the `format` / `output` parameters) win over the Accept header: the first
    value that names an offer — by short name, media type or Accept-style list — decides. If
    some were given and none fits, the answer is None: the client asked for something explicit.
    A missing or empty Accept header means no preference: the first offer.
    """
    values = [v.strip() for v in format_values if v and v.strip()]
    if values:
        for value in values:
            found = _by_format_value(offers, value)
            if found is not None:
                return found
        return None
    if isinstance(accept, str) or accept is None:
        accept = parse_accept_header(accept or "", MIMEAccept)
    if not accept:
        return offers[0] if offers else None
    return _best(offers, accept)


def _by_format_value(offers: Sequence[Offer], value: str) -> Offer | None:
    lowered = value.lower()
    if "/" in lowered:  # a media type, or an Accept-style list of them
        return _best(offers, parse_accept_header(lowered, MIMEAccept))
    for offer in offers:
        if lowered in offer.names:
            return offer
    return None


def _best(offers: Sequence[Offer], accept: MIMEAccept) -> Offer | None:
    """Highest quality wins; at equal quality the more specific match, then the earlier offer.

    An offer's own media type matches ranges (`text/*`, `*/*`); its aliases only match when the
    client names them, so a wildcard never selects a format under a type the client rated lower.
    """
    best, best_key = None, (0.0, -1)
    for offer in offers:
        key = _match(accept, offer.media_type, wildcards=True)
        for alias in offer.aliases:
            key = max(key, _match(accept, alias, wildcards=False))
        if key[0] > 0 and key > best_key:
            best, best_key = offer, key
    return best


def _match(accept: MIMEAccept, media_type: str, wildcards: bool) -> tuple[float, int]:
    """(quality, specificity) of the most specific range in `accept` that covers `media_type`."""
    main, _, sub = media_type.lower().partition("/")
    found: tuple[float, int] | None = None
    for value, quality in accept:  # werkzeug has parsed the header and its q-values
        item = value.split(";", 1)[0].strip().lower()
        item_main, _, item_sub = item.partition("/")
        if item_main == main and item_sub == sub:
            specificity = 2
        elif wildcards and item_main == main and item_sub == "*":
            specificity = 1
        elif wildcards and item in ("*/*", "*"):
            specificity = 0
        else:
            continue
        if found is None or specificity > found[1]:
            found = (quality, specificity)
    return found or (0.0, -1)
