"""Compact JSON-LD for descriptions and dumps, with a small inline context of prefixes.

pyoxigraph writes expanded JSON-LD only. This writer produces the compacted form a person can read
and a JSON-LD processor expands back to the same triples (no remote context is ever referenced):

    {"@context": {"ppkg": "https://w3id.org/ppkg/ontology#", ...},
     "@graph": [{"@id": "https://w3id.org/ppkg/id/event/x", "@type": "ppkg:Imprisonment",
                 "ppkg:timeServed": {"@value": "P6Y", "@type": "xsd:duration"}}]}

Properties, types and datatypes are compacted with the context's prefixes; node identifiers stay
full IRIs. Given quads, named graphs become `{"@id": graph, "@graph": [...]}` objects.
"""

from __future__ import annotations

import json
from typing import Any, Iterable

import pyoxigraph as ox

from ppkg.vocab import RDF_TYPE, XSD_STRING


class Compactor:
    def __init__(self, context: dict[str, str]):
        self.context = dict(context)
        # longest namespace first, so the most specific prefix wins
        self._namespaces = sorted(self.context.items(), key=lambda kv: -len(kv[1]))

    def iri(self, iri: str) -> str:
        for name, namespace in self._namespaces:
            if iri.startswith(namespace) and len(iri) > len(namespace):
                suffix = iri[len(namespace):]
                if not suffix.startswith("//"):
                    return f"{name}:{suffix}"
        return iri

    def node_id(self, term) -> str:
        if isinstance(term, ox.BlankNode):
            return "_:" + term.value
        return term.value

    def value(self, term) -> Any:
        if isinstance(term, (ox.NamedNode, ox.BlankNode)):
            return {"@id": self.node_id(term)}
        if isinstance(term, ox.Literal):
            datatype = term.datatype.value
            if term.language:
                return {"@value": term.value, "@language": term.language}
            if datatype == XSD_STRING:
                return term.value
            return {"@value": term.value, "@type": self.iri(datatype)}
        raise TypeError(f"cannot write {term!r} in JSON-LD")


def document(items: Iterable, context: dict[str, str], first: str | None = None) -> dict:
    """A JSON-LD document for triples, or for quads (named graphs kept), in the given order."""
    compactor = Compactor(context)
    graphs: dict[str | None, dict[str, dict]] = {}
    for item in items:
        graph = getattr(item, "graph_name", None)
        graph_key = None if graph is None or isinstance(graph, ox.DefaultGraph) else \
            compactor.node_id(graph)
        nodes = graphs.setdefault(graph_key, {})
        subject_id = compactor.node_id(item.subject)
        node = nodes.setdefault(subject_id, {"@id": subject_id})
        predicate = item.predicate.value
        if predicate == RDF_TYPE and isinstance(item.object, ox.NamedNode):
            key, value = "@type", compactor.iri(item.object.value)
        else:
            key, value = compactor.iri(predicate), compactor.value(item.object)
        node.setdefault(key, []).append(value)

    def finish(nodes: dict[str, dict]) -> list[dict]:
        out = []
        for node in nodes.values():
            out.append({k: (v[0] if isinstance(v, list) and len(v) == 1 else v)
                        for k, v in node.items()})
        if first is not None:
            out.sort(key=lambda n: 0 if n.get("@id") == first else 1)
        return out

    top = finish(graphs.pop(None, {}))
    for graph_key, nodes in graphs.items():
        top.append({"@id": graph_key, "@graph": finish(nodes)})
    return {"@context": compactor.context, "@graph": top}


def dumps(items: Iterable, context: dict[str, str], first: str | None = None) -> bytes:
    return (json.dumps(document(items, context, first), ensure_ascii=False, indent=1) + "\n"
            ).encode("utf-8")
