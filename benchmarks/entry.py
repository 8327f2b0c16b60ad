"""Benchmark (not a test): a 10,000-row spreadsheet converted and validated against 1 M quads.

Starts `ppkg serve FILE --workers 2` on the synthetic graph (benchmarks/generate.py, cached in
out/) with a fresh data dir and a contributor's token, writes a release spreadsheet (CSV) of N
rows — each row a release of a published person named by their exact name (or, every fifth
row, by IRI), dated as precisely as a source would (a day, a month or a year), citing one of a
few source documents — and times what a user runs, over HTTP:

- POST /entry/release/check: read, convert through the CSVW description, look the names up,
  validate with the published context; nothing stored;
- POST /entry/release: the same, submitted (validated once more by the archive, queued).

Peak memory is the server processes' VmHWM (/proc/PID/status: the highest resident set size
each reached), read after the requests: the master holds the store, each worker its copy-on-write
share of it plus whatever the request needed; the growth of the worker that answered is the
request's cost.

    python benchmarks/entry.py                     # 1 M quads, 10,000 rows
    python benchmarks/entry.py --triples 100000 --rows 1000

Target (issue 17): under 30 s and 1 GiB.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import shutil
import sys
import urllib.parse
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from review import call, serve  # noqa: E402
from validation import PPKG, published_graph  # noqa: E402

TARGET_SECONDS, TARGET_BYTES = 30.0, 2**30
HEADER = ["person", "date", "date_description", "source_title", "source_url", "source_date"]


def unique_people(base: str, token: str, most: int) -> list[tuple[str, str]]:
    """(IRI, name) of published people whose name (any of their labels) no one else has."""
    query = (f"SELECT ?name (SAMPLE(?p) AS ?person) WHERE {{ ?p a <{PPKG}Person> ; "
             "<http://www.w3.org/2000/01/rdf-schema#label> ?l BIND(STR(?l) AS ?name) } "
             "GROUP BY ?name HAVING (COUNT(DISTINCT ?p) = 1) ORDER BY ?name")
    url = base + "/sparql?" + urllib.parse.urlencode({"query": query})
    status, data, _ = call("GET", url, token, accept="application/sparql-results+json")
    assert status == 200, data[:300]
    return [(b["person"]["value"], b["name"]["value"])
            for b in json.loads(data)["results"]["bindings"]][:most]


def spreadsheet(people: list[tuple[str, str]], rows: int, seed: int) -> bytes:
    rng = random.Random(seed)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    for i in range(rows):
        iri, name = people[i % len(people)]
        day = f"20{rng.randint(10, 23)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        date = (day, day[:7], day[:4])[i % 3]
        source = i % 7
        writer.writerow([iri if i % 5 == 0 else name, date, f"on {day}" if i % 4 == 0 else "",
                         f"Benchmark report {source}", f"https://example.org/reports/{source}",
                         "2024"])
    return buffer.getvalue().encode()


def peaks(root: int) -> dict[int, tuple[str, int]]:
    """pid → (its command line's last words, VmHWM in bytes) for the server's process group."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if os.getpgid(int(entry.name)) != root:
                continue
            status = (entry / "status").read_text()
            name = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()[-40:]
        except (OSError, ProcessLookupError):
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                found[int(entry.name)] = (name, int(line.split()[1]) * 1024)
    return found


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=1_000_000, help="published graph size")
    parser.add_argument("--rows", type=int, default=10_000, help="spreadsheet rows")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    graph = published_graph(args.triples, args.seed)
    server, base, tokens, data_dir = serve(graph, ("contributor",), "entry",
                                           ["--timeout", "300", "--max-body", str(64 * 2**20)])
    token = tokens["contributor"]
    timings = []
    try:
        before = peaks(server.pid)
        people = unique_people(base, token, args.rows)
        body = spreadsheet(people, args.rows, args.seed)
        for label, path, want in (("check (convert, look up, validate; nothing stored)",
                                   "/entry/release/check", 200),
                                  ("submit (the same, validated again by the archive; queued)",
                                   "/entry/release?summary=benchmark", 202)):
            status, data, seconds = call("POST", base + path, token, body, "text/csv")
            report = json.loads(data)
            assert status == want and report["conforms"], (status, report["errors"][:5])
            timings.append((label, seconds, report["triples"]))
        after = peaks(server.pid)
    finally:
        server.stop()
        shutil.rmtree(data_dir, ignore_errors=True)

    print()
    print(f"A {args.rows:,}-row release spreadsheet ({len(body):,} bytes, {len(people):,} distinct "
          f"people named) against {graph.name}, `ppkg serve --workers 2`, over HTTP:")
    print()
    print("| request | seconds | triples |")
    print("|---|---:|---:|")
    for label, seconds, triples in timings:
        print(f"| {label} | {seconds:.2f} | {triples:,} |")
    print()
    print("| process | VmHWM before | VmHWM after |")
    print("|---|---:|---:|")
    for pid, (name, peak) in sorted(after.items()):
        print(f"| {pid} {name.strip()} | {before.get(pid, ('', 0))[1] / 2**20:,.0f} MiB "
              f"| {peak / 2**20:,.0f} MiB |")
    worst = max(seconds for _, seconds, _ in timings)
    highest = max(peak for _, peak in after.values())
    print(f"\nslowest request {worst:.1f} s (target < {TARGET_SECONDS:g} s: "
          f"{'met' if worst < TARGET_SECONDS else 'MISSED'}); highest peak {highest / 2**20:,.0f} MiB "
          f"(target < 1 GiB: {'met' if highest < TARGET_BYTES else 'MISSED'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
