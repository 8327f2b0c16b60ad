"""Fixed cost of one request over HTTP: one connection, requests one after another.

http_bench.py measures throughput under load; this measures what a single request costs when
nothing else is happening, on the floor and on ppkg, to see (and profile) what ppkg adds to each.
The same servers and query instances as http_bench.py (endpoints.py, checked to agree first); the
client is a bare socket — connect, send a prebuilt GET, read to the end (gunicorn's sync workers
close the connection after each answer) — so that it adds as little as possible to the time,
which runs from connect to the last byte. Floor and ppkg alternate in blocks of `--block`
requests, so that noise from elsewhere on the machine hits both alike.

    python benchmarks/latency.py                                   # lookup, 100k, 2,000 each
    python benchmarks/latency.py --queries lookup,join --requests 5000

To profile ppkg, keep it running and attach a sampling profiler to a worker (pids are logged):

    python benchmarks/latency.py --only ppkg --requests 200000 --keep-servers &
    py-spy record -o ppkg.svg --pid <worker pid>

Exit status: 0 measured; 1 a request got no 200; 2 a server did not start or the rows differ.
"""

from __future__ import annotations

import argparse
import json
import math
import shlex
import signal
import socket
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import endpoints  # noqa: E402
import machine  # noqa: E402
from report import log, table  # noqa: E402
from servers import ServerFailed  # noqa: E402
from workload import OUT, QUERIES, dataset_file  # noqa: E402


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--triples", type=int, default=100_000, help="size of the synthetic graph")
    parser.add_argument("--seed", type=int, default=1,
                        help="seed of the graph and of the people/decrees asked about")
    parser.add_argument("--queries", default="lookup", help=f"of {', '.join(QUERIES)}")
    parser.add_argument("--requests", type=int, default=2000,
                        help="timed requests per query and server")
    parser.add_argument("--block", type=int, default=100,
                        help="requests in a row to one server before switching to the other")
    parser.add_argument("--warmup", type=int, default=100,
                        help="untimed requests per query and server first")
    parser.add_argument("--instances", type=int, default=64,
                        help="people (decrees) each query is asked about, rotating")
    parser.add_argument("--only", choices=["floor", "ppkg"], default=None,
                        help="time one server only (profiling); both still start, to be compared")
    parser.add_argument("--ppkg-args", default="", help="extra arguments for ppkg serve")
    parser.add_argument("--start-timeout", type=float, default=600.0,
                        help="seconds each server has to load the graph and answer")
    parser.add_argument("--keep-servers", action="store_true",
                        help="leave both servers running at the end (profiling, debugging)")
    parser.add_argument("--json", type=Path, default=None,
                        help="raw figures here (default benchmarks/out/latency-<time>.json)")
    args = parser.parse_args(argv)
    args.queries = [q.strip() for q in args.queries.split(",") if q.strip()]
    unknown = [q for q in args.queries if q not in QUERIES]
    if unknown:
        parser.error(f"unknown queries {unknown}; known: {', '.join(QUERIES)}")
    args.ppkg_args = shlex.split(args.ppkg_args)
    return args


def request_bytes(port: int, target: str, accept: str) -> bytes:
    return (f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: {accept}\r\n"
            "Connection: close\r\n\r\n").encode()


def timed(port: int, request: bytes) -> tuple[int, int]:
    """(nanoseconds from connect to the end of the answer, HTTP status)."""
    started = time.perf_counter_ns()
    with socket.create_connection(("127.0.0.1", port)) as conn:
        conn.sendall(request)
        head = conn.recv(65536)
        while conn.recv(65536):
            pass
    elapsed = time.perf_counter_ns() - started
    return elapsed, int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/") else 0


def measure(pair: endpoints.Pair, case: endpoints.Case, args) -> dict:
    """{server: [µs per request]}, and how many requests did not get a 200."""
    who = [(n, s) for n, s in pair.each() if args.only in (None, n)]
    requests = {n: [request_bytes(s.port, t, case.accept) for t in case.targets] for n, s in who}
    samples: dict[str, list[float]] = {n: [] for n, _ in who}
    failed = {n: 0 for n, _ in who}
    for name, server in who:
        for i in range(args.warmup):
            timed(server.port, requests[name][i % len(case.targets)])
    done = 0
    while done < args.requests:
        block = min(args.block, args.requests - done)
        for name, server in who:
            for i in range(done, done + block):
                ns, status = timed(server.port, requests[name][i % len(case.targets)])
                samples[name].append(ns / 1000)
                failed[name] += status != 200
        done += block
    return {"samples_us": samples, "failed": failed}


