"""What a query asks for, decided before an engine runs it: calls to other endpoints, nesting, and
which data it reads.

SERVICE is decided from the parsed query, never by scanning for the keyword: an engine may
accept it spelt in ways a scanner misses (pyoxigraph 0.5.13 takes `SERVICESILENT<…>` and
`SERVICEe:x`, docs/upstream-defects.md). Every spelling a parser could read as SERVICE contains
the letters s-e-r-v-i-c-e in a row, case aside, so a query without them is let through at once;
any other is parsed (rdflib's SPARQL 1.1 parser) and its SERVICE patterns checked against the
allowlist — a query that mentions them and cannot be parsed is refused, since what it would
call cannot be known. The processes that evaluate queries cannot open network sockets anyway
(ppkg.runtime.sandbox): this check is what lets the refusal name the target.

Nesting deeper than MAX_DEPTH brackets is refused before any parser recurses into it (5,000
nested parentheses overflowed pyoxigraph's stack and killed its process), and so is a query of
more than MAX_OPERATORS operators and clauses: a flat chain (`!!!…`, `1+1+…`, `?o, ?o, …`,
`<p>/<p>/…`, thousands of MINUS or BIND) nests as deep in the engine's parse and algebra as
brackets do — 2,800 MINUS blocks overflowed an 8 MiB stack. The process that parses and evaluates
gets STACK bytes of stack (`check` raises the soft limit once; forks inherit it), eleven times
what the longest allowed chain was measured to need.

Two cheap facts route a query in the embedded store: whether it may name graphs (the letters
"graph" or "from": GRAPH, FROM, FROM NAMED) and whether it orders results ("order"). Both are
supersets — a word in a literal or a comment only sends the query the longer way.
"""

from __future__ import annotations

import re
import resource
from dataclasses import dataclass, field
from itertools import accumulate

from ppkg.errors import QueryRefused, QuerySyntaxError, ReadOnly
from ppkg.sparql.scan import tokens

MAX_DEPTH = 256  # bracket nesting ( { [ of a query
MAX_OPERATORS = 2000  # operators and clauses of a query (see the module doc)
STACK = 64 * 2**20  # bytes of stack the process evaluating queries may grow to
_OPERATOR_CHARS = "!+-*/|^,;.&=<>"
_CLAUSE_WORDS = frozenset(("MINUS", "BIND", "OPTIONAL", "UNION", "FILTER", "VALUES", "GRAPH",
                           "SERVICE", "SELECT", "EXISTS"))
_OPERATOR_BYTES = _OPERATOR_CHARS.encode()
_SERVICE = re.compile("service", re.IGNORECASE)
_GRAPHS = re.compile("graph|from", re.IGNORECASE)
_ORDER = re.compile("order", re.IGNORECASE)
# PREFIX declarations, for the prefixes of Turtle output only: linear, and harmless if fooled.
_PREFIX = re.compile(r"PREFIX\s+([A-Za-z][\w.-]{0,60})?:\s*<([^<>\s\"{}|^`\\]{1,2000})>",
                     re.IGNORECASE)
_BRACKETS = str.maketrans({"(": "\x01", "{": "\x01", "[": "\x01",
                           ")": "\x02", "}": "\x02", "]": "\x02"})


@dataclass
class Checked:
    """What the checks learnt of a query that passed them."""

    names_graphs: bool = True  # it may use GRAPH or FROM: it needs the named graphs
    orders: bool = True  # it may ORDER BY
    prefixes: dict[str, str] = field(default_factory=dict)
    services: list[str] = field(default_factory=list)  # allowlisted SERVICE endpoints it calls


def check(query: str, allowlist=()) -> Checked:
    """Refuse what this endpoint never does (QueryRefused, QuerySyntaxError); see the module doc."""
    _ensure_stack()
    opened = query.count("(") + query.count("{") + query.count("[")
    if opened > MAX_DEPTH:
        _check_depth(query)
    # Characters anywhere, and brackets for clauses (each opens one): a superset, counted in C.
    # Only a query over the limit by that count is lexed, so that strings, IRIs and comments
    # do not count.
    data = query.encode("utf-8", "surrogatepass")
    if opened + len(data) - len(data.translate(None, _OPERATOR_BYTES)) > MAX_OPERATORS:
        _check_length(query)
    services = _services(query, frozenset(allowlist)) if _SERVICE.search(query) else []
    return Checked(names_graphs=bool(_GRAPHS.search(query)), orders=bool(_ORDER.search(query)),
                   prefixes=prefixes(query), services=services)


def prefixes(query: str) -> dict[str, str]:
    return {m.group(1) or "": m.group(2) for m in _PREFIX.finditer(query[:100_000])}


