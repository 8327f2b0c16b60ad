"""Shared fixtures: real `ppkg serve` processes, and the test dataset as an rdflib reference.

`server` and `shipped_server` are parametrised over the two stores (ppkg.backend): "embedded"
(pyoxigraph in the server) and "virtuoso" (a real Virtuoso started by tests/virtuoso.py, filled
with `ppkg load`, and the server started with PPKG_STORE=sparql). The Virtuoso variants are
skipped only when virtuoso-t is not installed (.ci/run installs it).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

import virtuoso as virtuoso_helper

TESTS = Path(__file__).resolve().parent
TEST_DATASET = TESTS / "data" / "dataset"  # served by the `server` fixture
TEST_TRIG = TEST_DATASET / "prisoners.trig"

SERVER_TIMEOUT = 2.0  # the test server's query time limit, seconds
SERVER_ROW_LIMIT = 40
SERVER_MAX_BODY = 64 * 1024


BACKENDS = ["embedded", "virtuoso"]


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    log_path: Path
    backend: str = "embedded"  # or "virtuoso"
    secret: str | None = None  # the remote store's password (must never show)

    @property
    def timeout_status(self) -> int:
        """A query over the time limit: 503 (embedded), 504 (the remote store timed out)."""
        return 503 if self.backend == "embedded" else 504

    @property
    def sparql(self) -> str:
        return self.url + "/sparql"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def ppkg_command() -> list[str]:
    """The installed console script (beside this Python), else `python -m ppkg`."""
    script = Path(sys.executable).with_name("ppkg")
    if script.exists():
        return [str(script)]
    found = shutil.which("ppkg")
    return [found] if found else [sys.executable, "-m", "ppkg"]


def clean_env() -> dict[str, str]:
    """The environment without PPKG_* settings, so only the flags we pass count."""
    return {k: v for k, v in os.environ.items() if not k.startswith("PPKG_")}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(args: list[str], log_path: Path, workers: int = 2,
                 env: dict[str, str] | None = None, port: int | None = None) -> Server:
    """`env`: PPKG_* settings to add (e.g. PPKG_BASE_IRI); `port`: one taken from free_port()."""
    port = port or free_port()
    env = dict(clean_env(), **(env or {}))
    # Never the developer's own data dir (~/.local/share/ppkg): its submissions would leak in.
    env.setdefault("PPKG_DATA_DIR", str(log_path.parent / f"data-{port}"))
    log = open(log_path, "wb")
    process = subprocess.Popen(
        ppkg_command() + ["serve", *args, "--host", "127.0.0.1", "--port", str(port),
                          "--workers", str(workers)],
        stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    log.close()
    server = Server(f"http://127.0.0.1:{port}", process, log_path)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"ppkg serve exited with {process.returncode}:\n{server.log()}")
        try:
            if requests.get(server.url + "/health", timeout=2).status_code == 200:
                return server
        except requests.ConnectionError:
            pass
        time.sleep(0.05)
    stop_server(server)
    pytest.fail(f"ppkg serve did not answer /health:\n{server.log()}")


def stop_server(server: Server) -> None:
    """SIGTERM to the server's own process group (master, workers, query processes)."""
    pgid = server.process.pid  # start_new_session: the group is the one we started
    try:
        os.killpg(pgid, signal.SIGTERM)
        server.process.wait(timeout=15)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        pass
    try:
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    server.process.wait(timeout=5)


def load_into(store, paths: list[str]) -> None:
    """`ppkg load PATHS` (the shipped graph when empty) into a Virtuoso of tests/virtuoso.py."""
    result = subprocess.run(ppkg_command() + ["load", *paths], env=dict(clean_env(), **store.env()),
                            capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        pytest.fail(f"ppkg load failed ({result.returncode}):\n{result.stderr}")


@pytest.fixture(scope="session")
def virtuoso_stores(tmp_path_factory):
    """start(name, paths) → a running Virtuoso holding PATHS (one per name); all stopped at the end."""
    started = {}

    def start(name: str, paths: list[str]):
        if name not in started:
            if not virtuoso_helper.available():
                pytest.skip("Virtuoso is not installed (apt-get install virtuoso-opensource-7-bin)")
            try:
                store = virtuoso_helper.start_virtuoso(tmp_path_factory.mktemp(f"virtuoso-{name}"))
            except RuntimeError as err:
                pytest.fail(str(err))
            started[name] = store
            load_into(store, paths)
        return started[name]

    yield start
    for store in started.values():
        virtuoso_helper.stop_virtuoso(store)


def start_on(backend: str, request, name: str, paths: list[str], args: list[str], log: Path,
             workers: int = 2, env: dict[str, str] | None = None) -> Server:
    """A ppkg server over `paths` on the embedded store, or over a Virtuoso holding them."""
    if backend == "embedded":
        return start_server(paths + args, log, workers=workers, env=env)
    store = request.getfixturevalue("virtuoso_stores")(name, paths)
    srv = start_server(args, log, workers=workers, env=dict(store.env(), **(env or {})))
    srv.backend, srv.secret = backend, store.password
    return srv


@pytest.fixture(scope="session", params=BACKENDS)
def server(request, tmp_path_factory) -> Server:
    """The small test dataset, with a short time limit and small row and body limits."""
    log = tmp_path_factory.mktemp("server") / "ppkg-serve.log"
    srv = start_on(request.param, request, "test", [str(TEST_DATASET)],
                   ["--timeout", str(SERVER_TIMEOUT), "--row-limit", str(SERVER_ROW_LIMIT),
                    "--max-body", str(SERVER_MAX_BODY)], log, workers=3)
    yield srv
    stop_server(srv)


@pytest.fixture(scope="session", params=BACKENDS)
def shipped_server(request, tmp_path_factory) -> Server:
    """The shipped graph with default settings (its content is not relied upon)."""
    log = tmp_path_factory.mktemp("shipped") / "ppkg-serve.log"
    srv = start_on(request.param, request, "shipped", [], [], log, workers=2)
    yield srv
    stop_server(srv)


@pytest.fixture(scope="module", params=BACKENDS)
def archive(request, tmp_path_factory):
    """An archive over tests/data/archive/published.trig, on each store. Modules share one
    Virtuoso for it unless they name their own in VIRTUOSO_STORE."""
    from archive_helpers import PUBLISHED, start_archive, stop_archive  # it imports this module

    env = None
    if request.param == "virtuoso":
        name = getattr(request.module, "VIRTUOSO_STORE", "archive")
        env = request.getfixturevalue("virtuoso_stores")(name, [str(PUBLISHED)]).env()
    arch = start_archive(tmp_path_factory.mktemp(request.module.__name__), workers=3, env=env)
    yield arch
    stop_archive(arch)


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium driven by Playwright (tests/browser.py), one per test module."""
    from browser import chromium  # playwright is imported only by the modules that drive pages

    with chromium() as b:
        yield b


@pytest.fixture(scope="session")
def reference():
    """The test dataset in rdflib, default graph = union of all graphs, as the endpoint serves it."""
    import rdflib

    dataset = rdflib.Dataset(default_union=True)
    dataset.parse(TEST_TRIG, format="trig")
    return dataset
