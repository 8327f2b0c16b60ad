"""Bounds on one unit of work — a request in a server worker, a command in the CLI — in wall-clock
time and in memory, enforced by a watchdog thread of the same process.

pyoxigraph cannot cancel a running query, and pyshacl, parsers and serializers have no time limit
of their own; so the unit of failure is the process. The watchdog wakes every POLL seconds (no
work, no system call, when nothing is being guarded) and, once a unit of work is past its deadline
or has grown the process's address space by more than its memory bound, calls the owner's
`on_overrun(Overrun)` — a server worker answers 503 on the untouched request socket, the CLI
prints a message — and then kills the process with SIGKILL, which frees the CPU at once. A
gunicorn master forks a fresh worker; the store is shared copy-on-write, so that costs a fork.

pyoxigraph releases the GIL while it evaluates and serializes, so the watchdog runs while a query
does. Python code holding the GIL is preempted every few milliseconds. A C call that held the GIL
for good would starve the watchdog: the server's last resort is then gunicorn's own worker
timeout (ppkg.runtime.server), a little later, with no answer sent.

Memory is measured as the growth of the process's virtual size (/proc/self/statm) since the work
began: an allocation counts when it is made, before its pages are touched, and pages the process
shares with its parent (the store) do not count.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable

log = logging.getLogger("ppkg.guard")

POLL = 0.01  # seconds between the watchdog's checks while it guards something
MIN_SECONDS = 0.1  # the shortest deadline a caller may ask for: each overrun costs a new process
IDLE = 1.0  # seconds without work after which the watchdog sleeps until the next begin()
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


@dataclass(frozen=True)
class Overrun:
    kind: str  # "time" or "memory"
    limit: float  # seconds, or bytes
    used: float  # seconds elapsed, or bytes grown
    context: Any  # what begin() was given (the request's socket, …)
    work: str = "request"  # what was stopped, for the message

    def message(self) -> str:
        if self.kind == "time":
            return (f"Stopped: the {self.work} ran past the time limit of {self.limit:g} s "
                    f"(after {self.used:.1f} s)")
        return (f"Stopped: the {self.work} used more than {self.limit / 2**20:.0f} MiB of "
                f"memory ({self.used / 2**20:.0f} MiB)")


_statm = (0, -1)  # (pid, descriptor of its /proc/self/statm): one open per process


def virtual_size() -> int:
    """This process's address space, in bytes. Read twice per request: a kept descriptor
    re-read at offset 0 (procfs regenerates it) costs a fraction of open() and close()."""
    global _statm
    pid, fd = _statm
    if pid != os.getpid():  # a forked child would read its parent's through an inherited one
        fd = os.open("/proc/self/statm", os.O_RDONLY | os.O_CLOEXEC)
        _statm = (os.getpid(), fd)
    return int(os.pread(fd, 64, 0).split(None, 1)[0]) * _PAGE


class Guard:
    """Watches one unit of work at a time (begin … end); see the module docstring."""

    def __init__(self, on_overrun: Callable[[Overrun], None], poll: float = POLL,
                 work: str = "request"):
        self._on_overrun = on_overrun
        self._work = work
        self._poll = poll
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._started = 0.0
        self._deadline = 0.0  # 0: nothing guarded
        self._limit = 0.0
        self._memory = 0
        self._base = 0
        self._context: Any = None
        self._thread: threading.Thread | None = None
        self._owner = 0
        self._waiting = False  # the watchdog sleeps until notified (no work for IDLE seconds)
        self._last = 0.0  # when work last ended

    # -- the owner's side (the thread doing the work) -------------------------------------

    def begin(self, seconds: float, memory: int, context: Any = None) -> None:
        """Guard the work from now on: at most `seconds` and `memory` bytes of growth."""
        self._ensure_thread()
        now = time.monotonic()
        with self._lock:
            self._started, self._limit = now, seconds
            self._deadline = now + seconds
            self._memory, self._base = memory, virtual_size()
            self._context = context
            if self._waiting:  # only after an idle spell: under load begin() makes no syscall
                self._wake.notify()

    def end(self) -> None:
        """The work is done. Once this returns the watchdog will not act on it: what the
        owner sends from now on is its own."""
        with self._lock:
            self._deadline = 0.0
            self._context = None
            self._last = time.monotonic()

    def narrow(self, seconds: float) -> None:
        """Bring the deadline closer (a caller's own, lower time limit); never moves it away."""
        seconds = max(seconds, MIN_SECONDS)
        with self._lock:
            if self._deadline:
                deadline = time.monotonic() + seconds
                if deadline < self._deadline:
                    self._deadline, self._limit = deadline, seconds

    def extend(self, seconds: float) -> None:
        """Allow the current work `seconds` in all (work that is slow by nature, such as
        writing a dump once per data version); never shortens it."""
        with self._lock:
            if self._deadline and self._started + seconds > self._deadline:
                self._deadline, self._limit = self._started + seconds, seconds

    def remaining(self) -> float | None:
        """Seconds left to the current work, or None when nothing is guarded."""
        with self._lock:
            return max(0.0, self._deadline - time.monotonic()) if self._deadline else None

    # -- the watchdog ---------------------------------------------------------------------

    def _ensure_thread(self) -> None:
        if self._thread is not None and self._owner == os.getpid():
            return
        # A fork (gunicorn's worker) has the object but not the thread: start one here.
        self._owner = os.getpid()
        self._thread = threading.Thread(target=self._watch, name="ppkg-guard", daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while True:
            with self._lock:
                while not self._deadline and time.monotonic() - self._last > IDLE:
                    self._waiting = True
                    self._wake.wait()
                    self._waiting = False
            time.sleep(self._poll)
            with self._lock:
                if not self._deadline:
                    continue
                now = time.monotonic()
                overrun = None
                if now >= self._deadline:
                    overrun = Overrun("time", self._limit, now - self._started, self._context,
                                      self._work)
                elif self._memory:
                    grown = virtual_size() - self._base
                    if grown > self._memory:
                        overrun = Overrun("memory", self._memory, grown, self._context,
                                          self._work)
                if overrun is not None:
                    self._fire(overrun)  # with the lock held: end() cannot slip in between

    def _fire(self, overrun: Overrun) -> None:
        try:
            log.error("%s; this process (%s) is stopped and replaced", overrun.message(),
                      os.getpid())
            self._on_overrun(overrun)
        finally:
            os.kill(os.getpid(), signal.SIGKILL)


_installed: Guard | None = None


def install(guard: Guard) -> Guard:
    """Make `guard` the one this process's work runs under (a server worker, a CLI command)."""
    global _installed
    _installed = guard
    return guard


def current() -> Guard | None:
    """The guard this process's work runs under, or None (library use: no bounds)."""
    return _installed
