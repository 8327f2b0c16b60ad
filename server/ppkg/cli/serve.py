"""`ppkg serve`: the production server (gunicorn, sync workers) over the configured store.

The store is the embedded pyoxigraph store, or a remote SPARQL store with `--store sparql`
(ppkg.backend; docs/deployment.md).

The store is loaded once, in the gunicorn master, before any worker exists (preload_app): the
workers share it copy-on-write, and each worker forks its own query process from itself on first
use (ppkg.executor). A file that does not exist or does not parse stops the command with a
one-line message and exit status 2, before anything listens.
"""

from __future__ import annotations

import logging
import math
import sys

import click

from ppkg.config import Config
from ppkg.cli.options import store_options, with_flags
from ppkg.store.configured import open_store
from ppkg.errors import QueryError
from ppkg.errors import LoadError

LOG_FORMAT = "%(asctime)s [%(process)d] [%(levelname)s] %(name)s: %(message)s"


def gunicorn_options(config: Config) -> dict:
    host = f"[{config.host}]" if ":" in config.host and not config.host.startswith("[") else config.host
    return {
        "bind": [f"{host}:{config.port}"],
        "workers": config.workers,
        "worker_class": "sync",  # one request per worker at a time; its query process is its own
        "preload_app": True,  # load the store once, share it copy-on-write
        # gunicorn's own watchdog must outlast the query limit (which ppkg enforces itself).
        "timeout": int(math.ceil(config.query_timeout)) + 30,
        "graceful_timeout": 10,
        "limit_request_line": 0,  # long GET queries are normal in SPARQL (gunicorn caps at 1 MB)
        "accesslog": None,  # ppkg.access logs one line per request instead
        "errorlog": "-",
        "loglevel": "info",
        "proc_name": "ppkg",
        "control_socket_disable": True,  # no $HOME/.gunicorn/gunicorn.ctl shared by servers
    }


def run_gunicorn(app, options: dict) -> None:
    from gunicorn.app.base import BaseApplication

    class PpkgServer(BaseApplication):
        def __init__(self):
            self.application = app
            super().__init__()

        def load_config(self):
            for key, value in options.items():
                if key in self.cfg.settings:
                    self.cfg.set(key, value)

        def load(self):
            return self.application

    PpkgServer().run()


def setup_logging() -> None:
    logger = logging.getLogger("ppkg")
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter(LOG_FORMAT, "%Y-%m-%d %H:%M:%S %z"))
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--host", default=None, help="Address to listen on (env PPKG_HOST; default 127.0.0.1).")
@click.option("--port", type=click.IntRange(0, 65535), default=None,
              help="Port (env PPKG_PORT; default 8080).")
@click.option("--workers", type=click.IntRange(1, 256), default=None,
              help="Worker processes, each answering one request at a time (env PPKG_WORKERS; default 4).")
@click.option("--timeout", "query_timeout", type=click.FloatRange(0, min_open=True), default=None,
              help="Hard query time limit in seconds (env PPKG_QUERY_TIMEOUT; default 10).")
@click.option("--row-limit", type=click.IntRange(1), default=None,
              help="Most rows or triples per result (env PPKG_ROW_LIMIT; default 10000).")
@click.option("--max-body", type=click.IntRange(1), default=None,
              help="Largest request body in bytes (env PPKG_MAX_BODY; default 10 MiB).")
@click.option("--allow-service", "service_allowlist", multiple=True,
              help="An endpoint IRI that SERVICE may call (repeatable; env PPKG_SERVICE_ALLOWLIST, "
                   "space-separated; default none).")
@store_options
@click.pass_obj
def serve(config: Config, paths: tuple[str, ...], **flags) -> None:
    """Serve the SPARQL endpoint over the shipped graph, or over the RDF files/folders PATHS."""
    config = with_flags(config, flags, paths)

    setup_logging()
    log = logging.getLogger("ppkg.serve")
    try:
        dataset = open_store(config)
    except (LoadError, ValueError, OSError, QueryError) as err:
        click.echo(f"error: {err}", err=True)
        sys.exit(2)
    log.info("%s", dataset.describe())
    log.info("data dir %s: %d accepted changes replayed from its log", config.data_dir,
             dataset.applied)

    from ppkg.web import create_app

    try:
        app = create_app(config, dataset)
    except ValueError as err:  # e.g. a broken queries/*.rq (ppkg.catalog.CatalogError)
        click.echo(f"error: {err}", err=True)
        sys.exit(2)
    # Workers fork their own query processes; one forked here (a blueprint that queried while
    # the app was built) would only idle in the master, so it goes before the workers start.
    app.extensions["ppkg"].query.close()
    log.info("serving http://%s:%s/sparql with %d workers (query limit %g s, %d rows)",
             config.host, config.port, config.workers, config.query_timeout, config.row_limit)
    run_gunicorn(app, gunicorn_options(config))


COMMANDS = [serve]
