"""ppkg over Virtuoso against Virtuoso's own endpoint, in the same run (issue 18: ≥ 0.5×).

    python benchmarks/over_virtuoso.py                      # 100k quads
    python benchmarks/over_virtuoso.py --triples 1000000 --rounds 5

A Virtuoso (tests/virtuoso.py: Debian's virtuoso-opensource-7, on 127.0.0.1) is filled with the
synthetic graph by `ppkg load` (which also builds the union graph ppkg answers queries without a
dataset from); `ppkg serve --store sparql` runs over it. wrk sends the same lookups
and joins (64 instances each, at `--connections`) to both: to ppkg's /sparql as a user does, and
to Virtuoso's /sparql with `default-graph-uri=urn:ppkg:store:union` — the same dataset, so the
same rows (checked first, as row counts). `--workers` sets ppkg's workers: over a remote store
they mostly wait for it, so ppkg's default there is four per core. Each round runs Virtuoso then ppkg, `--duration` s
each; the ratio ppkg / Virtuoso is taken per round and given as the median (min–max).
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
import urllib.parse
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))  # virtuoso.py: the Virtuoso the tests start

import answers  # noqa: E402
import endpoints  # noqa: E402
import virtuoso  # noqa: E402
import wrk  # noqa: E402
from report import log, table  # noqa: E402
from servers import Server, free_port  # noqa: E402
from workload import OUT, dataset_file  # noqa: E402

UNION = "urn:ppkg:store:union"


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--duration", type=float, default=3.0)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=None,
                        help="ppkg serve --workers (default: ppkg's own, four per core here)")
    return parser.parse_args(argv)


def direct(target: str) -> str:
    """The same query at Virtuoso's endpoint, over the union graph."""
    return target + "&" + urllib.parse.urlencode({"default-graph-uri": UNION})


def rows(port: int, target: str, accept: str) -> int:
    status, _, body = answers.get(port, target, accept)
    if status != 200:
        raise SystemExit(f"status {status} for {target[:200]}: {body[:300]!r}")
    return len(json.loads(body)["results"]["bindings"])


def main(argv=None) -> int:
    args = parse_args(argv)
    if not virtuoso.available():
        raise SystemExit("Virtuoso is not installed (apt-get install virtuoso-opensource-7-bin)")
    OUT.mkdir(exist_ok=True)
    graph = dataset_file(args.triples, args.seed, log)
    store = virtuoso.start_virtuoso(Path(tempfile.mkdtemp(prefix="ppkg-bench-virtuoso-")),
                                    max_time=120)
    data_dir = Path(tempfile.mkdtemp(prefix="ppkg-bench-data-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("PPKG_")}
    env.update(store.env(), PPKG_DATA_DIR=str(data_dir))
    ppkg = shutil.which("ppkg") or "ppkg"
    server = None
    try:
        log(f"loading {graph.name} into Virtuoso ...")
        done = subprocess.run([ppkg, "load", str(graph)], env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(done.stderr)
        port = free_port()
        workers = ["--workers", str(args.workers)] if args.workers else []
        server = Server("ppkg", [ppkg, "serve", *workers, "--port", str(port)], port,
                        "/health", OUT / "over-virtuoso-ppkg.log", env)
        log(f"ppkg over Virtuoso ready in {server.wait_ready(600):.1f} s; "
            f"{endpoints.ppkg_source()}")
        table_rows = []
        for case in endpoints.cases(port, ["lookup", "join"], 64, args.seed):
            targets = [direct(t) for t in case.targets]
            for mine, theirs in list(zip(case.targets, targets))[:8]:
                if rows(port, mine, case.accept) != rows(store.http_port, theirs, case.accept):
                    raise SystemExit(f"{case.name}: different rows for {mine[:200]}")
            scripts = {"ppkg": wrk.write_script(OUT / f"over-virtuoso-{case.name}-ppkg.lua",
                                                case.targets, case.accept),
                       "virtuoso": wrk.write_script(OUT / f"over-virtuoso-{case.name}.lua",
                                                    targets, case.accept)}
            ports = {"ppkg": port, "virtuoso": store.http_port}
            for who in ports:  # warm-up
                wrk.run(ports[who], scripts[who], args.connections, 1, 30)
            figures = {"ppkg": [], "virtuoso": []}
            for _ in range(args.rounds):
                for who in ("virtuoso", "ppkg"):
                    result = wrk.run(ports[who], scripts[who], args.connections, args.duration,
                                     30)
                    if result["non2xx"] or result["socket"]:
                        log(f"  {who}: {result['non2xx']} non-2xx, {result['socket']} socket "
                            "errors")
                    figures[who].append(result["rps"])
            ratios = sorted(p / v for p, v in zip(figures["ppkg"], figures["virtuoso"]))
            mine, theirs = (statistics.median(figures[w]) for w in ("ppkg", "virtuoso"))
            log(f"  {case.name}: ppkg {mine:.1f} req/s, Virtuoso {theirs:.1f}")
            table_rows.append([case.name, f"{theirs:,.1f}", f"{mine:,.1f}",
                               f"{statistics.median(ratios):.2f}× ({ratios[0]:.2f}–"
                               f"{ratios[-1]:.2f})", "PASS" if statistics.median(ratios) >= 0.5
                               else "FAIL"])
    finally:
        if server is not None:
            server.stop()
        virtuoso.stop_virtuoso(store)
        shutil.rmtree(data_dir, ignore_errors=True)
    print(f"\n{args.triples:,} quads, {args.connections} connections, {args.rounds} rounds of "
          f"{args.duration:g} s, ppkg serve --workers {args.workers or 'default'}\n")
    print(table(["query", "Virtuoso /sparql (req/s)", "ppkg over Virtuoso (req/s)",
                 "ppkg / Virtuoso", "≥ 0.5×"], table_rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
