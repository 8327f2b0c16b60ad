"""A child process that runs one operation at a time, killed and replaced when it overruns.

The embedded query service sends it the queries that could bring their process down (ORDER BY:
ppkg.store.embedded.service), so that only this child dies. A worker forks it from itself on
first use (fork: the child shares the loaded store copy-on-write, nothing is pickled or
reloaded), sends it requests over a Pipe and waits in short slices, watching the time and the
child's memory. On expiry the child is SIGKILLed and reaped at once, so no CPU stays burnt, and a
fresh child is forked on the next call. The caller learns the outcome before it has sent
anything to its client, so the HTTP status always tells the truth.
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
from typing import Any, Callable

log = logging.getLogger("ppkg.executor")

POLL = 0.02  # seconds between checks of a working child's time and memory
_PAGE = os.sysconf("SC_PAGE_SIZE")


def _virtual_size(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", "rb") as f:
            return int(f.read().split(None, 1)[0]) * _PAGE
    except (OSError, ValueError):
        return 0

_PR_SET_PDEATHSIG = 1


class ExecutorTimeout(Exception):
    """The child did not answer within the time limit, or outgrew its memory; it was killed."""

    def __init__(self, timeout: float, memory: bool = False):
        super().__init__("more memory than allowed" if memory else f"no answer within {timeout:g} s")
        self.timeout = timeout
        self.memory = memory


class ExecutorDied(Exception):
    """The child exited while working (crash, out of memory, killed from outside)."""


class Executor:
    """Runs `handler(request)` in a forked child; `call` returns its result or raises its error.

    The handler's exceptions must be picklable; anything else reaches the caller as a
    RuntimeError with the message. One call at a time (a lock serialises threads).
    """

    def __init__(self, handler: Callable[[Any], Any], name: str = "ppkg-query", memory: int = 0,
                 in_child: Callable[[], None] | None = None):
        self._handler = handler
        self._in_child = in_child  # run once in each child before its first request
        self._memory = memory  # bytes the child may grow by during one call (0: no bound)
        self._name = name
        self._context = multiprocessing.get_context("fork")
        self._lock = threading.Lock()
        self._owner = os.getpid()
        self._process = None
        self._conn = None
        self.restarts = 0  # children killed after a timeout or found dead

    # -- public -----------------------------------------------------------------------------

    def call(self, request: Any, timeout: float) -> Any:
        with self._lock:
            conn = self._ensure_child()
            try:
                conn.send(request)
            except (BrokenPipeError, ConnectionResetError, EOFError, OSError):
                self._discard("the query process had exited")
                conn = self._ensure_child()
                conn.send(request)
            self._wait(conn, timeout)
            try:
                status, payload = conn.recv()
            except (EOFError, OSError) as err:
                self._discard(f"the query process died ({err or 'EOF'})", kill=True)
                raise ExecutorDied("the query process died while working") from None
        if status == "ok":
            return payload
        raise payload

    def _wait(self, conn, timeout: float) -> None:
        """Until the child answers; kill it past the deadline or its memory bound."""
        deadline = time.monotonic() + timeout
        base = _virtual_size(self._process.pid) if self._memory else 0
        while not conn.poll(min(POLL, max(0.0, deadline - time.monotonic()))):
            if time.monotonic() >= deadline:
                self._discard(f"no answer within {timeout:g} s", kill=True)
                raise ExecutorTimeout(timeout)
            if self._memory and _virtual_size(self._process.pid) - base > self._memory:
                self._discard("it outgrew its memory bound", kill=True)
                raise ExecutorTimeout(timeout, memory=True)

    @property
    def child_pid(self) -> int | None:
        if self._process is not None and self._owner == os.getpid():
            return self._process.pid
        return None

    def close(self) -> None:
        with self._lock:
            if self._process is not None and self._owner == os.getpid():
                self._discard("closing", kill=True)

    # -- lifecycle --------------------------------------------------------------------------

    def _ensure_child(self):
        if self._owner != os.getpid():
            # We were forked (a gunicorn worker from the master): the child, if any, is not ours.
            if self._conn is not None:
                try:
                    self._conn.close()
                except OSError:
                    pass
            self._process = self._conn = None
            self._owner = os.getpid()
        if self._process is not None and not self._process.is_alive():
            self._discard("the query process had exited")
        if self._process is None:
            parent_conn, child_conn = self._context.Pipe(duplex=True)
            process = self._context.Process(
                target=_child_main, args=(child_conn, self._handler, self._in_child),
                name=self._name, daemon=True)
            process.start()
            child_conn.close()
            self._process, self._conn = process, parent_conn
            log.debug("forked query process %s", process.pid)
        return self._conn

    def _discard(self, reason: str, kill: bool = False) -> None:
        process, conn = self._process, self._conn
        self._process = self._conn = None
        if conn is not None:
            try:
                conn.close()
            except OSError:
                pass
        if process is None:
            return
        self.restarts += 1
        if kill and process.is_alive():
            (log.debug if reason == "closing" else log.warning)(
                "killing query process %s: %s", process.pid, reason)
            try:
                process.kill()
            except OSError:
                pass
        process.join(5)
        if process.is_alive():  # pragma: no cover - SIGKILL is not ignorable
            log.error("query process %s did not exit", process.pid)


# -- the child --------------------------------------------------------------------------------

def _become_child(keep_fd: int) -> None:
    """Shed what the child inherited from a web worker: signals, sockets, the parent's fate."""
    if hasattr(signal, "set_wakeup_fd"):
        try:
            signal.set_wakeup_fd(-1)
        except (ValueError, OSError):
            pass
    for sig in (signal.SIGTERM, signal.SIGQUIT, signal.SIGHUP, signal.SIGUSR1, signal.SIGUSR2,
                signal.SIGWINCH, signal.SIGABRT, signal.SIGCHLD):
        signal.signal(sig, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group; the worker decides
    # Die with the worker, even if it is SIGKILLed mid-query.
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    # Client and listening sockets stay with the worker: a connection must close when the worker
    # closes it, not when this child happens to exit.
    try:
        max_fd = os.sysconf("SC_OPEN_MAX")
    except (ValueError, OSError):
        max_fd = 4096
    os.closerange(3, keep_fd)
    os.closerange(keep_fd + 1, max_fd)


def _child_main(conn, handler, in_child) -> None:
    _become_child(conn.fileno())
    if os.getppid() == 1:  # the worker died before prctl took effect
        os._exit(0)
    if in_child is not None:
        in_child()
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            os._exit(0)
        try:
            reply = ("ok", handler(request))
        except BaseException as err:  # noqa: BLE001 - everything goes back to the caller
            reply = ("error", err)
        try:
            conn.send(reply)
        except Exception as err:  # e.g. an unpicklable exception or result
            try:
                conn.send(("error", RuntimeError(f"{type(err).__name__}: {err}")))
            except (OSError, EOFError):
                os._exit(1)
