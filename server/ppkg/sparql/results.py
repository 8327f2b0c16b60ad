"""Writing query results row by row, row-limited: the exact writers.

Fourth stage of the data flow: files → store → query → serializer → HTTP. pyoxigraph's own
results writers are faster but cannot stop after N rows (ppkg.sparql.answer uses them when a
result is known to fit); these write one solution at a time, following the W3C specs
(byte-compatible with Oxigraph's writers), with a link in the head when the row limit cut the
result:

- SPARQL 1.1 Query Results JSON Format   https://www.w3.org/TR/sparql11-results-json/
- SPARQL Query Results XML Format        https://www.w3.org/TR/rdf-sparql-XMLres/
- SPARQL 1.1 Query Results CSV and TSV   https://www.w3.org/TR/sparql11-results-csv-tsv/

Graphs (CONSTRUCT / DESCRIBE) go through pyoxigraph.serialize over a limited iterator.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import BinaryIO, Iterable, Iterator, Sequence

import pyoxigraph as ox

from ppkg.formats import RdfFormat, ResultsFormat
from ppkg.vocab import ITS as ITS_NS
from ppkg.vocab import RESULTS as RESULTS_NS
from ppkg.vocab import XSD, XSD_STRING


@dataclass
class Written:
    """How much was written, and whether the limit cut the result short."""

    count: int = 0
    truncated: bool = False


def limited(items: Iterable, limit: int | None, written: Written) -> Iterator:
    """Yield at most `limit` items, counting them; note in `written` when more were left."""
    for item in items:
        if limit is not None and written.count >= limit:
            written.truncated = True
            return
        written.count += 1
        yield item


# --- terms -----------------------------------------------------------------------------------

def _direction(literal: ox.Literal) -> str | None:
    direction = getattr(literal, "direction", None)
    if direction is None:
        return None
    return str(direction).rsplit(".", 1)[-1].lower() if not isinstance(direction, str) else direction


def term_json(term) -> dict:
    """A pyoxigraph term as in SPARQL 1.1 JSON results (RDF 1.2: directions, triple terms)."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
            direction = _direction(term)
            if direction:
                out["its:dir"] = direction
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):
        return {"type": "triple", "value": {
            "subject": term_json(term.subject),
            "predicate": term_json(term.predicate),
            "object": term_json(term.object),
        }}
    raise TypeError(f"not an RDF term: {term!r}")


def term_from_json(term: dict | None):
    """A term of SPARQL JSON results as a pyoxigraph term (the inverse of what this module
    writes); None stays None (an unbound variable). Raises ValueError for an unknown term type."""
    if term is None:
        return None
    kind, value = term.get("type"), term.get("value", "")
    if kind == "uri":
        return ox.NamedNode(value)
    if kind == "bnode":
        return ox.BlankNode(value)
    if kind in ("literal", "typed-literal"):  # "typed-literal": the draft form some stores send
        if term.get("xml:lang"):
            return ox.Literal(value, language=term["xml:lang"])
        if term.get("datatype"):
            return ox.Literal(value, datatype=ox.NamedNode(term["datatype"]))
        return ox.Literal(value)
    if kind == "triple":
        return ox.Triple(term_from_json(value["subject"]), term_from_json(value["predicate"]),
                         term_from_json(value["object"]))
    raise ValueError(f"unknown SPARQL JSON term type {kind!r}")


_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_escape(text: str) -> str:
    text = _XML_INVALID.sub("", text)
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("\r", "&#13;"))


