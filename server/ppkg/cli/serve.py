"""`ppkg serve`: the production server over the configured store (ppkg.runtime.server).

The store is the embedded pyoxigraph store, or a remote SPARQL store with `--store sparql`
(ppkg.store; docs/deployment.md). It is loaded before anything listens: a file that does not
exist or does not parse stops the command with a one-line message and exit status 2.
"""

from __future__ import annotations

import logging
import sys

import click

from ppkg.cli.options import store_options, with_flags
from ppkg.config import Config
from ppkg.durable import open_record
from ppkg.errors import LoadError, QueryError, RecordUnavailable
from ppkg.runtime import server
from ppkg.store.configured import open_store
from ppkg.web import create_app

LOG_FORMAT = "%(asctime)s [%(process)d] [%(levelname)s] %(name)s: %(message)s"


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
              help="Worker processes, each answering one request at a time (env PPKG_WORKERS; "
                   "default: one per core).")
@click.option("--timeout", "query_timeout", type=click.FloatRange(0, min_open=True), default=None,
              help="Hard query time limit in seconds (env PPKG_QUERY_TIMEOUT; default 10).")
@click.option("--row-limit", type=click.IntRange(1), default=None,
              help="Most rows or triples per result (env PPKG_ROW_LIMIT; default 10000).")
@click.option("--max-body", type=click.IntRange(1), default=None,
              help="Largest request body in bytes (env PPKG_MAX_BODY; default 10 MiB).")
@click.option("--request-memory", type=click.IntRange(1), default=None,
              help="Most memory one request may take, in bytes (env PPKG_REQUEST_MEMORY; "
                   "default 2 GiB).")
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
    replica = None
    try:
        if config.database_url:
            from ppkg.replica import start  # psycopg only when a database is configured

            replica = start.open_replica(config)
            dataset, record = replica.dataset, replica.record
        else:
            dataset, record = open_store(config), open_record(config)
    except (LoadError, ValueError, OSError, QueryError, RecordUnavailable) as err:
        click.echo(f"error: {err}", err=True)
        sys.exit(2)
    log.info("%s", dataset.describe())
    if replica is not None:
        log.info("replica of %s: started from %s, %d changes replayed, at version %d, in %.1f s",
                 record.describe(), f"snapshot {replica.snapshot}" if replica.snapshot
                 else "the files", replica.replayed, dataset.applied, replica.seconds)
    else:
        log.info("data dir %s: %d accepted changes replayed from its log", config.data_dir,
                 dataset.applied)

    try:
        app = create_app(config, dataset, record)
    except ValueError as err:  # e.g. a broken queries/*.rq (ppkg.catalog.CatalogError)
        click.echo(f"error: {err}", err=True)
        sys.exit(2)
    if replica is not None:
        try:
            app.extensions["ppkg.replica"] = start.follow(config, replica,
                                                          server.sandboxed(config))
        except RecordUnavailable as err:
            click.echo(f"error: {err}", err=True)
            sys.exit(2)
    # A query process forked while the app was built would only idle in the master.
    app.extensions["ppkg"].query.close()
    log.info("serving http://%s:%s/sparql with %d workers (request limit %g s, %d MiB; %d rows)%s",
             config.host, config.port, config.workers or server.default_workers(config),
             server.request_seconds(config), config.request_memory // 2**20, config.row_limit,
             "; workers without network" if server.sandboxed(config) else "")
    server.run(app, config)


COMMANDS = [serve]
