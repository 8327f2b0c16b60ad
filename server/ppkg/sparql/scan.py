"""A small SPARQL lexer: what a query asks for before any engine sees it.

Used by the query stage (files → store → query → serializer → HTTP) to refuse what this
read-only endpoint never does — updates, and SERVICE / LOAD targets that would make the engine
fetch something over the network — and to learn the query form (for content negotiation before
execution), the PREFIX declarations (reused when serializing graphs) and whether the query names
its own dataset (FROM / FROM NAMED).

The lexer only has to be right about where code ends and strings, IRIs and comments begin, so a
keyword hidden in a literal or a comment is ignored while one in code is always seen. It is not a
parser: syntax errors are left to the engine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

QUERY_FORMS = ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")
UPDATE_KEYWORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH")

_PLX = r"(?:%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%])"
_PN_PREFIX = r"(?:[^\W\d_](?:[\w\-.\u00B7]*[\w\-\u00B7])?)"
_PN_LOCAL = (rf"(?:(?:[\w:]|{_PLX})(?:(?:[\w\-.:\u00B7]|{_PLX})*(?:[\w\-:\u00B7]|{_PLX}))?)")
_ECHAR_OR_CHAR = r"(?:[^\\]|\\.)"

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
    | (?P<pname>{_PN_PREFIX}?:{_PN_LOCAL}?)
    | (?P<word>[A-Za-z_]\w*)
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
class Target:
    """A SERVICE or LOAD target as written, and the IRI it names (None: a variable)."""

    keyword: str  # SERVICE or LOAD
    written: str
    iri: str | None

    def describe(self) -> str:
        if self.iri is None:
            return f"{self.keyword} {self.written}"
        return f"{self.keyword} <{self.iri}>"


@dataclass
class QueryInfo:
    form: str | None = None  # SELECT, CONSTRUCT, DESCRIBE, ASK; None when not recognised
    update: str | None = None  # the update keyword the text starts with (INSERT, LOAD, ...)
    prefixes: dict[str, str] = field(default_factory=dict)
    base: str | None = None
    services: list[Target] = field(default_factory=list)
    loads: list[Target] = field(default_factory=list)
    has_dataset_clause: bool = False  # FROM or FROM NAMED

    def refused_targets(self, allowlist) -> list[Target]:
        """SERVICE and LOAD targets not on the allowlist (a variable target never is)."""
        allowed = set(allowlist)
        return [t for t in self.services + self.loads if t.iri is None or t.iri not in allowed]


def tokens(text: str):
    """Significant tokens (no whitespace, no comments) of a SPARQL query or update."""
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind in ("ws", "comment"):
            continue
        yield Token(kind, match.group(), match.start())


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

    def target(keyword: str, i: int) -> Target | None:
        j = i + 1
        if j < len(toks) and toks[j].kind == "word" and toks[j].text.upper() == "SILENT":
            j += 1
        if j >= len(toks):
            return None
        tok = toks[j]
        if tok.kind == "iri":
            return Target(keyword, tok.text, iri_of(tok, info))
        if tok.kind == "pname":
            iri = iri_of(tok, info)
            return Target(keyword, tok.text, iri if iri is not None else tok.text)
        return Target(keyword, tok.text, None)

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
            if word == "LOAD":
                found = target("LOAD", i)
                if found is not None:
                    info.loads.append(found)
        elif word == "SERVICE":
            found = target("SERVICE", i)
            info.services.append(found or Target("SERVICE", "", None))
        elif word == "FROM":
            info.has_dataset_clause = True
    return info
