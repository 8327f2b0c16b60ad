"""`ppkg export`: the whole store — every named graph — as one file, the same bytes as /dumps/."""

from __future__ import annotations

import dataclasses
import logging
import sys
from pathlib import Path

import click

from ppkg.linked_data import dumps as dump
from ppkg.config import Config
from ppkg.errors import LoadError
from ppkg.store.embedded.dataset import load_dataset

EXPORT_TIMEOUT = 600.0  # seconds: reading a whole store is not an interactive query


def _load(config: Config, paths: tuple[str, ...]):
    """What `ppkg serve` serves: the files, and the accepted submissions of the data dir."""
    return load_dataset(list(paths) or list(config.graph_paths) or None, data_dir=config.data_dir)


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(dump.EXPORT_FORMATS), default="trig",
              show_default=True,
              help="trig and nquads keep every named graph; turtle merges them into one graph; "
                   "jsonld keeps them as named graphs.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), default=None,
              help="File to write (default: standard output). A name ending in .gz is gzipped "
                   "as /dumps/ppkg.nq.gz is.")
@click.pass_obj
def export(config: Config, paths: tuple[str, ...], fmt: str, output: str | None) -> None:
    """Write the whole store (the shipped graph, or the RDF files/folders PATHS) as a dump."""
    try:
        dataset = _load(config, paths)
    except (LoadError, ValueError, OSError) as err:
        click.echo(f"error: {err}", err=True)
        sys.exit(2)
    from ppkg.errors import QueryError
    from ppkg.store.embedded.service import QueryService

    service = QueryService(dataset, dataclasses.replace(
        config, query_timeout=max(config.query_timeout, EXPORT_TIMEOUT)))
    try:
        quads = dump.read_quads(service)
    except QueryError as err:
        click.echo(f"error: {err.message}", err=True)
        sys.exit(1)
    finally:
        logging.getLogger("ppkg.executor").setLevel(logging.ERROR)  # "killing …: closing" is normal
        service.close()
    compress = bool(output and output.endswith(".gz"))
    if output is None:
        stream = click.get_binary_stream("stdout")
        dump.write(quads, fmt, stream, compress=compress)
        stream.flush()
        return
    target = Path(output)
    with dump.replacing(target) as out:
        dump.write(quads, fmt, out, compress=compress)
    click.echo(f"wrote {len(quads)} quads to {target}", err=True)


COMMANDS = [export]
