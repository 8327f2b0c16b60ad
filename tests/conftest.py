"""Shared fixtures: real `ppkg serve` processes, and the test dataset as an rdflib reference."""

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

TESTS = Path(__file__).resolve().parent
TEST_DATASET = TESTS / "data" / "dataset"  # served by the `server` fixture
TEST_TRIG = TEST_DATASET / "prisoners.trig"

SERVER_TIMEOUT = 2.0  # the test server's query time limit, seconds
SERVER_ROW_LIMIT = 40
SERVER_MAX_BODY = 64 * 1024


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    log_path: Path

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
    log = open(log_path, "wb")
    process = subprocess.Popen(
        ppkg_command() + ["serve", *args, "--host", "127.0.0.1", "--port", str(port),
                          "--workers", str(workers)],
        stdout=log, stderr=subprocess.STDOUT, env=dict(clean_env(), **(env or {})),
        start_new_session=True)
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


@pytest.fixture(scope="session")
def server(tmp_path_factory) -> Server:
    """The small test dataset, with a short time limit and small row and body limits."""
    log = tmp_path_factory.mktemp("server") / "ppkg-serve.log"
    srv = start_server([str(TEST_DATASET), "--timeout", str(SERVER_TIMEOUT),
                        "--row-limit", str(SERVER_ROW_LIMIT), "--max-body", str(SERVER_MAX_BODY)],
                       log, workers=3)
    yield srv
    stop_server(srv)


@pytest.fixture(scope="session")
def shipped_server(tmp_path_factory) -> Server:
    """The shipped graph with default settings (its content is not relied upon)."""
    log = tmp_path_factory.mktemp("shipped") / "ppkg-serve.log"
    srv = start_server([], log, workers=2)
    yield srv
    stop_server(srv)


@pytest.fixture(scope="session")
def reference():
    """The test dataset in rdflib, default graph = union of all graphs, as the endpoint serves it."""
    import rdflib

    dataset = rdflib.Dataset(default_union=True)
    dataset.parse(TEST_TRIG, format="trig")
    return dataset
