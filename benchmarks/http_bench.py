"""HTTP benchmark: `ppkg serve` against the bare floor (Flask + pyoxigraph), in one run.

Issue 14's target: ppkg keeps ≥ 0.8× the bare floor's requests/s on lookup and join at 1, 4 and
16 connections, measured in one run, with all safety on. The floor (floor_app.py) is what any
Flask endpoint over pyoxigraph costs; the ratio is what ppkg adds to it.

1. The synthetic graph (workload.py) is generated, or reused from benchmarks/out/.
2. The floor and `ppkg serve FILE --workers 2` start side by side (endpoints.py), each on its own
   127.0.0.1 port; at 1M quads loading takes a while, so each has `--start-timeout` to get ready.
3. Every instance of every query (people and decrees drawn with `--seed`) is asked of both, and
   the run stops unless both give the same rows (as sets; triples for CONSTRUCT).
4. wrk (a native client, wrk.py), one thread, rotating over the instances: for each query and
   number of connections, `--rounds` pairs of runs of `--duration` s — floor, ppkg, floor,
   ppkg, … — so that a burst of noise from elsewhere on the machine hits both alike. The ratio
   is taken per pair. A short warm-up per query and server comes first and is not counted.
5. A Markdown table on stdout (medians over rounds; the ratio's median and range), progress on
   stderr, every figure (and wrk's own text) as JSON in benchmarks/out/http-*.json, and what
   else the machine was doing at the start and at the end (machine.py).

Exit status: 0 when every cell was measured cleanly, whatever the ratios; 1 when a cell saw
non-2xx answers or socket errors (marked FAIL in the table); 2 when a server did not start or
the servers' rows differ. The servers are stopped on every way out (but kill -9 of this
script: then the kernel tells them, servers.py), unless --keep-servers.

    python benchmarks/http_bench.py                                   # 100k, 5 rounds of 3 s
    python benchmarks/http_bench.py --triples 1000000 --rounds 5 --duration 5
    python benchmarks/http_bench.py --queries lookup --connections 4 --ppkg-args "--row-limit 500"
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shlex
import signal
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import endpoints  # noqa: E402
import machine  # noqa: E402
import wrk  # noqa: E402
from report import log, table  # noqa: E402
from servers import ServerFailed  # noqa: E402
from workload import OUT, QUERIES, dataset_file  # noqa: E402

TARGET = 0.8
TARGET_QUERIES = ("lookup", "join")


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--triples", type=int, default=100_000, help="size of the synthetic graph")
    parser.add_argument("--seed", type=int, default=1,
                        help="seed of the graph and of the people/decrees asked about")
    parser.add_argument("--rounds", type=int, default=5, help="floor/ppkg pairs of runs per cell")
    parser.add_argument("--duration", type=float, default=3.0, help="seconds per wrk run")
    parser.add_argument("--connections", default="1,4,16", help="wrk connections, one cell each")
    parser.add_argument("--queries", default="lookup,join,construct",
                        help=f"of {', '.join(QUERIES)}")
    parser.add_argument("--instances", type=int, default=64,
                        help="people (decrees) each query is asked about, rotating")
    parser.add_argument("--warmup", type=float, default=1.0,
                        help="seconds of uncounted wrk per query and server before its cells")
    parser.add_argument("--wrk-timeout", type=float, default=60.0,
                        help="seconds before wrk counts a request as a timeout error")
    parser.add_argument("--ppkg-args", default="", help='extra arguments for ppkg serve, e.g. '
                                                        '"--timeout 30"')
    parser.add_argument("--start-timeout", type=float, default=600.0,
                        help="seconds each server has to load the graph and answer")
    parser.add_argument("--keep-servers", action="store_true",
                        help="leave both servers running at the end (debugging)")
    parser.add_argument("--json", type=Path, default=None,
                        help="raw figures here (default benchmarks/out/http-<time>.json)")
    args = parser.parse_args(argv)
    args.connections = [int(c) for c in args.connections.split(",") if c.strip()]
    args.queries = [q.strip() for q in args.queries.split(",") if q.strip()]
    unknown = [q for q in args.queries if q not in QUERIES]
    if unknown:
        parser.error(f"unknown queries {unknown}; known: {', '.join(QUERIES)}")
    args.ppkg_args = shlex.split(args.ppkg_args)
    return args


def measure(pair: endpoints.Pair, case: endpoints.Case, args, scripts: Path) -> dict:
    """The cells of one query: {connections: {"rounds": [{"floor", "ppkg", "ratio"}, ...]}}."""
    script = wrk.write_script(scripts / f"{case.name}.lua", case.targets, case.accept)
    for name, server in pair.each():
        warm = wrk.run(server.port, script, max(args.connections), args.warmup, args.wrk_timeout)
        if warm["non2xx"] or warm["socket"]:
            log(f"  warm-up of {name} on {case.name}: {warm['non2xx']} non-2xx, "
                f"{warm['socket']} socket errors")
    cells = {}
    for c in args.connections:
        rounds = []
        for r in range(args.rounds):
            figures = {name: wrk.run(server.port, script, c, args.duration, args.wrk_timeout)
                       for name, server in pair.each()}
            # (no answer from the floor inside the run, e.g. a query slower than --duration)
            figures["ratio"] = (figures["ppkg"]["rps"] / figures["floor"]["rps"]
                                if figures["floor"]["rps"] else math.nan)
            rounds.append(figures)
            log(f"  {case.name} ×{c} round {r + 1}/{args.rounds}: floor "
                f"{figures['floor']['rps']:,.0f} req/s, ppkg {figures['ppkg']['rps']:,.0f} req/s "
                f"({figures['ratio']:.2f}×)" + "".join(
                    f"; {name.upper()} ERRORS: {figures[name]['non2xx']} non-2xx, "
                    f"{figures[name]['socket']} socket" for name, _ in pair.each()
                    if figures[name]["non2xx"] or figures[name]["socket"]))
        cells[c] = summarize(rounds)
        if cells[c]["errors"]:
            log(f"  FAIL {case.name} ×{c}: {cells[c]['errors']}")
    return cells


def summarize(rounds: list[dict]) -> dict:
    def med(who: str, key: str) -> float:
        return statistics.median(r[who][key] for r in rounds)

    ratios = [r["ratio"] for r in rounds]
    errors = []
    for who in ("floor", "ppkg"):
        non2xx = sum(r[who]["non2xx"] for r in rounds)
        socket = {k: sum(r[who][k] for r in rounds)
                  for k in ("connect", "read", "write", "timeout")}
        if non2xx or any(socket.values()):
            errors.append(f"{who}: {non2xx} non-2xx, socket errors "
                          + ", ".join(f"{k} {v}" for k, v in socket.items()))
    return {"rounds": rounds, "ratio": statistics.median(ratios), "ratio_min": min(ratios),
            "ratio_max": max(ratios), "errors": "; ".join(errors),
            **{f"{who}_{key}": med(who, key) for who in ("floor", "ppkg")
               for key in ("rps", "p50_us", "p99_us")}}


def markdown(results: dict, args, context: dict) -> str:
    rows = []
    passed = judged = 0
    for name, cells in results.items():
        for c, cell in cells.items():
            verdict = "—"
            if cell["errors"]:
                verdict = "FAIL (errors)"
            elif name in TARGET_QUERIES:
                judged += 1
                passed += cell["ratio"] >= TARGET
                verdict = "PASS" if cell["ratio"] >= TARGET else "FAIL"
            rows.append([name, str(c), f"{cell['floor_rps']:,.0f}", f"{cell['ppkg_rps']:,.0f}",
                         f"{cell['ratio']:.2f}× ({cell['ratio_min']:.2f}–{cell['ratio_max']:.2f})",
                         verdict, _latency(cell, "floor"), _latency(cell, "ppkg"),
                         cell["errors"] or "none"])
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    asked = ", ".join(f"{len(c.targets)} {c.about} ({c.name})" for c in context["cases"])
    lines = [
        f"## ppkg against the bare floor over HTTP — {when}",
        "",
        f"Command: `{' '.join(['python'] + sys.argv)}`  ",
        f"Graph: {context['graph']} ({context['quads']:,} quads); each query asked about "
        f"{asked}, drawn with seed {args.seed}; both servers gave the same rows for every one.  ",
        f"Floor: benchmarks/floor_app.py — Flask {version('flask')} + pyoxigraph "
        f"{version('pyoxigraph')} on gunicorn {version('gunicorn')}, {endpoints.WORKERS} sync "
        "workers, --preload, no checks, no limits.  ",
        f"ppkg: `{context['ppkg_argv']}` — {context['ppkg_source']}; all safety defaults on.  ",
        f"Client: {context['wrk_version']}, 1 thread, on the same {context['cores']} cores; per "
        f"cell {args.rounds} round{'s' * (args.rounds > 1)} of {args.duration:g} s on each "
        "server, alternating floor, "
        f"ppkg; a {args.warmup:g} s warm-up per query and server first.  ",
        f"Machine at the start: {machine.summary(context['machine_start'])}.  ",
        f"Machine at the end: {machine.summary(context['machine_end'])}.",
        "",
        table(["query", "connections", "floor req/s", "ppkg req/s",
               "ppkg / floor: median (min–max)", f"≥ {TARGET}×", "floor p50 / p99 ms",
               "ppkg p50 / p99 ms", "errors"], rows),
        "",
        "req/s, p50 and p99: medians over the rounds; p50 / p99 from wrk's latency histogram "
        "(request written → response read; gunicorn's sync workers close the connection after "
        "each answer, so every request also opens one). ppkg / floor: the ratio of each round's "
        "pair of runs. Issue 14's target (≥ 0.8× on "
        f"{' and '.join(TARGET_QUERIES)} at every connection count): {passed} of {judged} cells "
        "pass.",
    ]
    return "\n".join(lines)


def _latency(cell: dict, who: str) -> str:
    return f"{cell[who + '_p50_us'] / 1000:.2f} / {cell[who + '_p99_us'] / 1000:.2f}"


def _terminate(signum, _frame):
    log(f"{signal.Signals(signum).name}: stopping")
    raise SystemExit(128 + signum)  # unwinds through the `with`, which stops the servers


def main(argv=None) -> int:
    args = parse_args(argv)
    # SIGINT too: a non-interactive shell starts `... &` with it ignored, and kill -INT must
    # still stop the run and its servers
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGHUP, _terminate)
    wrk_version = subprocess.run([wrk.executable(), "--version"], capture_output=True,
                                 text=True).stdout.split("[")[0].strip()
    stamp = time.strftime("%Y%m%d-%H%M%S")
    context = {"cores": os.cpu_count(), "wrk_version": wrk_version,
               "ppkg_source": endpoints.ppkg_source(), "machine_start": machine.snapshot()}
    log(f"machine: {machine.summary(context['machine_start'])}")
    for line in machine.details(context["machine_start"]):
        log(f"  {line}")
    graph = dataset_file(args.triples, args.seed, log)
    context["graph"] = graph.name
    context["quads"] = json.loads(graph.with_suffix(".json").read_text())["quads"]
    scripts = OUT / f"http-{stamp}-lua"
    scripts.mkdir(parents=True)
    results = {}
    try:
        with endpoints.running(graph, args.ppkg_args, args.keep_servers, args.start_timeout,
                               f"http-{stamp}", log) as pair:
            context["ppkg_argv"] = " ".join(["ppkg", "serve", "FILE", "--workers",
                                             str(endpoints.WORKERS), "--port", "P",
                                             *args.ppkg_args])
            context["cases"] = endpoints.cases(pair.floor.port, args.queries, args.instances,
                                                args.seed)
            log("checking that both servers give the same rows")
            if not endpoints.check(pair, context["cases"], log):
                log("the servers' rows differ: nothing measured")
                return 2
            for case in context["cases"]:
                log(f"{case.name}: {len(case.targets)} instances, connections {args.connections}")
                results[case.name] = measure(pair, case, args, scripts)
    except ServerFailed as err:
        log(f"a server failed: {err}")
        return 2
    except KeyboardInterrupt:
        log("interrupted; servers stopped")
        return 130
    context["machine_end"] = machine.snapshot()
    log(f"machine: {machine.summary(context['machine_end'])}")
    for line in machine.details(context["machine_end"]):
        log(f"  {line}")
    print(markdown(results, args, context), flush=True)
    raw = args.json or OUT / f"http-{stamp}.json"
    raw.write_text(json.dumps({
        "argv": sys.argv, "args": {k: v for k, v in vars(args).items() if k != "json"},
        **{k: v for k, v in context.items() if k != "cases"},
        "cases": [vars(c) for c in context["cases"]], "results": results}, indent=1, default=str))
    log(f"raw figures: {raw}")
    return 1 if any(cell["errors"] for cells in results.values() for cell in cells.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
