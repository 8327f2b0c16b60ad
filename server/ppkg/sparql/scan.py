"""A small SPARQL lexer, in linear time: where code ends and strings, IRIs and comments begin.

What it is for: the remote store's query rewriting (ppkg.store.remote.dialect,
ppkg.sparql.ordering), which needs the query's form, its PREFIX and BASE declarations and whether
it names its own dataset (FROM / FROM NAMED); the CLI, which needs the form of the user's query;
and the line breaks ppkg.sparql.checks puts before SERVICE for rdflib's parser. It is not a
parser and decides nothing about safety: what a query may do is decided from a parse
(ppkg.sparql.checks); syntax errors are left to the engine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

QUERY_FORMS = ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")
UPDATE_KEYWORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH")

# A name, or a prefixed name, is one greedy run, its trailing dots given back afterwards
# (`tokens`): the grammar's "anything, then not a dot" made the engine retry every shorter run
# from every position, quadratic on `a.a.a.…` (24 KB took 9 s).
_NAME = r"(?:[^\W\d][\w\-.\u00B7]*(?::[\w\-.:\u00B7%\\]*)?|:[\w\-.:\u00B7%\\]*)"

_TOKEN = re.compile(
    rf"""
      (?P<ws>\s+)
    | (?P<comment>\#[^\r\n]*)
    | (?P<string>
          \"\"\"(?:(?:\"|\"\")?(?:[^\"\\]|\\.))*\"\"\"
        | '''(?:(?:'|'')?(?:[^'\\]|\\.))*'''
        | "(?:[^"\\\r\n]|\\.)*"
        | '(?:[^'\\\r\n]|\\.)*'
      )
    | (?P<iri><(?:[^<>"{{}}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{{4}}|\\U[0-9A-Fa-f]{{8}})*>)
    | (?P<var>[?$][\w\u00B7\u0300-\u036F\u203F-\u2040]+)
    | (?P<bnode>_:[\w\-.\u00B7]*)
    | (?P<name>{_NAME})
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_UCHAR = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_LOCAL_ESCAPE = re.compile(r"\\([_~.\-!$&'()*+,;=/?#@%])")


@dataclass(frozen=True)
class Token:
    kind: str  # iri, var, bnode, pname, word, string, other
    text: str
    offset: int


@dataclass
class QueryInfo:
    form: str | None = None  # SELECT, CONSTRUCT, DESCRIBE, ASK; None when not recognised
    update: str | None = None  # the update keyword the text starts with (INSERT, LOAD, ...)
    prefixes: dict[str, str] = field(default_factory=dict)
    base: str | None = None
    has_dataset_clause: bool = False  # FROM or FROM NAMED
    names_graphs: bool = True  # it may use GRAPH or FROM (set by the checks: ppkg.sparql.checks)


def tokens(text: str):
    """Significant tokens (no whitespace, no comments) of a SPARQL query or update."""
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind in ("ws", "comment"):
            continue
        found, start = match.group(), match.start()
        if kind != "name":
            yield Token(kind, found, start)
            continue
        name = found.rstrip(".")
        yield Token("pname" if ":" in name else "word", name, start)
        for i in range(len(name), len(found)):
            yield Token("other", ".", start + i)


def _unescape_iri(body: str) -> str:
    return _UCHAR.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), body)


def iri_of(token: Token, info: QueryInfo) -> str | None:
    """The IRI an IRI or prefixed-name token names, with the query's BASE and PREFIXes."""
    if token.kind == "iri":
        iri = _unescape_iri(token.text[1:-1])
        return urljoin(info.base, iri) if info.base else iri
    if token.kind == "pname":
        prefix, _, local = token.text.partition(":")
        namespace = info.prefixes.get(prefix)
        return None if namespace is None else namespace + _LOCAL_ESCAPE.sub(r"\1", local)
    return None


def scan(text: str) -> QueryInfo:
    """What a query or update text declares and asks for (see the module docstring)."""
    info = QueryInfo()
    toks = list(tokens(text))

    for i, tok in enumerate(toks):
        if tok.kind != "word":
            continue
        word = tok.text.upper()
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        if word == "PREFIX" and nxt is not None and nxt.kind == "pname" and nxt.text.endswith(":"):
            iri_tok = toks[i + 2] if i + 2 < len(toks) else None
            if iri_tok is not None and iri_tok.kind == "iri":
                info.prefixes[nxt.text[:-1]] = iri_of(iri_tok, info)
        elif word == "BASE" and nxt is not None and nxt.kind == "iri":
            info.base = iri_of(nxt, info)
        elif word in QUERY_FORMS or word in UPDATE_KEYWORDS:
            if info.form is None and info.update is None:
                if word in QUERY_FORMS:
                    info.form = word
                else:
                    info.update = word
        elif word == "FROM":
            info.has_dataset_clause = True
    return info
