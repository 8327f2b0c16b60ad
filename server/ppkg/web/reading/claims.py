"""Claims: a value with the sources that state it, and how dates and durations read.

Every value a reader's page shows is a Claim. Values two sources give differently stay two claims,
each with its source; `disputed` says when a page should mark them.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from ppkg.vocab import XSD
from ppkg.web.pages import Link

MONTHS = ["", "January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]


@dataclass
class Claim:
    text: str
    sources: list[Link] = field(default_factory=list)
    link: Link | None = None  # when the value is a resource


def claims(pairs: Iterable[tuple[object, str]], source: Callable[[str], Link],
           render: Callable[[object, str], Claim | None]) -> list[Claim]:
    """(value, graph) pairs as claims: equal texts merged, each with every source stating it."""
    out: dict[str, tuple[Claim, Sources]] = {}
    for value, graph in pairs:
        claim = render(value, graph)
        if claim is not None:
            out.setdefault(claim.text, (claim, Sources()))[1].add(source(graph))
    for claim, sources in out.values():
        claim.sources = sources.sorted()
    return sorted((claim for claim, _ in out.values()), key=lambda c: c.text.lower())


class Sources(dict):
    """The sources of one value as they are found (once each; a resource may have thousands),
    then listed in one order whichever order the store answered in."""

    def add(self, link: Link) -> None:
        self.setdefault(link.iri, link)

    def sorted(self) -> list[Link]:
        return sorted(self.values(), key=lambda s: (s.label.lower(), s.iri))


def disputed(found: list[Claim]) -> bool:
    return len({c.text for c in found}) > 1


# --- when ---------------------------------------------------------------------------------------

@dataclass
class When:
    """A date as a source gives it: precise to the day, the month or the year, never more."""

    lexical: str
    text: str  # "16 March 2019", "May 2013", "2013"
    precision: str  # "day", "month", "year" or "" (not a calendar date)
    start: str | None = None  # ISO date of the first day it can be
    end: str | None = None  # ... and of the last


def when(literal: ox.Literal) -> When:
    value, datatype = literal.value.strip(), literal.datatype.value
    m = re.fullmatch(r"(-?\d{4,})(?:-(\d{2}))?(?:-(\d{2}))?(T.*)?", value)
    if m is None or datatype not in (XSD + "date", XSD + "dateTime", XSD + "gYearMonth",
                                     XSD + "gYear"):
        return When(value, value, "")
    year, month, day = m.group(1), m.group(2), m.group(3)
    y = int(year)
    if day and month:
        return When(value, f"{int(day)} {MONTHS[int(month)]} {y}", "day",
                    f"{year}-{month}-{day}", f"{year}-{month}-{day}")
    if month:
        last = calendar.monthrange(y, int(month))[1] if 1 <= y <= 9999 else 28
        return When(value, f"{MONTHS[int(month)]} {y}", "month", f"{year}-{month}-01",
                    f"{year}-{month}-{last:02d}")
    return When(value, str(y), "year", f"{year}-01-01", f"{year}-12-31")


_DURATION = re.compile(r"P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?")


def duration(literal: ox.Literal) -> str:
    """"P4Y" → "4 years"; anything that is not a plain duration stays as written."""
    m = _DURATION.fullmatch(literal.value.strip())
    if m is None or not any(m.groups()):
        return literal.value
    parts = []
    for number, unit in zip(m.groups(), ("year", "month", "week", "day")):
        if number:
            n = int(number)
            parts.append(f"{n} {unit}{'' if n == 1 else 's'}")
    return " ".join(parts)


def literal_text(literal: ox.Literal) -> str:
    if literal.datatype.value == XSD + "boolean":
        return "yes" if literal.value in ("true", "1") else "no"
    if literal.datatype.value == XSD + "duration":
        return duration(literal)
    if literal.datatype.value in (XSD + "date", XSD + "gYear", XSD + "gYearMonth"):
        return when(literal).text
    return literal.value
