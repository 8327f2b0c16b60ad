"""ORDER BY on ppkg's side: for the aggregate queries Virtuoso 7.2.5 orders wrongly, and for
the queries pyoxigraph 0.5.13 cannot order without aborting (ppkg.store.embedded.service).

Symptom on Virtuoso: once a value has passed through an aggregate or a subquery, Virtuoso compares stored
strings longer than about 20 characters by their internal row id, not by their text:
`SELECT ?e (MIN(?label) AS ?l) ... GROUP BY ?e ORDER BY ?l` put "Release of Ilkin ..." before
"Mass release ..."; ordering by an expression of such an alias (`ORDER BY STR(?l)`) is even
refused (SP031), and wrapping the keys in IF(...) made it return strings as IRIs. Plain queries
(no aggregate, no subquery) are ordered right and are sent unchanged.

So for a query with a top-level ORDER BY (on Virtuoso: an aggregate query), the store gets the
query without its ORDER BY, LIMIT and OFFSET, as a subquery whose order keys are bound to extra
variables; the rows are then sorted here by those keys (`order_key`: SPARQL's order where it
defines one — unbound, blank nodes, IRIs, literals; numbers by value, strings by their text,
dates and times by their ISO form — and a fixed order between types it leaves open, so the sort
is total), sliced by OFFSET / LIMIT, and the extra variables dropped. A query this
cannot rewrite safely (a dataset clause, a trailing VALUES, an order key over a variable a
DISTINCT or grouped projection leaves out) is sent unchanged.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pyoxigraph as ox

from ppkg.sparql.scan import Token, tokens
from ppkg.vocab import RDF_LANG_STRING, XSD

AGGREGATES = {"COUNT", "SUM", "MIN", "MAX", "AVG", "SAMPLE", "GROUP_CONCAT"}
KEY = "ppkg_order_key_"  # the variables that carry the order keys (dropped from the answer)


@dataclass
class Ordering:
    query: str  # what the store is sent
    keys: list[tuple[str, bool]]  # (variable, descending)
    offset: int = 0
    limit: int | None = None
    hidden: set[str] = field(default_factory=set)  # shown to order by them only

    def apply(self, variables: list[str], rows: list[tuple]) -> tuple[list[str], list[tuple]]:
        """The rows in the query's order, sliced, without the key variables."""
        position = {v: i for i, v in enumerate(variables)}
        ordered = list(rows)
        for name, descending in reversed(self.keys):  # stable sorts, the last key first
            index = position.get(name)
            ordered.sort(key=lambda row: order_key(row[index] if index is not None else None),
                         reverse=descending)
        end = None if self.limit is None else self.offset + self.limit
        ordered = ordered[self.offset:end]
        keep = [i for i, v in enumerate(variables)
                if not v.startswith(KEY) and v not in self.hidden]
        return [variables[i] for i in keep], [tuple(row[i] for i in keep) for row in ordered]


_NUMERIC = {XSD + t for t in (
    "integer", "decimal", "float", "double", "long", "int", "short", "byte", "nonNegativeInteger",
    "positiveInteger", "negativeInteger", "nonPositiveInteger", "unsignedLong", "unsignedInt",
    "unsignedShort", "unsignedByte")}
_TEMPORAL = {XSD + t for t in ("date", "dateTime", "dateTimeStamp", "time", "gYear",
                               "gYearMonth", "gMonth", "gDay", "gMonthDay")}
_TEXT = {XSD + "string", RDF_LANG_STRING}


def order_key(term) -> tuple:
    """A key that orders any terms (see the module docstring)."""
    if term is None:
        return (0,)
    if isinstance(term, ox.BlankNode):
        return (1, term.value)
    if isinstance(term, ox.NamedNode):
        return (2, term.value)
    if isinstance(term, ox.Triple):
        return (4, str(term))
    datatype = term.datatype.value
    if datatype in _NUMERIC:
        try:
            number = float(term.value)
        except ValueError:
            number = math.nan
        return (3, 0, -math.inf if math.isnan(number) else number, term.value)
    if datatype == XSD + "boolean":
        return (3, 1, term.value in ("true", "1"), "")
    if datatype in _TEMPORAL:
        return (3, 2, term.value, "")
    if datatype in _TEXT:
        return (3, 3, term.value, term.language or "")
    return (3, 4, datatype, term.value)


def _closing(toks: list[Token], start: int) -> int | None:
    """The index of the token that closes the bracket at `start`."""
    depth = 0
    for i in range(start, len(toks)):
        if toks[i].kind == "other" and toks[i].text in "({[":
            depth += 1
        elif toks[i].kind == "other" and toks[i].text in ")}]":
            depth -= 1
            if depth == 0:
                return i
    return None


