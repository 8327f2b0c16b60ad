"""The two endpoints under test, started side by side over the same graph, and what to ask them.

- **floor**: benchmarks/floor_app.py on gunicorn, 2 sync workers, --preload — the engine and
  Flask, nothing else;
- **ppkg**: `ppkg serve FILE --workers 2 --port P` — the installed command, as a user runs it,
  with all its safety defaults (query time limit, row limit, query checks) and a fresh data dir.
  PPKG_* variables of the caller's environment are dropped, so that nothing outside the command
  line changes those defaults.

Each listens on its own 127.0.0.1 port. The queries are workload.QUERIES, each asked for several
people or decrees drawn from the data with a fixed seed; `check` makes sure both servers answer
every one of them with the same rows before anything is timed.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.metadata import version
from importlib.util import find_spec
from pathlib import Path
from typing import Callable, Iterator

import answers
from servers import Server, free_port
from workload import CANDIDATES, OUT, QUERIES, instances

HERE = Path(__file__).resolve().parent
WORKERS = 2
SHOWN = 3  # differing instances logged per query


@dataclass
class Pair:
    floor: Server
    ppkg: Server

    def each(self) -> list[tuple[str, Server]]:
        return [("floor", self.floor), ("ppkg", self.ppkg)]


@dataclass
class Case:
    """One benchmark query: its instances, as texts and as GET targets, what they differ by
    ("people", "decrees") and the media type asked for."""
    name: str
    about: str
    accept: str
    queries: list[str]
    targets: list[str]


@contextmanager
def running(graph: Path, ppkg_args: list[str], keep: bool, timeout: float, tag: str,
            log: Callable[[str], None]) -> Iterator[Pair]:
    """Both servers, ready; stopped on leaving (also on an exception) unless `keep`."""
    ppkg = shutil.which("ppkg")
    if ppkg is None:
        raise SystemExit("no `ppkg` command on PATH (pip install -e .)")
    data_dir = Path(tempfile.mkdtemp(prefix="ppkg-bench-data-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("PPKG_")}
    started: list[Server] = []
    try:
        port = free_port()
        started.append(Server(
            "floor", [sys.executable, "-m", "gunicorn", "--preload", "--workers", str(WORKERS),
                      "--worker-class", "sync", "--limit-request-line", "0", "--timeout", "3600",
                      "--no-control-socket", "--bind", f"127.0.0.1:{port}", "--chdir", str(HERE),
                      "floor_app:create_app()"],
            port, "/sparql?query=ASK%7B%7D", OUT / f"{tag}-floor.log",
            {**env, "FLOOR_DATA": str(graph)}, keep=keep))
        port = free_port()
        argv = [ppkg, "serve", str(graph), "--workers", str(WORKERS), "--port", str(port),
                *ppkg_args]
        started.append(Server("ppkg", argv, port, "/health", OUT / f"{tag}-ppkg.log",
                              {**env, "PPKG_DATA_DIR": str(data_dir)}, keep=keep))
        log(f"started the floor (pid {started[0].pid}, port {started[0].port}) and "
            f"`{' '.join(argv)}` (pid {started[1].pid}, data dir {data_dir}); waiting for both "
            f"(up to {timeout:g} s)")
        for server in started:
            log(f"  {server.name} ready after {server.wait_ready(timeout):.1f} s")
        yield Pair(*started)
    finally:
        if keep:
            log("servers kept (--keep-servers): "
                + ", ".join(f"{s.name} on port {s.port}" for s in started)
                + f"; stop them with: kill -- {' '.join(f'-{s.pid}' for s in started)}; "
                f"then rm -r {data_dir}")
        else:
            for server in started:
                server.stop()
            shutil.rmtree(data_dir, ignore_errors=True)


def ppkg_source() -> str:
    """Which code the `ppkg` command runs — an editable install changes under the benchmark —
    as its directory, the last commit to it and whether it has uncommitted changes."""
    where = Path(find_spec("ppkg").submodule_search_locations[0]).parent
    git = ["git", "-C", str(where)]
    commit = subprocess.run(git + ["log", "-1", "--format=%h", "--", "."], capture_output=True,
                            text=True).stdout.strip()
    if not commit:
        return f"ppkg {version('ppkg')} from {where}"
    dirty = subprocess.run(git + ["status", "--porcelain", "--untracked-files=no", "--", "."],
                           capture_output=True, text=True).stdout.strip()
    return (f"ppkg {version('ppkg')} from {where} at {commit}"
            + (f" + uncommitted changes to {len(dirty.splitlines())} files" if dirty else ""))


def cases(port: int, names: list[str], count: int, seed: int) -> list[Case]:
    """`count` instances of each query (fewer if the data has fewer decrees), the same every run
    for the same graph and seed; the candidates come from the server on `port` (the floor)."""
    rng = random.Random(seed)
    params = {}
    for key, query in CANDIDATES.items():
        found = answers.column(port, query, key)
        params[key] = rng.sample(found, min(count, len(found)))
    out = []
    for name in names:
        texts = instances(name, params)
        text = QUERIES[name][1]
        out.append(Case(name, "decrees" if "{decree}" in text else "people",
                        answers.TURTLE if "CONSTRUCT" in text else answers.JSON,
                        texts, [answers.path(t) for t in texts]))
    return out


def check(pair: Pair, all_cases: list[Case], log: Callable[[str], None]) -> bool:
    """Whether both servers give the same rows for every instance; logs each that differs."""
    agree = True
    for case in all_cases:
        bad = 0
        for query, target in zip(case.queries, case.targets):
            problem = answers.disagreement(pair.floor.port, pair.ppkg.port, target, case.accept)
            if problem:
                bad += 1
                if bad <= SHOWN:
                    asked = " ".join(query.split("\n", 2)[-1].split())  # without the prefixes
                    log(f"  ROWS DIFFER: {case.name}: {asked[:160]}: {problem}")
        log(f"  {case.name}: {len(case.targets) - bad} of {len(case.targets)} instances agree"
            + (f" ({bad - SHOWN} more not shown)" if bad > SHOWN else ""))
        agree = agree and not bad
    return agree
