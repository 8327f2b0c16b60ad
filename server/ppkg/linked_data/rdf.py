"""RDF output of descriptions: stable order, canonical blank nodes, public IRIs, prefixes.

The same data always gives the same bytes (dumps, ETags, checksums), whatever labels a store gave
its blank nodes on loading.
"""

from __future__ import annotations

import hashlib
from collections import deque
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
    """The quads with blank nodes relabelled c14n0, c14n1 … from what they say and where they
    hang, so the same data always gives the same bytes whatever labels a store gave them.

    Not RDFC-1.0: its cost grows exponentially with alike blank nodes (a tree of 8 × 8 alike
    children, 217 triples, took 6 s; 9 × 9, 50 s, holding the GIL). Here each blank node gets a
    hash of what it states, its blank objects' hashes included (bottom up), and labels are given
    top down: blank nodes nothing blank points to first, by hash and by what points to them,
    then each one's blank objects by predicate and hash — linear time. Alike siblings tie, and
    either order gives the same bytes, their subtrees being alike too. Every blank node of an
    accepted upload hangs in such a tree (ppkg.archive.rdf_input); only blank nodes in a cycle
    or with two parents that are alike yet not interchangeable could be labelled differently
    from one load to the next, never wrongly."""
    quads = list(quads)
    labels = _labels(quads)
    if not labels:
        return quads

    def relabel(term):
        return labels[term] if isinstance(term, ox.BlankNode) else term
    return [ox.Quad(relabel(q.subject), q.predicate, relabel(q.object), relabel(q.graph_name))
            for q in quads]


def _labels(quads: list[ox.Quad]) -> dict[ox.BlankNode, ox.BlankNode]:
    edges: dict[ox.BlankNode, list[ox.Quad]] = {}
    pointed: dict[ox.BlankNode, list[ox.Quad]] = {}
    for q in quads:
        for term in (q.subject, q.object, q.graph_name):
            if isinstance(term, ox.BlankNode):
                edges.setdefault(term, [])
                pointed.setdefault(term, [])
        if isinstance(q.subject, ox.BlankNode):
            edges[q.subject].append(q)
        if isinstance(q.object, ox.BlankNode):
            pointed[q.object].append(q)
    if not edges:
        return {}
    digest = _digests(edges)

    def key(term) -> str:
        return "_:" + digest[term] if isinstance(term, ox.BlankNode) else str(term)

    def start_key(node: ox.BlankNode) -> tuple:
        return (digest[node], sorted((key(q.graph_name), str(q.subject), q.predicate.value)
                                     for q in pointed[node]), node.value)

    def child_key(item: tuple[ox.BlankNode, str]) -> tuple:
        return (item[1], digest[item[0]], item[0].value)

    starts = [n for n in edges if not any(isinstance(q.subject, ox.BlankNode) for q in pointed[n])]
    labels: dict[ox.BlankNode, ox.BlankNode] = {}
    # then the nodes in cycles, which hang from no start
    for group in (sorted(starts, key=start_key), sorted(edges, key=start_key)):
        queue = deque(group)
        while queue:
            node = queue.popleft()
            if node in labels:
                continue
            labels[node] = ox.BlankNode(f"c14n{len(labels)}")
            children = {(q.object, key(q.graph_name) + " " + q.predicate.value)
                        for q in edges[node]
                        if isinstance(q.object, ox.BlankNode) and q.object not in labels}
            queue.extend(child for child, _ in sorted(children, key=child_key))
    return labels


def _digests(edges: dict[ox.BlankNode, list[ox.Quad]]) -> dict[ox.BlankNode, str]:
    """A hash of what each blank node states, its blank objects' hashes in place of their
    labels; in a cycle, the node met again stands as "cycle". Iterative: chains may be long."""
    done: dict[ox.BlankNode, str] = {}
    for start in edges:
        if start in done:
            continue
        stack, on_path = [(start, False)], set()
        while stack:
            node, finished = stack.pop()
            if node in done:
                continue
            if finished:
                on_path.discard(node)
                parts = sorted("\t".join((
                    "" if isinstance(q.graph_name, ox.DefaultGraph) else
                    "_:" + done.get(q.graph_name, "graph") if isinstance(q.graph_name, ox.BlankNode)
                    else str(q.graph_name),
                    q.predicate.value,
                    "_:" + done.get(q.object, "cycle") if isinstance(q.object, ox.BlankNode)
                    else str(q.object))) for q in edges[node])
                done[node] = hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]
                continue
            on_path.add(node)
            stack.append((node, True))
            stack.extend((q.object, False) for q in edges[node]
                         if isinstance(q.object, ox.BlankNode) and q.object not in done
                         and q.object not in on_path)
    return done


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