def _projected(toks: list[Token], select: int) -> tuple[list[str] | None, int]:
    """The variables a SELECT projects, in order (None for SELECT *), and the index of the
    token after the projection."""
    names: list[str] | None = []
    i = select + 1
    while i < len(toks):
        tok = toks[i]
        if (tok.kind == "other" and tok.text == "{") or (
                tok.kind == "word" and tok.text.upper() in ("WHERE", "FROM")):
            break
        if tok.kind == "other" and tok.text == "*":
            names = None
        elif tok.kind == "var" and names is not None:
            names.append(tok.text[1:])
        elif tok.kind == "other" and tok.text == "(":
            end = _closing(toks, i)
            if end is None:
                break
            if names is not None and toks[end - 1].kind == "var":
                names.append(toks[end - 1].text[1:])  # (expression AS ?name)
            i = end
        i += 1
    return names, i


def ordering_for(query: str, always: bool = False) -> Ordering | None:
    """The rewrite for a SELECT with a top-level ORDER BY (see the module docstring): for an
    aggregate or a subquery only (Virtuoso's deviation), or for any with `always`."""
    toks = list(tokens(query))
    words = [t.text.upper() if t.kind == "word" else "" for t in toks]
    if "SELECT" not in words or "ORDER" not in words:
        return None
    select = words.index("SELECT")
    if {"CONSTRUCT", "ASK", "DESCRIBE"} & set(words[:select]):
        return None  # a SELECT inside another form
    body_start = next((i for i in range(select, len(toks))
                       if toks[i].kind == "other" and toks[i].text == "{"), None)
    if body_start is None:
        return None
    body_end = _closing(toks, body_start)
    if body_end is None:
        return None
    rest = toks[body_end + 1:]
    order = next((i for i in range(len(rest) - 1) if rest[i].kind == "word"
                  and rest[i].text.upper() == "ORDER" and rest[i + 1].text.upper() == "BY"), None)
    if order is None:
        return None
    inner = toks[select:body_end + 1] + rest[:order]
    inner_words = {t.text.upper() for t in inner if t.kind == "word"}
    if "FROM" in inner_words:
        return None  # a dataset clause cannot go into a subquery: sent as it is
    if not always and words.count("SELECT") == 1 and not inner_words & (AGGREGATES | {"GROUP"}):
        return None  # no aggregate, no subquery: Virtuoso orders it right
    projected, projection_end = _projected(toks, select)
    keys, binds, missing = [], [], set()
    i, conditions = order + 2, rest
    offset, limit = 0, None
    while i < len(conditions):
        tok = conditions[i]
        word = tok.text.upper() if tok.kind == "word" else None
        if word in ("LIMIT", "OFFSET"):
            if i + 1 >= len(conditions) or not conditions[i + 1].text.isdigit():
                return None
            if word == "LIMIT":
                limit = int(conditions[i + 1].text)
            else:
                offset = int(conditions[i + 1].text)
            i += 2
            continue
        if limit is not None or offset:
            return None  # anything after LIMIT / OFFSET (a trailing VALUES): sent as it is
        descending = word == "DESC"
        if word in ("ASC", "DESC"):
            i += 1
            if i >= len(conditions) or conditions[i].text != "(":
                return None
        start = i
        if conditions[i].kind == "var":
            end = i
        else:
            if conditions[i].kind in ("word", "pname", "iri"):
                i += 1  # a function call: name(args)
            if i >= len(conditions) or conditions[i].text != "(":
                return None
            end = _closing(conditions, i)
            if end is None:
                return None
        if projected is not None:
            missing.update(t.text[1:] for t in conditions[start:end + 1]
                           if t.kind == "var" and t.text[1:] not in projected)
        name = f"{KEY}{len(keys)}"
        expression = query[conditions[start].offset:conditions[end].offset
                           + len(conditions[end].text)]
        binds.append(f"BIND({expression} AS ?{name})")
        keys.append((name, descending))
        i = end + 1
    if not keys:
        return None
    prologue = query[:toks[select].offset]
    head = query[toks[select].offset:toks[projection_end].offset]
    if missing:
        # Ordered by variables the query does not show: shown to the outer query, then dropped.
        # Only where adding them to the projection changes no row: no DISTINCT, no grouping.
        modifiers = {t.text.upper() for t in toks[select:projection_end] if t.kind == "word"}
        if modifiers & (AGGREGATES | {"DISTINCT", "REDUCED"}) or "GROUP" in {
                t.text.upper() for t in rest[:order] if t.kind == "word"}:
            return None
        head += " " + " ".join("?" + name for name in sorted(missing)) + " "
    body = head + query[toks[projection_end].offset:rest[order].offset]
    # The columns in the query's own order (Virtuoso's `SELECT *` over a subquery may differ).
    shown = "*" if projected is None else " ".join(
        "?" + name for name in [*dict.fromkeys(projected), *sorted(missing),
                                *(key for key, _ in keys)])
    return Ordering(query=f"{prologue}SELECT {shown} WHERE {{ {{ {body} }} {' '.join(binds)} }}",
                    keys=keys, offset=offset, limit=limit, hidden=missing)
