"""A CLI command that runs queries is bounded like a server request, and cut off from the network."""

from __future__ import annotations

import os
import sys

from ppkg.config import Config
from ppkg.runtime.guard import Guard, Overrun, install
from ppkg.runtime.sandbox import SandboxUnavailable, forbid_network

EXIT_OVERRUN = 3


def bound_command(config: Config, seconds: float | None = None) -> None:
    """From now on this process works under the query limits (`seconds`, default the configured
    query limit) and, on the embedded store, without network sockets."""
    guard = install(Guard(_stop, work="command"))
    guard.begin(seconds or config.query_timeout, config.request_memory)
    if config.store == "embedded" and not config.service_allowlist:
        try:
            forbid_network()
        except SandboxUnavailable:
            pass  # the query checks still refuse SERVICE; nothing else here opens sockets


def _stop(overrun: Overrun) -> None:
    sys.stderr.write(f"error: {overrun.message()}\n")
    sys.stderr.flush()
    os._exit(EXIT_OVERRUN)
