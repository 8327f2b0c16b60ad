"""What an endpoint answered to GET /sparql, as a set that compares across servers.

Two servers agree when they return the same rows, whatever their order, their JSON layout or
their Turtle prefixes: SELECT results become a set of rows (each a set of variable → term),
CONSTRUCT results a set of triples.
"""

from __future__ import annotations

import http.client
import json
import urllib.parse

import pyoxigraph as ox

JSON = "application/sparql-results+json"
TURTLE = "text/turtle"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def path(query: str) -> str:
    return "/sparql?" + urllib.parse.urlencode({"query": query})


def get(port: int, target: str, accept: str, timeout: float = 300) -> tuple[int, str, bytes]:
    """(status, media type, body)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", target, headers={"Accept": accept})
        response = conn.getresponse()
        body = response.read()
    finally:
        conn.close()
    media = (response.getheader("Content-Type") or "").split(";")[0].strip()
    return response.status, media, body


def _term(binding: dict) -> tuple:
    kind = "literal" if binding["type"] == "typed-literal" else binding["type"]
    datatype = binding.get("datatype")
    if datatype == XSD_STRING:  # RDF 1.1: a plain literal is an xsd:string
        datatype = None
    return kind, binding["value"], datatype, binding.get("xml:lang")


def rows(media: str, body: bytes) -> frozenset:
    if media == JSON:
        bindings = json.loads(body)["results"]["bindings"]
        return frozenset(frozenset((var, _term(b)) for var, b in row.items()) for row in bindings)
    if media == TURTLE:
        return frozenset(ox.parse(body, format=ox.RdfFormat.TURTLE))
    raise ValueError(f"unexpected media type {media!r}")


def answer(port: int, target: str, accept: str) -> frozenset:
    """The rows, or ValueError if the answer is not a 200 in the media type asked for."""
    status, media, body = get(port, target, accept)
    if status != 200 or media != accept:
        raise ValueError(f"status {status}, {media or 'no content type'}: "
                         f"{body[:300].decode(errors='replace')}")
    return rows(media, body)


def column(port: int, query: str, var: str) -> list[str]:
    """The values of `var` in a SELECT's rows, in the server's order."""
    status, _, body = get(port, path(query), JSON)
    if status != 200:
        raise ValueError(f"status {status}: {body[:300].decode(errors='replace')}")
    return [row[var]["value"] for row in json.loads(body)["results"]["bindings"]]


def disagreement(floor_port: int, ppkg_port: int, target: str, accept: str) -> str | None:
    """None if both answer the same rows; otherwise what differs, in one line."""
    try:
        expected = answer(floor_port, target, accept)
    except ValueError as err:
        return f"floor: {err}"
    try:
        got = answer(ppkg_port, target, accept)
    except ValueError as err:
        return f"ppkg: {err}"
    if got == expected:
        return None
    text = f"floor {len(expected)} rows, ppkg {len(got)}"
    for which, differing in (("missing in ppkg", expected - got), ("only in ppkg", got - expected)):
        text += f"; {len(differing)} {which}"
        if differing:
            text += f", e.g. {_show(next(iter(differing)))}"
    return text


def _show(row) -> str:
    if isinstance(row, frozenset):
        return "{" + ", ".join(f"?{var}={term[1]}" for var, term in sorted(row)) + "}"
    return str(row)  # a triple