def _xml_term(term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{_xml_escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{_xml_escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            attrs = f' xml:lang="{_xml_escape(term.language)}"'
            direction = _direction(term)
            if direction:
                attrs += f' its:dir="{direction}" xmlns:its="{ITS_NS}" its:version="2.0"'
        elif term.datatype.value != XSD_STRING:
            attrs = f' datatype="{_xml_escape(term.datatype.value)}"'
        else:
            attrs = ""
        return f"<literal{attrs}>{_xml_escape(term.value)}</literal>"
    if isinstance(term, ox.Triple):
        return (f"<triple><subject>{_xml_term(term.subject)}</subject>"
                f"<predicate>{_xml_term(term.predicate)}</predicate>"
                f"<object>{_xml_term(term.object)}</object></triple>")
    raise TypeError(f"not an RDF term: {term!r}")


def _csv_plain(term) -> str:
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    if isinstance(term, ox.Triple):
        return " ".join(_csv_plain(t) for t in (term.subject, term.predicate, term.object))
    return term.value  # IRI or literal: the bare value (the spec drops datatype and language)


def _csv_field(term) -> str:
    if term is None:
        return ""
    value = _csv_plain(term)
    if any(c in value for c in '",\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


_TURTLE_BARE = {
    XSD + "integer": re.compile(r"[+-]?[0-9]+"),
    XSD + "decimal": re.compile(r"[+-]?[0-9]*\.[0-9]+"),
    XSD + "double": re.compile(r"[+-]?(?:[0-9]+\.[0-9]*[eE][+-]?[0-9]+|\.[0-9]+[eE][+-]?[0-9]+|[0-9]+[eE][+-]?[0-9]+)"),
    XSD + "boolean": re.compile(r"true|false"),
}


def _tsv_field(term) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.Literal):
        bare = _TURTLE_BARE.get(term.datatype.value)
        if bare is not None and bare.fullmatch(term.value):
            return term.value
    if isinstance(term, ox.Triple):
        return f"<<( {_tsv_field(term.subject)} {_tsv_field(term.predicate)} {_tsv_field(term.object)} )>>"
    return str(term)  # N-Triples syntax: <iri>, _:id, "escaped"@lang, "x"^^<dt>


# --- SELECT / ASK ------------------------------------------------------------------------------

def write_solutions(solutions: Iterable[Sequence], variables: Sequence[str], fmt: ResultsFormat,
                    out: BinaryIO, limit: int | None = None, link: str | None = None) -> Written:
    """Write SELECT solutions (sequences of terms or None, in `variables` order); `link` goes
    in the head of the JSON and XML formats (where the SPARQL formats carry links)."""
    written = Written()
    rows = limited(solutions, limit, written)
    name = fmt.name
    if name == "json":
        links = b',"link":' + _json([link]) if link else b""
        out.write(b'{"head":{"vars":' + _json(list(variables)) + links
                  + b'},"results":{"bindings":[')
        first = True
        for row in rows:
            binding = {v: term_json(t) for v, t in zip(variables, row) if t is not None}
            out.write((b"" if first else b",") + _json(binding))
            first = False
        out.write(b"]}}")
    elif name == "xml":
        head = "".join(f'<variable name="{_xml_escape(v)}"/>' for v in variables)
        if link:
            head += f'<link href="{_xml_escape(link)}"/>'
        out.write(f'<?xml version="1.0"?><sparql xmlns="{RESULTS_NS}"><head>{head}</head><results>'
                  .encode())
        for row in rows:
            bindings = "".join(f'<binding name="{_xml_escape(v)}">{_xml_term(t)}</binding>'
                               for v, t in zip(variables, row) if t is not None)
            out.write(f"<result>{bindings}</result>".encode())
        out.write(b"</results></sparql>")
    elif name == "csv":
        out.write((",".join(variables) + "\r\n").encode())
        for row in rows:
            out.write((",".join(_csv_field(t) for t in row) + "\r\n").encode())
    elif name == "tsv":
        out.write(("\t".join("?" + v for v in variables) + "\n").encode())
        for row in rows:
            out.write(("\t".join(_tsv_field(t) for t in row) + "\n").encode())
    else:
        raise ValueError(f"unknown results format {name!r}")
    return written


def _json(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def write_boolean(value: bool, fmt: ResultsFormat, out: BinaryIO) -> None:
    """Write an ASK result (CSV and TSV as the bare word, as Oxigraph and Jena do)."""
    word = "true" if value else "false"
    if fmt.name == "json":
        out.write(b'{"head":{},"boolean":' + word.encode() + b"}")
    elif fmt.name == "xml":
        out.write(f'<?xml version="1.0"?><sparql xmlns="{RESULTS_NS}"><head></head>'
                  f"<boolean>{word}</boolean></sparql>".encode())
    elif fmt.name in ("csv", "tsv"):
        out.write(word.encode())
    else:
        raise ValueError(f"unknown results format {fmt.name!r}")


# --- CONSTRUCT / DESCRIBE ----------------------------------------------------------------------

def write_graph(triples: Iterable, fmt: RdfFormat, out: BinaryIO, limit: int | None = None,
                prefixes: dict[str, str] | None = None) -> Written:
    """Serialize triples with pyoxigraph; dataset formats get them in the default graph."""
    written = Written()
    items: Iterable = limited(triples, limit, written)
    if fmt.datasets and fmt.name != "jsonld":
        items = (ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in items)
    kwargs = {}
    if prefixes and fmt.prefixes:
        kwargs["prefixes"] = prefixes
    ox.serialize(items, out, fmt.oxigraph, **kwargs)
    return written
