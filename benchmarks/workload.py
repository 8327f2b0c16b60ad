"""The benchmarks' workload: the synthetic graph and the catalog-like queries asked of it.

Graphs come from benchmarks/generate.py and are cached under benchmarks/out/ as
synthetic-<size>-seed<seed>.trig (+ .json: what the generator reported), so every script
measures the same bytes for the same size and seed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

from generate import generate

OUT = Path(__file__).resolve().parent / "out"

PREFIXES = """PREFIX ppkg: <https://w3id.org/ppkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""

# The five kinds of query the catalog asks, over the default graph (the union of the sources,
# as ppkg serves it: since ppkg materialises it, a set). {person} / {decree} are filled per run
# from samples of the generated data, so successive runs do not ask for the same resource.
# DISTINCT: over a set it changes nothing for ppkg and the floor, but it lets the bag reference
# (pyoxigraph's union option, oxigraph/oxigraph#1919: a triple stated by n sources matches n
# times) return the same rows as the others; it does not stop its intermediate results from
# multiplying (BAG_NOTE). The texts are unchanged since the first runs, so figures compare.
QUERIES = {
    "lookup": ("one-resource lookup (all triples of one person)", PREFIXES + """
SELECT DISTINCT ?p ?o WHERE { <{person}> ?p ?o }"""),
    "join": ("3-hop join (released under a decree × party × charge)", PREFIXES + """
SELECT DISTINCT ?person ?party ?charge WHERE {
  ?release a ppkg:Release ; ppkg:underDecree <{decree}> ; ppkg:concerns ?person .
  ?membership ppkg:member ?person ; ppkg:organization ?party .
  ?party a ppkg:PoliticalParty .
  ?accusation ppkg:concerns ?person ; ppkg:charge ?charge .
}"""),
    "aggregate": ("aggregate (people per charge per party)", PREFIXES + """
SELECT ?party ?charge (COUNT(DISTINCT ?person) AS ?people) WHERE {
  ?membership ppkg:member ?person ; ppkg:organization ?party .
  ?party a ppkg:PoliticalParty .
  ?accusation ppkg:concerns ?person ; ppkg:charge ?charge .
} GROUP BY ?party ?charge ORDER BY DESC(?people) ?party ?charge"""),
    "text": ("text filter (REGEX on names)", PREFIXES + """
SELECT DISTINCT ?person ?name WHERE {
  ?person a ppkg:Person ; rdfs:label ?name .
  FILTER(REGEX(?name, "mammad", "i"))
}"""),
    "construct": ("CONSTRUCT of a person's neighbourhood", PREFIXES + """
CONSTRUCT { <{person}> ?p ?o . ?s ?q <{person}> . ?s ?r ?x }
WHERE { { <{person}> ?p ?o } UNION { ?s ?q <{person}> . ?s ?r ?x } }"""),
}

# What {person} and {decree} may be, over the default graph: people with a release, a party and
# a charge (so that every query has rows for them), and the decrees people were released under.
CANDIDATES = {
    "person": PREFIXES + """
SELECT DISTINCT ?person WHERE {
  ?release a ppkg:Release ; ppkg:concerns ?person .
  ?membership ppkg:member ?person ; ppkg:organization ?party .
  ?party a ppkg:PoliticalParty .
  ?accusation ppkg:concerns ?person ; ppkg:charge ?charge .
} ORDER BY ?person""",
    "decree": PREFIXES + """
SELECT DISTINCT ?decree WHERE { ?release ppkg:underDecree ?decree ; ppkg:concerns ?person }
ORDER BY ?decree""",
}

SIZE_NAMES = {10_000: "10k", 100_000: "100k", 1_000_000: "1M"}


def size_name(n: int) -> str:
    if n in SIZE_NAMES:
        return SIZE_NAMES[n]
    if n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    if n % 1000 == 0:
        return f"{n // 1000}k"
    return str(n)


def dataset_file(size: int, seed: int, log: Callable[[str], None]) -> Path:
    """The graph of `size` quads for `seed`, generated on first use."""
    path = OUT / f"synthetic-{size}-seed{seed}.trig"
    meta = path.with_suffix(".json")
    if path.exists() and meta.exists():
        return path
    OUT.mkdir(exist_ok=True)
    log(f"generating {path.name} ...")
    info = generate(size, seed, path)
    meta.write_text(json.dumps(info))  # last: a file without it was cut short, and is redone
    log(f"  {info['quads']} quads, {info['graphs']} graphs, {info['people']} people "
        f"in {info['seconds']:.1f} s")
    return path


def quads_in(path: Path) -> int:
    return json.loads(path.with_suffix(".json").read_text())["quads"]


def instances(name: str, params: dict[str, list[str]]) -> list[str]:
    text = QUERIES[name][1]
    if "{person}" in text:
        return [text.replace("{person}", p) for p in params["person"]]
    if "{decree}" in text:
        return [text.replace("{decree}", d) for d in params["decree"]]
    return [text]
