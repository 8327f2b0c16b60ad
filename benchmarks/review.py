"""Benchmark (not a test): opening the review of a 10 k triple submission against a 1 M quad graph.

Starts `ppkg serve FILE --workers 2` on the synthetic graph (benchmarks/generate.py, cached in
out/, as validation.py uses it) with a fresh data dir and a contributor's and an archivist's
token, has the contributor submit about 10 k triples (validation.submission: one source document,
new people, memberships, arrests and chargings, facts and other names for published people — so
the review has a diff against published resources and conflicts with their sources), then times,
over HTTP, what the archivist does:

- opening the review page (GET /review/ID, HTML; and its JSON twin): the report, diff and
  conflicts as of now — the review computed when the submission arrived, still valid;
- the same after an unrelated publication (the log moved: the server checks the new entry
  against what the review depends on, and keeps it);
- the same after a publication about one of the submission's resources (the review is computed
  again: validation, diff and conflicts);
- accepting it (POST /review/ID/accept with the fingerprint).

    python benchmarks/review.py                     # 1 M quads, 10 k triples, 5 runs
    python benchmarks/review.py --triples 100000 --upload 1000 --runs 3

Target (issue 16): the review page of a 10 k triple submission against 1 M quads opens in < 2 s.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from servers import Server, free_port  # noqa: E402
from validation import ID, OUT, PPKG, published_graph, submission  # noqa: E402

TARGET = 2.0  # seconds to open the review page


def call(method: str, url: str, token: str, body: bytes | None = None,
         content_type: str | None = None, accept: str = "application/json") -> tuple[int, bytes, float]:
    headers = {"Authorization": f"Bearer {token}", "Accept": accept}
    if content_type:
        headers["Content-Type"] = content_type
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=body, method=method,
                                                           headers=headers), timeout=600) as r:
            status, data = r.status, r.read()
    except urllib.error.HTTPError as err:
        status, data = err.code, err.read()
    return status, data, time.perf_counter() - started


def instances(base: str, token: str) -> dict[str, list[str]]:
    def of(cls: str, limit: int) -> list[str]:
        query = f"SELECT DISTINCT ?x WHERE {{ ?x a <{cls}> }} LIMIT {limit}"
        url = base + "/sparql?" + urllib.parse.urlencode({"query": query})
        status, data, _ = call("GET", url, token, accept="application/sparql-results+json")
        assert status == 200, data[:300]
        return [b["x"]["value"] for b in json.loads(data)["results"]["bindings"]]
    return {"people": of(PPKG + "Person", 5000),
            "parties": of(PPKG + "PoliticalParty", 500) or of(PPKG + "Organization", 500),
            "roles": of(PPKG + "Role", 50), "occupations": of(PPKG + "Occupation", 50),
            "offences": of(PPKG + "Offence", 50)}


def publish(base: str, token: str, tag: str, subject: str) -> None:
    """An archivist's small submission about `subject`, published at once."""
    text = (f"<{ID}source/{tag}> a <{PPKG}NewsArticle> ; <http://www.w3.org/2000/01/rdf-schema#label> "
            f'"{tag}" ; <{PPKG}title> "{tag}" ; <{PPKG}archivalReference> "{tag}" .\n'
            f'<{subject}> <{PPKG}knownFor> "{tag}" ; <{PPKG}source> <{ID}source/{tag}> .\n')
    status, data, _ = call("POST", f"{base}/submissions?summary={tag}", token, text.encode(),
                           "text/turtle")
    assert status == 201, data[:500]


def timed_opens(url: str, token: str, runs: int, accept: str) -> list[float]:
    times = []
    for _ in range(runs):
        status, data, seconds = call("GET", url, token, accept=accept)
        assert status == 200, data[:500]
        times.append(seconds)
    return times


