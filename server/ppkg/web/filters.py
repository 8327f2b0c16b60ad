"""Template filters every page may use: compact names instead of bare IRIs, terms, groups."""

from __future__ import annotations

import json
import re

from flask import Flask

from ppkg.archive.report import PREFIXES


def register(app: Flask) -> None:
    for name, function in (("short", short), ("short_path", short_path), ("term", term),
                           ("groupby_focus", groupby_focus)):
        app.add_template_filter(function, name)

def short(iri: str | None) -> str:
    if not iri:
        return ""
    text = str(iri)
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1]
    for prefix, namespace in PREFIXES:
        if text.startswith(namespace) and len(text) > len(namespace):
            return f"{prefix}:{text[len(namespace):]}"
    return text


_IRI_IN_PATH = re.compile(r"<([^<>\s]*)>")


def short_path(path: str | None) -> str:
    return _IRI_IN_PATH.sub(lambda m: short(m.group(1)), path or "")


def term(value: dict | None) -> str:
    if not value:
        return ""
    if value.get("type") == "uri":
        return short(value["value"])
    if value.get("type") == "bnode":
        return "_:" + value["value"]
    text = json.dumps(value["value"], ensure_ascii=False)
    if value.get("xml:lang"):
        return f"{text}@{value['xml:lang']}"
    if value.get("datatype"):
        return f"{text}^^{short(value['datatype'])}"
    return text


def groupby_focus(results: list[dict]) -> list[dict]:
    """Results (already ordered by focus node) as groups: focus, label, parent, results."""
    groups: list[dict] = []
    for r in results:
        if not groups or groups[-1]["focus"] != r["focusNode"]:
            groups.append({"focus": r["focusNode"], "label": r.get("focusLabel"),
                           "parent": r.get("focusParent"), "results": []})
        groups[-1]["results"].append(r)
    return groups
