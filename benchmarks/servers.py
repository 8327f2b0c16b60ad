"""Server processes a benchmark starts: each the leader of its own session, stopped by its group.

A gunicorn master, its workers and whatever they fork (ppkg's query processes) share the
leader's process group, so one signal to the group stops them all, and nothing else. Unless the
caller keeps them for debugging, a server is also told to stop if the benchmark dies without
cleaning up (kill -9): the kernel sends its leader SIGTERM (PR_SET_PDEATHSIG).
"""

from __future__ import annotations

import ctypes
import http.client
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

PR_SET_PDEATHSIG = 1


class ServerFailed(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop_with_parent() -> None:
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class Server:
    """`argv` listening on 127.0.0.1:`port`; ready once GET `ready_path` answers 200."""

    def __init__(self, name: str, argv: list[str], port: int, ready_path: str, log_path: Path,
                 env: dict[str, str], cwd: Path | None = None, keep: bool = False):
        self.name, self.port, self.ready_path, self.log_path = name, port, ready_path, log_path
        with open(log_path, "wb") as log:
            self.proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, env=env,
                                         cwd=cwd, start_new_session=True,
                                         preexec_fn=None if keep else _stop_with_parent)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def wait_ready(self, timeout: float) -> float:
        """Seconds until ready; raises ServerFailed if it exits, answers anything but 200 or
        503 (not ready yet), or is not ready in `timeout`."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if self.proc.poll() is not None:
                raise ServerFailed(f"{self.name} exited with status {self.proc.returncode}:\n"
                                   + self.log_tail())
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", self.ready_path)
                status = conn.getresponse().status
                conn.close()
            except OSError:
                status = None  # not listening yet: loading the graph
            if status == 200:
                return time.monotonic() - started
            if status not in (None, 503):
                raise ServerFailed(f"{self.name} answered {status} to GET {self.ready_path}:\n"
                                   + self.log_tail())
            time.sleep(0.25)
        raise ServerFailed(f"{self.name} not ready after {timeout:g} s:\n" + self.log_tail())

    def log_tail(self, lines: int = 15) -> str:
        text = self.log_path.read_text(errors="replace").splitlines()
        return "\n".join(f"    {line}" for line in text[-lines:]) + f"\n    (log: {self.log_path})"

    def stop(self) -> None:
        """SIGTERM to the group; SIGKILL to whatever of it is left after 20 s."""
        self._signal(signal.SIGTERM)
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            pass
        # the leader may be gone while a worker or a query process it forked lingers
        deadline = time.monotonic() + 5
        while self._group_alive() and time.monotonic() < deadline:
            time.sleep(0.1)
        if self._group_alive():
            self._signal(signal.SIGKILL)
        self.proc.wait()

    def _signal(self, sig: int) -> None:
        try:
            os.killpg(self.proc.pid, sig)
        except ProcessLookupError:
            pass

    def _group_alive(self) -> bool:
        try:
            os.killpg(self.proc.pid, 0)
        except ProcessLookupError:
            return False
        return True
