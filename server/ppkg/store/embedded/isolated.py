"""A child process that runs one operation at a time, killed and replaced when it overruns.

pyoxigraph's Store.query cannot be interrupted from Python, so the only hard limit is at process
level. Each web worker lazily forks one child from itself (fork: the child shares the loaded
store copy-on-write, nothing is pickled or reloaded), sends it requests over a Pipe and waits
with poll(timeout). On expiry the child is SIGKILLed and reaped at once, so no CPU stays burnt,
and a fresh child is forked on the next call. The caller learns the outcome before it has sent
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

_PR_SET_PDEATHSIG = 1


class ExecutorTimeout(Exception):
    """The child did not answer within the time limit; it has been killed."""

    def __init__(self, timeout: float):
        super().__init__(f"no answer within {timeout:g} s")
        self.timeout = timeout


class ExecutorDied(Exception):
    """The child exited while working (crash, out of memory, killed from outside)."""


class Executor:
    """Runs `handler(request)` in a forked child; `call` returns its result or raises its error.

    The handler's exceptions must be picklable; anything else reaches the caller as a
    RuntimeError with the message. One call at a time (a lock serialises threads).
    """

    def __init__(self, handler: Callable[[Any], Any], name: str = "ppkg-query"):
        self._handler = handler
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
            deadline = time.monotonic() + timeout
            if not conn.poll(max(0.0, deadline - time.monotonic())):
                self._discard(f"no answer within {timeout:g} s", kill=True)
                raise ExecutorTimeout(timeout)
            try:
                status, payload = conn.recv()
            except (EOFError, OSError) as err:
                self._discard(f"the query process died ({err or 'EOF'})", kill=True)
                raise ExecutorDied("the query process died while working") from None
        if status == "ok":
            return payload
        raise payload

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
                target=_child_main, args=(child_conn, self._handler),
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


def _child_main(conn, handler) -> None:
    _become_child(conn.fileno())
    if os.getppid() == 1:  # the worker died before prctl took effect
        os._exit(0)
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