def _check_depth(query: str) -> None:
    marks = query.translate(_BRACKETS)
    steps = (1 if c == "\x01" else -1 for c in marks if c in "\x01\x02")
    if max(accumulate(steps), default=0) > MAX_DEPTH:
        raise QueryRefused(f"The query nests brackets more than {MAX_DEPTH} deep; this endpoint "
                           "does not parse queries that deep")


def _check_length(query: str) -> None:
    count = 0
    for token in tokens(query):
        if (token.kind == "other" and token.text in _OPERATOR_CHARS
                or token.kind == "word" and token.text.upper() in _CLAUSE_WORDS):
            count += 1
            if count > MAX_OPERATORS:
                raise QueryRefused(f"The query has more than {MAX_OPERATORS} operators and "
                                   "clauses; this endpoint does not evaluate queries that long")


_stack_ready = False


def _ensure_stack() -> None:
    global _stack_ready
    if _stack_ready:
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_STACK)
    wanted = STACK if hard == resource.RLIM_INFINITY else min(STACK, hard)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_STACK, (wanted, hard))
    _stack_ready = True


def _services(query: str, allowlist: frozenset) -> list[str]:
    from rdflib.plugins.sparql import algebra, parser  # slow to import; rarely needed

    try:
        tree = parser.parseQuery(_service_on_new_lines(query))
    except RecursionError:
        raise QueryRefused("The query is too deeply nested to be checked") from None
    except Exception as err:  # pyparsing's ParseException, and what rdflib raises on odd input
        raise QuerySyntaxError(
            "Syntax error: the query mentions SERVICE, and this endpoint refuses a query whose "
            f"SERVICE calls it cannot establish by parsing it ({_first_line(err)})") from None
    try:
        found = _targets(algebra.translateQuery(tree).algebra)
    except Exception:  # noqa: BLE001 - translation failed: the parse tree names them as written
        found = _targets(tree)
    allowed = []
    for term in found:
        iri = str(term) if term is not None and type(term).__name__ == "URIRef" else None
        if iri is None:
            written = f"?{term}" if term is not None else "a target that is not an IRI"
            raise QueryRefused(f"SERVICE {written} refused: its endpoint is a variable or not an "
                               "IRI; this endpoint makes no outbound requests")
        if iri not in allowlist:
            raise QueryRefused(f"SERVICE <{iri}> refused: this endpoint makes no outbound "
                               "requests and that target is not on the allowlist")
        allowed.append(iri)
    return allowed


def _service_on_new_lines(query: str) -> str:
    """The query with a line break before each SERVICE: rdflib 7 fails to parse a SERVICE that
    follows a `#` on its line (in an IRI or a string), taking it for a comment's start."""
    pieces, last = [], 0
    for token in tokens(query):
        if token.kind == "word" and token.text.upper() == "SERVICE":
            pieces += [query[last:token.offset], "\n"]
            last = token.offset
    return "".join(pieces) + query[last:]


def _targets(node) -> list:
    """The `term` of every SERVICE pattern in an rdflib parse tree or algebra."""
    from rdflib.plugins.sparql.parserutils import CompValue

    found, todo = [], [node]
    while todo:
        item = todo.pop()
        if isinstance(item, CompValue):
            if item.name == "ServiceGraphPattern":
                found.append(item.get("term"))
            todo.extend(item.values())
        elif isinstance(item, (list, tuple)):
            todo.extend(item)
        elif isinstance(item, dict):
            todo.extend(item.values())
    return found


def _first_line(err: Exception) -> str:
    text = str(err).strip().splitlines()
    return text[0][:200] if text else type(err).__name__


def syntax_error(query: str, err: SyntaxError) -> Exception:
    """The error to answer for a text the engine would not parse as a query: an update is
    refused as one (LOAD naming its source), anything else is a syntax error at its position."""
    from rdflib.plugins.sparql import parser

    try:
        update = parser.parseUpdate(query)
    except Exception:  # noqa: BLE001 - not an update either: the engine's own message
        return QuerySyntaxError(f"Syntax error: {getattr(err, 'msg', None) or err}")
    requests = [r for r in update.get("request", []) if hasattr(r, "name")]
    for request in requests:
        if request.name == "Load":
            return QueryRefused(f"LOAD <{request.get('iri')}> refused: this endpoint makes no "
                                "outbound requests and is read-only")
    kind = (re.sub(r"(?<=[a-z])(?=[A-Z])", " ", requests[0].name).upper() if requests
            else "UPDATE")
    return ReadOnly(f"SPARQL Update ({kind}) refused: this endpoint is read-only and has no "
                    "update service")
