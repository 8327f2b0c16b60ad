"""A query's result as the bytes of an HTTP answer: in the chosen format, within the row limit.

SELECT results are written by pyoxigraph's own writers (Rust, with the GIL released) when the
result is known to fit: the writer fills a buffer capped at FAST_BYTES, and an upper bound on the
rows it wrote is read off the bytes (a mark every row has: `},{` between JSON bindings,
`<result>` in XML, a line end in CSV and TSV; a literal holding the mark only raises the bound).
A result that may be over the limit, or over the cap, is evaluated again and written row by row
(ppkg.sparql.results), stopping at the limit: exact, and with a link in the head saying it was
cut. The second evaluation costs only results of thousands of rows, which cost more anyway.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from itertools import islice
from typing import Callable

import pyoxigraph as ox

from ppkg.errors import NotAcceptable
from ppkg.formats import RDF_FORMATS, RESULTS_FORMATS, Format, RdfFormat, ResultsFormat, by_name
from ppkg.negotiate import media_types
from ppkg.sparql.results import write_boolean, write_graph, write_solutions

FAST_BYTES = 4 * 1024 * 1024
TRUNCATED_LINK = "#row-limit"  # the service description's paragraph on limits (made absolute by the caller)
_ROW_MARK = {"json": b"},{", "xml": b"<result>", "csv": b"\n", "tsv": b"\n"}
_FIXED_ROWS = {"json": 1, "xml": 0, "csv": -1, "tsv": -1}  # add to the marks for a row bound


@dataclass
class Answer:
    body: bytes
    format_name: str  # its format's name (pyoxigraph's format objects do not pickle)
    form: str  # SELECT, ASK, CONSTRUCT or DESCRIBE
    truncated: bool
    row_limit: int

    @property
    def format(self) -> Format:
        return by_name(RESULTS_FORMATS + RDF_FORMATS, self.format_name)


class _Full(Exception):
    pass


class _Capped(io.RawIOBase):
    """A bytes buffer that refuses to grow past `cap` (pyoxigraph's writer stops at the raise)."""

    def __init__(self, cap: int):
        self.chunks: list[bytes] = []
        self.size = 0
        self.cap = cap

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.size += len(data)
        if self.size > self.cap:
            raise _Full()
        self.chunks.append(bytes(data))
        return len(data)

    def value(self) -> bytes:
        return b"".join(self.chunks)


def solutions(run: Callable[[], ox.QuerySolutions], fmt: ResultsFormat, limit: int,
              link: str | None = None) -> tuple[bytes, bool]:
    """A SELECT result as bytes, and whether the limit cut it; `run()` evaluates the query."""
    result = run()
    buffer = _Capped(FAST_BYTES)
    try:
        result.serialize(buffer, fmt.oxigraph)
    except _Full:
        pass
    else:
        body = buffer.value()
        if body.count(_ROW_MARK[fmt.name]) + _FIXED_ROWS[fmt.name] <= limit:
            return body, False
    result = run()
    variables = [v.value for v in result.variables]
    rows = [tuple(s) for s in islice(result, limit + 1)]
    truncated = len(rows) > limit
    out = io.BytesIO()
    write_solutions(rows[:limit], variables, fmt, out, link=link if truncated else None)
    return out.getvalue(), truncated


def _format(fmt, form: str, offered):
    if fmt is None:
        article = "an" if form == "ASK" else "a"
        raise NotAcceptable(f"None of the requested types can carry {article} {form} result",
                            media_types(offered))
    return fmt


def from_rows(result, fmt: ResultsFormat | None, limit: int, link: str | None = None) -> Answer:
    """An answer from rows already in hand (a SelectResult), written row by row."""
    fmt = _format(fmt, "SELECT", RESULTS_FORMATS)
    out = io.BytesIO()
    write_solutions(result.rows, result.variables, fmt, out,
                    link=link if result.truncated else None)
    return Answer(out.getvalue(), fmt.name, "SELECT", result.truncated, limit)


def from_boolean(value: bool, fmt: ResultsFormat | None, limit: int) -> Answer:
    fmt = _format(fmt, "ASK", RESULTS_FORMATS)
    out = io.BytesIO()
    write_boolean(value, fmt, out)
    return Answer(out.getvalue(), fmt.name, "ASK", False, limit)


def from_triples(triples, fmt: RdfFormat | None, limit: int, form: str | None = None,
                 prefixes: dict[str, str] | None = None) -> Answer:
    form = form if form in ("CONSTRUCT", "DESCRIBE") else "CONSTRUCT"
    fmt = _format(fmt, form, RDF_FORMATS)
    out = io.BytesIO()
    written = write_graph(triples, fmt, out, limit, prefixes)
    return Answer(out.getvalue(), fmt.name, form, written.truncated, limit)


def answer(run: Callable[[], object], results_format: ResultsFormat | None,
           rdf_format: RdfFormat | None, limit: int, form: str | None = None,
           prefixes: dict[str, str] | None = None, link: str | None = None) -> Answer:
    """The whole answer to a query of any form, `run()` evaluating it; NotAcceptable when the
    format for its form is missing (the caller offered none the client accepts)."""
    result = run()
    if isinstance(result, ox.QueryBoolean):
        return from_boolean(bool(result), results_format, limit)
    if not isinstance(result, ox.QuerySolutions):
        return from_triples(result, rdf_format, limit, form, prefixes)
    fmt = _format(results_format, "SELECT", RESULTS_FORMATS)
    fresh = iter([result])  # the result in hand first, then evaluations anew
    body, truncated = solutions(lambda: next(fresh, None) or run(), fmt, limit, link)
    return Answer(body, fmt.name, "SELECT", truncated, limit)