def pct(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(1, math.ceil(q / 100 * len(ordered))) - 1]


def markdown(results: dict, args, context: dict) -> str:
    rows = []
    notes = []
    for name, result in results.items():
        p50 = {}
        for who, values in result["samples_us"].items():
            p50[who] = statistics.median(values)
            rows.append([name, who, f"{len(values):,}", f"{min(values):,.0f}", f"{p50[who]:,.0f}",
                         f"{pct(values, 90):,.0f}", f"{pct(values, 99):,.0f}",
                         str(result["failed"][who]) if result["failed"][who] else "none"])
        if len(p50) == 2:
            notes.append(f"{name}: ppkg adds {p50['ppkg'] - p50['floor']:,.0f} µs a request at the "
                         f"median ({p50['ppkg'] / p50['floor']:.2f}× the floor's)")
    return "\n".join([
        f"## Fixed cost of one request: ppkg against the bare floor — {context['when']}",
        "",
        f"Command: `{' '.join(['python'] + sys.argv)}`  ",
        f"Graph: {context['graph']}; ppkg: `ppkg serve FILE --workers {endpoints.WORKERS}"
        f"{' ' + ' '.join(args.ppkg_args) if args.ppkg_args else ''}` "
        f"({context['ppkg_source']}); the floor: "
        "benchmarks/floor_app.py. One connection at a time from a bare socket client, "
        f"connect → last byte; blocks of {args.block} requests alternating between the servers, "
        f"after {args.warmup} untimed.  ",
        f"Machine at the start: {machine.summary(context['machine_start'])}.  ",
        f"Machine at the end: {machine.summary(context['machine_end'])}.",
        "",
        table(["query", "server", "requests", "min µs", "p50 µs", "p90 µs", "p99 µs", "not 200"],
              rows),
        "",
        "; ".join(notes) + ("." if notes else ""),
    ])


def _terminate(signum, _frame):
    log(f"{signal.Signals(signum).name}: stopping")
    raise SystemExit(128 + signum)  # unwinds through the `with`, which stops the servers


def workers(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def main(argv=None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # see http_bench.main
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGHUP, _terminate)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    context = {"ppkg_source": endpoints.ppkg_source(), "machine_start": machine.snapshot()}
    log(f"machine: {machine.summary(context['machine_start'])}")
    graph = dataset_file(args.triples, args.seed, log)
    context["graph"] = graph.name
    results = {}
    try:
        with endpoints.running(graph, args.ppkg_args, args.keep_servers, args.start_timeout,
                               f"latency-{stamp}", log) as pair:
            for name, server in pair.each():
                log(f"  {name} workers: {' '.join(map(str, workers(server.pid)))}")
            cases = endpoints.cases(pair.floor.port, args.queries, args.instances,
                                    args.seed)
            log("checking that both servers give the same rows")
            if not endpoints.check(pair, cases, log):
                log("the servers' rows differ: nothing measured")
                return 2
            for case in cases:
                log(f"{case.name}: {args.requests} requests per server over "
                    f"{len(case.targets)} instances")
                results[case.name] = measure(pair, case, args)
    except ServerFailed as err:
        log(f"a server failed: {err}")
        return 2
    except KeyboardInterrupt:
        log("interrupted; servers stopped")
        return 130
    context["machine_end"] = machine.snapshot()
    context["when"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    print(markdown(results, args, context), flush=True)
    raw = args.json or OUT / f"latency-{stamp}.json"
    raw.write_text(json.dumps({"argv": sys.argv, **context, "results": results}, default=str))
    log(f"raw figures: {raw}")
    return 1 if any(n for r in results.values() for n in r["failed"].values()) else 0


if __name__ == "__main__":
    sys.exit(main())