def serve(graph: Path, roles: tuple[str, ...], name: str, flags: list[str]):
    """`ppkg serve GRAPH --workers 2 FLAGS` on a fresh data dir with a token per role, ready:
    (server, base URL, {role: token}, data dir)."""
    ppkg = shutil.which("ppkg")
    if ppkg is None:
        raise SystemExit("no `ppkg` command on PATH (pip install -e .)")
    data_dir = Path(tempfile.mkdtemp(prefix=f"ppkg-bench-{name}-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("PPKG_")}
    env["PPKG_DATA_DIR"] = str(data_dir)
    tokens = {role: subprocess.run([ppkg, "token", "create", f"bench-{role}", "--role", role],
                                   env=env, capture_output=True, text=True, check=True).stdout.strip()
              for role in roles}
    port = free_port()
    server = Server("ppkg", [ppkg, "serve", str(graph), "--workers", "2", "--port", str(port),
                             *flags], port, "/health", OUT / f"{name}-ppkg.log", env)
    print(f"loading {graph.name} into `ppkg serve` ...", file=sys.stderr)
    try:
        server.wait_ready(1200)
    except BaseException:
        server.stop()
        raise
    return server, f"http://127.0.0.1:{port}", tokens, data_dir


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=1_000_000, help="published graph size")
    parser.add_argument("--upload", type=int, default=10_000, help="submission size in triples")
    parser.add_argument("--runs", type=int, default=5, help="page opens per measurement")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    graph = published_graph(args.triples, args.seed)
    server, base, tokens, data_dir = serve(graph, ("contributor", "archivist"), "review",
                                           ["--timeout", "120"])
    rows = []
    try:
        published = instances(base, tokens["archivist"])
        text = submission(published, args.upload, args.seed).encode()
        status, data, seconds = call("POST", f"{base}/submissions?summary=benchmark", tokens["contributor"],
                                     text, "text/turtle")
        assert status == 202, data[:1000]
        queued = json.loads(data)
        url = f"{base}/review/{queued['id']}"
        rows.append(("submit (validate, diff, conflicts; queued)", [seconds]))
        html = timed_opens(url, tokens["archivist"], args.runs, "text/html")
        rows.append(("open the review page (HTML)", html))
        rows.append(("its JSON", timed_opens(url, tokens["archivist"], args.runs, "application/json")))
        publish(base, tokens["archivist"], "bench-unrelated", published["people"][-1] + "-unrelated")
        rows.append(("open after an unrelated publication",
                     timed_opens(url, tokens["archivist"], args.runs, "text/html")))
        review = json.loads(call("GET", url, tokens["archivist"])[1])
        subject = review["diff"]["existingResources"][0]["resource"]
        publish(base, tokens["archivist"], "bench-related", subject)
        rows.append(("open after a publication about one of its resources (recomputed)",
                     timed_opens(url, tokens["archivist"], 1, "text/html")))
        review = json.loads(call("GET", url, tokens["archivist"])[1])
        status, data, seconds = call("POST", url + "/accept", tokens["archivist"],
                                     json.dumps({"fingerprint": review["fingerprint"]}).encode(),
                                     "application/json")
        assert status == 200, data[:1000]
        rows.append(("accept (under the writers' lock)", [seconds]))
    finally:
        server.stop()
        shutil.rmtree(data_dir, ignore_errors=True)

    counts = review["diff"]["counts"]
    print()
    print(f"Review of a {queued['triples']:,} triple submission ({counts['resources']:,} resources, "
          f"{counts['newStatements']:,} new statements, {len(review['conflicts']):,} conflicts) "
          f"against {graph.name}, `ppkg serve --workers 2`, over HTTP:")
    print()
    print("| step | median s | min–max s | runs |")
    print("|---|---:|---:|---:|")
    for name, times in rows:
        print(f"| {name} | {statistics.median(times):.3f} | {min(times):.3f}–{max(times):.3f} "
              f"| {len(times)} |")
    median = statistics.median(html)
    print(f"\nopening the review page: {median:.2f} s median (target < {TARGET:g} s: "
          f"{'met' if median < TARGET else 'MISSED'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
