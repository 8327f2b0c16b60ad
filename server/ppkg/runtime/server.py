"""The server process model: a gunicorn master and its workers, each bounded and sandboxed.

The master loads the store and builds the app once (preload); workers are forked from it and
share the store copy-on-write. Each worker runs ppkg's buffering front (ppkg.runtime.worker):
requests are read without blocking on any one client and answered one at a time, each under the
request guard (time and memory, ppkg.runtime.guard). A worker whose request overruns answers 503
and dies; the master forks a fresh one, catching its own copy of the store up with the change log
first (`pre_fork`), so a new worker replays nothing that was accepted long ago. On the embedded
store, a worker cannot open a network socket (ppkg.runtime.sandbox).
"""

from __future__ import annotations

import logging
import math
import os

from gunicorn.app.base import BaseApplication

from ppkg.config import Config
from ppkg.runtime.sandbox import SandboxUnavailable, forbid_network

log = logging.getLogger("ppkg.serve")

WORKER_CLASS = "ppkg.runtime.worker.FrontWorker"
BACKSTOP = 10  # gunicorn's own timeout, beyond the guard: for a process the guard cannot stop


REMOTE_WORKERS_PER_CORE = 4


def default_workers(config: Config) -> int:
    """One worker per core: a worker answers one request at a time with the GIL mostly free.
    Over a remote store a worker mostly waits for it: four per core (joins through Virtuoso on
    2 cores: 0.41× of Virtuoso's own endpoint with 2 workers, 0.72× with 8)."""
    cores = max(1, os.cpu_count() or 1)
    return cores * REMOTE_WORKERS_PER_CORE if config.store == "sparql" else cores


def options(config: Config) -> dict:
    host = f"[{config.host}]" if ":" in config.host and not config.host.startswith("[") \
        else config.host
    return {
        "bind": [f"{host}:{config.port}"],
        "workers": config.workers or default_workers(config),
        "worker_class": WORKER_CLASS,
        "preload_app": True,  # load the store once, share it copy-on-write
        "timeout": int(math.ceil(request_seconds(config))) + BACKSTOP,
        "graceful_timeout": 10,
        "keepalive": 5,
        "accesslog": None,  # ppkg.access logs one line per request instead
        "errorlog": "-",
        "loglevel": "info",
        "proc_name": "ppkg",
        "control_socket_disable": True,  # no $HOME/.gunicorn/gunicorn.ctl shared by servers
    }


REMOTE_GRACE = 2.0  # a remote store's own time limit (and its client's) must come first


def request_seconds(config: Config) -> float:
    """A request's time limit: the query limit, which bounds the whole request (a little more
    over a remote store, so that its own timeout answers first, without replacing the worker)."""
    return float(config.query_timeout) + (REMOTE_GRACE if config.store == "sparql" else 0.0)


def sandboxed(config: Config) -> bool:
    """Whether workers lose the network: the embedded store, and no SERVICE allowlist."""
    return config.store == "embedded" and not config.service_allowlist


class PpkgServer(BaseApplication):
    def __init__(self, app, config: Config):
        self.application = app
        self.ppkg_config = config
        # Read by the worker (ppkg.runtime.worker.FrontWorker.init_process).
        self.front_settings = {"max_body": config.max_body,
                               "request_seconds": request_seconds(config),
                               "request_memory": config.request_memory}
        super().__init__()

    def load_config(self):
        for key, value in options(self.ppkg_config).items():
            if key in self.cfg.settings:
                self.cfg.set(key, value)
        self.cfg.set("pre_fork", self._pre_fork)
        self.cfg.set("post_fork", self._post_fork)

    def load(self):
        return self.application

    def _pre_fork(self, server, worker) -> None:
        self.application.extensions["ppkg"].dataset.catch_up()

    def _post_fork(self, server, worker) -> None:
        if sandboxed(self.ppkg_config):
            try:
                forbid_network()
            except SandboxUnavailable as err:
                log.warning("%s: queries are checked, but this worker could reach the network",
                            err)


def run(app, config: Config) -> None:
    PpkgServer(app, config).run()
