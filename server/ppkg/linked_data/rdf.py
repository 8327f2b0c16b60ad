"""RDF output of descriptions: stable order, canonical blank nodes, public IRIs, prefixes.

The same data always gives the same bytes (dumps, ETags, checksums), whatever labels a store gave
its blank nodes on loading.
"""

from __future__ import annotations

from typing import Iterable, Sequence

import pyoxigraph as ox

from ppkg.formats import RdfFormat
from ppkg.linked_data import jsonld
from ppkg.linked_data.iris import IriMap


def _term_key(term) -> tuple:
    if term is None or isinstance(term, ox.DefaultGraph):
        return (0, "")
    kind = 1 if isinstance(term, ox.NamedNode) else 2 if isinstance(term, ox.BlankNode) else 3
    return (kind, str(term))


def used_prefixes(names: dict[str, str], quads: Sequence[ox.Quad]) -> dict[str, str]:
    """The prefixes some IRI of the quads (or a literal's datatype) starts with."""
    iris = set()
    for q in quads:
        for term in (q.subject, q.predicate, q.object, q.graph_name):
            if isinstance(term, ox.NamedNode):
                iris.add(term.value)
            elif isinstance(term, ox.Literal):
                iris.add(term.datatype.value)
    return {name: ns for name, ns in names.items()
            if any(iri.startswith(ns) and len(iri) > len(ns) for iri in iris)}


def canonical(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    """The quads with blank nodes relabelled by RDFC-1.0 (c14n0, c14n1 …), so the same data
    always gives the same bytes whatever labels a store gave its blank nodes on loading."""
    quads = list(quads)
    if not any(isinstance(t, ox.BlankNode) for q in quads
               for t in (q.subject, q.object, q.graph_name)):
        return quads
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return list(dataset)


def sorted_quads(quads: Iterable[ox.Quad], first: str | None = None) -> list[ox.Quad]:
    """Unique quads in a stable order: by graph, then the resource's own triples first."""
    def key(q: ox.Quad):
        own = 0 if first is not None and isinstance(q.subject, ox.NamedNode) \
            and q.subject.value == first else 1
        return (_term_key(q.graph_name), own, _term_key(q.subject), _term_key(q.predicate),
                _term_key(q.object))
    return sorted(set(quads), key=key)


def sorted_triples(quads: Iterable[ox.Quad], first: str | None = None) -> list[ox.Triple]:
    """The quads merged into one graph: unique triples, the resource's own first."""
    triples = {ox.Triple(q.subject, q.predicate, q.object) for q in quads}

    def key(t: ox.Triple):
        own = 0 if first is not None and isinstance(t.subject, ox.NamedNode) \
            and t.subject.value == first else 1
        return (own, _term_key(t.subject), _term_key(t.predicate), _term_key(t.object))
    return sorted(triples, key=key)


def serialize_quads(quads: Sequence[ox.Quad | ox.Triple], fmt: RdfFormat, iri_map: IriMap,
                    first: str | None = None, *, graphs: bool | None = None, union: bool = False,
                    extra_prefixes: dict[str, str] | None = None) -> bytes:
    """Quads (stored IRIs; triples count as default-graph quads) in a format, with public IRIs.

    With `graphs` (default: the dataset formats but JSON-LD) each quad stays in its graph (the
    source); otherwise the triples are merged into one graph. With `union`, a dataset format also
    gets the merged triples in its default graph, so a client that reads only the default graph
    (Comunica does, with N-Quads) sees the whole document.
    """
    public = canonical(iri_map.quad(q if isinstance(q, ox.Quad) else
                                    ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()))
                       for q in quads)
    first_public = iri_map.public(first) if first else None
    if graphs is None:
        graphs = fmt.datasets and fmt.name != "jsonld"
    merged = sorted_triples(public, first_public)
    if not graphs:
        items: list = merged
    else:
        items = sorted_quads(public, first_public)
        if union:
            items = [ox.Quad(t.subject, t.predicate, t.object) for t in merged] + [
                q for q in items if not isinstance(q.graph_name, ox.DefaultGraph)]
    if fmt.name == "jsonld":
        return jsonld.dumps(items, dict(iri_map.context, **(extra_prefixes or {})),
                            first=first_public)
    options = {}
    if fmt.prefixes:
        options["prefixes"] = used_prefixes(dict(iri_map.prefixes, **(extra_prefixes or {})),
                                            public)
    return ox.serialize(items, format=fmt.oxigraph, **options)
