"""Helpers for the hardening tests (issue 11) and the fuzz test: a bait HTTP server that records
every request and answers with a secret, timed requests, the memory of a server's processes,
raw-socket requests (chunked bodies, dribbling clients), and a figures table printed with -s."""

from __future__ import annotations

import socket
import subprocess
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

from conftest import Server

SECRET = "BAIT-SECRET-7f3a9c"  # what the bait answers: it must never show in a ppkg answer


class Bait:
    """A local HTTP server that records every request and answers each with SECRET inside a
    valid SPARQL JSON result (so an engine that reached it would have something to repeat)."""

    def __init__(self):
        self.received: list[str] = []
        owner = self
        body = ('{"head":{"vars":["secret"]},"results":{"bindings":[{"secret":'
                '{"type":"literal","value":"%s"}}]}}' % SECRET).encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                owner.received.append(f"{self.command} {self.path}")
                self.send_response(200)
                self.send_header("Content-Type", "application/sparql-results+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_POST = do_GET

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> Bait:
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


# --- timing --------------------------------------------------------------------------------------

@dataclass
class Timed:
    status: int | str  # the HTTP status, or the name of the exception (no answer)
    seconds: float
    text: str = ""
    headers: dict = field(default_factory=dict)


def timed(method: str, url: str, timeout: float = 30, **kwargs) -> Timed:
    """A request and how long it took; a connection closed without an answer is not raised but
    returned as status "ConnectionError" (a worker that died)."""
    started = time.monotonic()
    try:
        response = requests.request(method, url, timeout=timeout, **kwargs)
    except requests.RequestException as err:
        return Timed(type(err).__name__, time.monotonic() - started, str(err)[:300])
    return Timed(response.status_code, time.monotonic() - started, response.text,
                 dict(response.headers))


class Poller:
    """Polls a URL from a thread of its own while something else happens; `latencies` holds
    (status, seconds) for every poll."""

    def __init__(self, url: str, interval: float = 0.1, timeout: float = 30, **kwargs):
        self.url, self.interval, self.timeout, self.kwargs = url, interval, timeout, kwargs
        self.latencies: list[tuple] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            result = timed(self.kwargs.get("method", "GET"), self.url, timeout=self.timeout,
                           **{k: v for k, v in self.kwargs.items() if k != "method"})
            self.latencies.append((result.status, result.seconds))
            self._stop.wait(self.interval)

    def __enter__(self) -> Poller:
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=self.timeout + 5)

    @property
    def worst(self) -> float:
        return max((s for _, s in self.latencies), default=0.0)

    @property
    def statuses(self) -> set:
        return {status for status, _ in self.latencies}


# --- memory of a server's processes ------------------------------------------------------------

def children(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in found.split()]


def process_tree(pid: int) -> list[int]:
    pids = [pid]
    for child in children(pid):
        pids += process_tree(child)
    return pids


def rss(pid: int) -> int:
    """Resident memory of a process in bytes (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def worker_rss(server: Server) -> dict[int, int]:
    """RSS of every process under the gunicorn master (workers and their query children)."""
    return {pid: rss(pid) for pid in process_tree(server.process.pid)[1:]}


class PeakMemory:
    """The largest RSS any process of a server reached while the block ran (sampled 50/s)."""

    def __init__(self, server: Server):
        self.server = server
        self.peak = 0
        self.baseline = max(worker_rss(server).values(), default=0)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, max(worker_rss(self.server).values(), default=0))
            self._stop.wait(0.02)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=5)


# --- raw sockets ----------------------------------------------------------------------------------

def host_port(server: Server) -> tuple[str, int]:
    host, port = server.url.split("//", 1)[1].rsplit(":", 1)
    return host, int(port)


def read_answer(sock: socket.socket, timeout: float) -> bytes:
    """What the server sends until it closes or `timeout` passes."""
    sock.settimeout(timeout)
    data = b""
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
            if b"\r\n\r\n" in data:
                head, _, body = data.partition(b"\r\n\r\n")
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:") and \
                            len(body) >= int(line.split(b":")[1]):
                        return data
    except (TimeoutError, ConnectionResetError):
        pass
    return data


def status_of(raw: bytes) -> int | None:
    if not raw.startswith(b"HTTP/1.1 "):
        return None
    return int(raw[9:12])


def send_chunked(server: Server, path: str, body: bytes, headers: dict[str, str],
                 chunk: int = 8192) -> bytes:
    """POST `body` with Transfer-Encoding: chunked, reading between chunks: returns the answer
    (the server may answer — 413 — before the body is all sent)."""
    host, port = host_port(server)
    sock = socket.create_connection((host, port), timeout=10)
    try:
        head = f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nTransfer-Encoding: chunked\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
        sock.sendall(head.encode("latin-1"))
        answer = b""
        for start in range(0, len(body), chunk):
            piece = body[start:start + chunk]
            try:
                sock.sendall(b"%x\r\n" % len(piece) + piece + b"\r\n")
            except OSError:  # the server answered and closed
                break
            sock.setblocking(False)
            try:
                answer += sock.recv(65536)
            except (BlockingIOError, ConnectionResetError):
                pass
            finally:
                sock.setblocking(True)
            if answer:
                break
        else:
            sock.sendall(b"0\r\n\r\n")
        return answer + read_answer(sock, 30)
    finally:
        sock.close()


# --- figures for the closing note (printed with -s) ----------------------------------------------

FIGURES: list[str] = []


def figure(line: str) -> None:
    FIGURES.append(line)
    print(line)


@contextmanager
def soft_checks():
    """Collect failed checks and fail once at the end with all of them, so that one test
    reports every property it found broken (and checks the later ones all the same)."""
    problems: list[str] = []
    try:
        yield problems
    except Exception as err:  # a hard check failed: report it with the soft ones before it
        problems.append(f"{type(err).__name__}: {err}")
    assert not problems, "\n".join(["Failed checks:"] + [f"- {p}" for p in problems])


def mib(n: float) -> str:
    return f"{n / 2**20:.0f} MiB"
