"""Showing results to people: each IRI column with its label, headers in words, IRIs shortened.

The catalog's naming rule: a column `?x` holding IRIs comes with `?xLabel` holding a readable
name; pages and the CLI's table show the label and link the IRI.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

from ppkg.vocab import DATA_BASE, PREFIXES


@dataclass(frozen=True)
class Column:
    """A column as shown to people: `value` shown by its `label` variable when there is one."""

    header: str
    value: str
    label: str | None = None


def columns(variables: Iterable[str]) -> list[Column]:
    """Merge each `?x` with its `?xLabel` into one shown column (the catalog's naming rule).

    A `?xLabel` without an `?x` is shown on its own, headed by `x`.
    """
    variables = list(variables)
    present = set(variables)
    out = []
    for var in variables:
        if var.endswith("Label") and len(var) > 5 and var[:-5] in present:
            continue
        if var + "Label" in present:
            out.append(Column(humanise(var), var, var + "Label"))
        elif var.endswith("Label") and len(var) > 5:
            out.append(Column(humanise(var[:-5]), var))
        else:
            out.append(Column(humanise(var), var))
    return out


def humanise(variable: str) -> str:
    """`ledByDescription` → `Led by description`, `source1` → `Source 1`."""
    words = re.sub(r"(?<=[a-z])(?=[A-Z0-9])|(?<=[0-9])(?=[A-Za-z])", " ", variable).split()
    text = " ".join(w if w.isupper() and len(w) > 1 else w.lower() for w in words)
    return text[:1].upper() + text[1:]


SHORT_PREFIXES = {name: PREFIXES[name] for name in ("ppkg", "rdfs", "rdf", "xsd", "skos", "schema")}


def compact(iri: str, base_iri: str = DATA_BASE) -> str:
    """A short form of an IRI for people: `id:person/x` for the graph's own, `ppkg:Person` ..."""
    if iri.startswith(base_iri + "id/"):
        return "id:" + iri[len(base_iri) + 3:]
    for prefix, namespace in SHORT_PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri
