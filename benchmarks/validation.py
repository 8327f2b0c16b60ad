"""Benchmark (not a test): validating a submission does not grow with the published graph.

Generates (seeded) a published graph in ppkg's vocabulary — with benchmarks/generate.py when it
is there, else with the small generator below — loads it with the shipped ontology into the
embedded store, and times the server's validation code path for submissions of about 1 k and
10 k triples: ppkg.uploads.parse_upload, then validate_upload (focus nodes = the upload's
subjects; data = the upload ∪ the context it references, fetched with one CONSTRUCT through a
QueryService, ∪ the ontology). The submissions come from one source document they describe, and
describe new people, memberships of existing parties, arrests of new and existing people, and
add facts and names to existing people, so the context holds real published resources.

    python benchmarks/validation.py                       # 100 k and 1 M triples, 1 k and 10 k
    python benchmarks/validation.py --sizes 1000000 --uploads 1000 10000 --runs 3

Targets: 1 k triples < 2 s and 10 k triples < 10 s with a 1 M-triple published graph.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import random
import statistics
import sys
import time
from pathlib import Path

import pyoxigraph as ox

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
PPKG = "https://w3id.org/ppkg/ontology#"
ID = "https://w3id.org/ppkg/id/"
TARGETS = {1_000: 2.0, 10_000: 10.0}


# --- the published graph ---------------------------------------------------------------------

def published_graph(triples: int, seed: int) -> Path:
    """An N-Quads file of at least `triples` quads (cached in benchmarks/out/)."""
    OUT.mkdir(exist_ok=True)
    shared = HERE / "generate.py"
    if shared.exists():
        path = OUT / f"synthetic-{triples}-seed{seed}.nq"
        if not path.exists():
            spec = importlib.util.spec_from_file_location("ppkg_bench_generate", shared)
            module = importlib.util.module_from_spec(spec)
            sys.modules[spec.name] = module
            spec.loader.exec_module(module)
            module.generate(triples, seed, path)
        return path
    path = OUT / f"validation-graph-{triples}-seed{seed}.nq"
    if not path.exists():
        _small_generator(triples, seed, path)
    return path


def _small_generator(triples: int, seed: int, path: Path) -> None:
    """Fallback: people, parties, memberships and arrests, one named graph per 1000 people."""
    rng = random.Random(seed)
    lines: list[str] = []
    parties = [f"<{ID}organization/party-{i}>" for i in range(200)]
    graph = f"<{ID}source/bench-0>"
    for p in parties:
        lines += [f"{p} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{PPKG}PoliticalParty> {graph} .",
                  f'{p} <http://www.w3.org/2000/01/rdf-schema#label> "Party {p[-5:-1]}" {graph} .']
    i = 0
    while len(lines) < triples:
        graph = f"<{ID}source/bench-{i // 1000}>"
        person = f"<{ID}person/bench-{i}>"
        membership = f"<{ID}membership/bench-{i}>"
        arrest = f"<{ID}event/arrest-bench-{i}>"
        t = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
        label = "<http://www.w3.org/2000/01/rdf-schema#label>"
        lines += [
            f"{person} {t} <{PPKG}Person> {graph} .",
            f'{person} {label} "Person {i}" {graph} .',
            f"{membership} {t} <{PPKG}Membership> {graph} .",
            f'{membership} {label} "Membership {i}" {graph} .',
            f"{membership} <{PPKG}member> {person} {graph} .",
            f"{membership} <{PPKG}organization> {rng.choice(parties)} {graph} .",
            f"{membership} <{PPKG}role> <{ID}role/member> {graph} .",
            f"{arrest} {t} <{PPKG}Arrest> {graph} .",
            f'{arrest} {label} "Arrest of person {i}" {graph} .',
            f"{arrest} <{PPKG}concerns> {person} {graph} .",
            f'{arrest} <{PPKG}date> "2018-0{1 + i % 9}-1{i % 10}"^^<http://www.w3.org/2001/XMLSchema#date> {graph} .',
        ]
        i += 1
    path.write_text("\n".join(lines) + "\n")


# --- the submissions -------------------------------------------------------------------------

def _instances(store: ox.Store, cls: str, limit: int) -> list[str]:
    query = f"SELECT DISTINCT ?x WHERE {{ ?x a <{cls}> }} LIMIT {limit}"
    return [r["x"].value for r in store.query(query, use_default_graph_as_union=True)]


def instances_in(store: ox.Store) -> dict[str, list[str]]:
    """Published resources a submission can point to, by kind."""
    return {"people": _instances(store, PPKG + "Person", 5000),
            "parties": _instances(store, PPKG + "PoliticalParty", 500)
            or _instances(store, PPKG + "Organization", 500),
            "roles": _instances(store, PPKG + "Role", 50),
            "occupations": _instances(store, PPKG + "Occupation", 50),
            "offences": _instances(store, PPKG + "Offence", 50)}


def submission(published: dict[str, list[str]], triples: int, seed: int) -> str:
    """Turtle of about `triples` valid triples from one source document, pointing at published
    resources (`published`: instances_in's lists): new people, memberships of published parties,
    arrests and chargings of published people, facts added to published people, and other names
    for published people (conflicts with the sources that name them)."""
    rng = random.Random(seed)
    people = published["people"]
    parties = published["parties"]
    roles = published["roles"] or [ID + "role/member"]
    occupations = published["occupations"] or [ID + "occupation/journalist"]
    offences = published["offences"] or [ID + "offence/hooliganism"]
    tag = f"sub{triples}s{seed}"
    source = f"<{ID}source/{tag}-report>"
    cite = f"ppkg:source {source}"
    out = ["@prefix ppkg: <https://w3id.org/ppkg/ontology#> .",
           "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
           "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .", "",
           f'{source} a ppkg:NewsArticle ; rdfs:label "Benchmark report {tag}" ; '
           f'ppkg:title "Benchmark report {tag}" ; ppkg:url <https://example.org/bench/{tag}> .']
    count, n = 4, 0
    while count < triples:
        person = f"<{ID}person/{tag}-{n}>"
        kind = n % 5
        if kind == 0:  # a new person with an occupation
            out.append(f'{person} a ppkg:Person ; rdfs:label "Submitted person {n}" ; '
                       f"ppkg:occupation <{rng.choice(occupations)}> ; {cite} .")
            count += 4
        elif kind == 1:  # a new person, member of a published party
            out.append(f'{person} a ppkg:Person ; rdfs:label "Submitted member {n}" ; {cite} .')
            out.append(f"<{ID}membership/{tag}-{n}> a ppkg:Membership ; "
                       f'rdfs:label "Membership {n}" ; ppkg:member {person} ; '
                       f"ppkg:organization <{rng.choice(parties)}> ; ppkg:role <{rng.choice(roles)}> ; "
                       f"{cite} .")
            count += 9
        elif kind == 2:  # an arrest and a charging of a published person
            who = f"<{rng.choice(people)}>"
            out.append(f"<{ID}event/{tag}-arrest-{n}> a ppkg:Arrest ; rdfs:label \"Arrest {n}\" ; "
                       f'ppkg:concerns {who} ; ppkg:date "2019-0{1 + n % 9}-1{n % 10}"^^xsd:date ; '
                       f"{cite} .")
            out.append(f"<{ID}event/{tag}-charging-{n}> a ppkg:Charging ; rdfs:label \"Charging {n}\" ; "
                       f"ppkg:concerns {who} ; ppkg:charge <{rng.choice(offences)}> ; "
                       f'ppkg:dateUnknown true ; ppkg:maximumPenalty "P{1 + n % 9}Y"^^xsd:duration ; '
                       f"{cite} .")
            count += 12
        elif kind == 3:  # a fact added to a published person
            out.append(f'<{rng.choice(people)}> ppkg:knownFor "submitted fact {n}" ; {cite} .')
            count += 2
        else:  # another name for a published person
            out.append(f'<{rng.choice(people)}> rdfs:label "Other name {n}" ; {cite} .')
            count += 2
        n += 1
    return "\n".join(out) + "\n"


# --- timing ----------------------------------------------------------------------------------

def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000],
                        help="published graph sizes in triples (default 100000 1000000)")
    parser.add_argument("--uploads", type=int, nargs="+", default=[1_000, 10_000],
                        help="submission sizes in triples (default 1000 10000)")
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    from ppkg.config import Config
    from ppkg.files import shipped
    from ppkg.formats import rdf_format
    from ppkg.store.embedded.service import QueryService
    from ppkg.store.embedded.dataset import load_dataset
    from ppkg.archive.uploads import parse_upload
    from ppkg.archive.validation import validate_upload
    from ppkg.archive.shacl import load_ontology, load_shapes

    load_shapes(), load_ontology()  # parsed once per process, as in the server's master
    rows = []
    for size in args.sizes:
        path = published_graph(size, args.seed)
        started = time.perf_counter()
        dataset = load_dataset([shipped("ontology"), path])
        load_seconds = time.perf_counter() - started
        service = QueryService(dataset, Config(query_timeout=120))
        try:
            for upload_size in args.uploads:
                text = submission(instances_in(dataset.store), upload_size, args.seed)
                times, parse_times = [], []
                for _ in range(args.runs):
                    gc.collect()
                    t0 = time.perf_counter()
                    upload = parse_upload(text.encode(), rdf_format("turtle"))
                    t1 = time.perf_counter()
                    validation = validate_upload(upload, service)
                    t2 = time.perf_counter()
                    parse_times.append(t1 - t0)
                    times.append(t2 - t0)
                report = validation.to_json()
                rows.append({
                    "published": len(dataset.store), "load": load_seconds,
                    "upload": upload.triples, "focus": validation.focus_nodes,
                    "context": validation.context_triples, "validated": report["triples"]["validated"],
                    "parse": statistics.median(parse_times), "median": statistics.median(times),
                    "min": min(times), "max": max(times), "conforms": validation.conforms,
                    "violations": report["counts"]["Violation"], "target": TARGETS.get(upload_size),
                })
                print(f"  published {len(dataset.store):>9,}  upload {upload.triples:>6,}: "
                      f"{statistics.median(times):.2f} s", file=sys.stderr)
        finally:
            service.close()
        del dataset
        gc.collect()

    print()
    print("| published quads | upload triples | focus nodes | context triples | validated triples "
          "| parse s | validate total s (median of %d) | min–max s | conforms | target |" % args.runs)
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---|---|")
    for r in rows:
        target = f"< {r['target']:g} s {'met' if r['median'] < r['target'] else 'MISSED'}" if r["target"] else ""
        print(f"| {r['published']:,} | {r['upload']:,} | {r['focus']:,} | {r['context']:,} "
              f"| {r['validated']:,} | {r['parse']:.3f} | {r['median']:.2f} "
              f"| {r['min']:.2f}–{r['max']:.2f} | {r['conforms']} | {target} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
