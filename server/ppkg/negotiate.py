"""Content negotiation: which of the formats on offer suits a request best.

Accept parsing (q-values, wildcards) is werkzeug's; the formats and everything that selects them
(media types, aliases, `?format=` names) come from the table in ppkg.formats. One function:

    fmt = choose(RDF_FORMATS + (HTML,), request.headers.get("Accept"), request.args.getlist("format"))
    if fmt is None:
        raise NotAcceptable(..., available=media_types(offers))
"""

from __future__ import annotations

from functools import lru_cache
from typing import Iterable, Sequence, TypeVar

from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from ppkg.formats import Format, by_name

F = TypeVar("F", bound=Format)


def media_types(offers: Sequence[Format]) -> list[str]:
    """The media types to list in a 406 (one per format)."""
    return [f.media_type for f in offers]


def choose(offers: Sequence[F], accept: str | MIMEAccept | None,
           format_values: Iterable[str] = ()) -> F | None:
    """The best format on offer, or None when nothing fits (the caller answers 406).

    `format_values` (the `format` / `output` parameters) win over the Accept header: the first
    value that names an offer — by name, media type or Accept-style list — decides. If some
    were given and none fits, the answer is None: the client asked for something explicit.
    A missing or empty Accept header means no preference: the first offer.
    """
    values = tuple(v.strip() for v in format_values if v and v.strip())
    if isinstance(accept, str) or accept is None:
        # Clients send the same few headers again and again: parsing one costs more than the
        # query of a lookup. Bounded, since the header is the client's to choose.
        return _choose_cached(tuple(offers), accept or "", values)
    return _choose(offers, accept, values)


@lru_cache(maxsize=512)
def _choose_cached(offers: tuple, accept: str, values: tuple):
    return _choose(offers, parse_accept_header(accept, MIMEAccept), values)


def _choose(offers: Sequence[F], accept: MIMEAccept, values: tuple[str, ...]) -> F | None:
    if values:
        for value in values:
            if "/" in value:  # a media type, or an Accept-style list of them
                found = _best(offers, parse_accept_header(value.lower(), MIMEAccept))
            else:
                found = by_name(offers, value)
            if found is not None:
                return found
        return None
    if not accept:
        return offers[0] if offers else None
    return _best(offers, accept)


def _best(offers: Sequence[F], accept: MIMEAccept) -> F | None:
    """Highest quality wins; at equal quality the more specific match, then the earlier offer.

    A format's own media type matches ranges (`text/*`, `*/*`); its other media types and
    aliases only match when the client names them, so a wildcard never selects a format under a
    type the client rated lower.
    """
    best, best_key = None, (0.0, -1)
    for offer in offers:
        key = _match(accept, offer.media_type, wildcards=True)
        for other in offer.media_types[1:] + offer.aliases:
            key = max(key, _match(accept, other, wildcards=False))
        if key[0] > 0 and key > best_key:
            best, best_key = offer, key
    return best


def _match(accept: MIMEAccept, media_type: str, wildcards: bool) -> tuple[float, int]:
    """(quality, specificity) of the most specific range in `accept` that covers `media_type`."""
    main, _, sub = media_type.lower().partition("/")
    found: tuple[float, int] | None = None
    for value, quality in accept:
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
