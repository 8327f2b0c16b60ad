"""`ppkg export`: the whole store — every named graph — as one file, the same bytes as /dumps/."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ppkg.linked_data import dumps as dump
from ppkg.config import Config
from ppkg.errors import LoadError
from ppkg.cli.options import store_options, with_flags
from ppkg.errors import QueryError
from ppkg.runtime.command import bound_command
from ppkg.store.configured import open_store

EXPORT_TIMEOUT = 600.0  # seconds: reading a whole store is not an interactive query


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(dump.EXPORT_FORMATS), default="trig",
              show_default=True,
              help="The dataset formats (trig, nquads, jsonld) keep every named graph; the others "
                   "merge them into one graph.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), default=None,
              help="File to write (default: standard output). A name ending in .gz is gzipped "
                   "as /dumps/ppkg.nq.gz is.")
@store_options
@click.pass_obj
def export(config: Config, paths: tuple[str, ...], fmt: str, output: str | None, **flags) -> None:
    """Write the whole store (the shipped graph, or the RDF files/folders PATHS) as a dump."""
    config = with_flags(config, flags, paths)
    try:
        dataset = open_store(config)
    except (LoadError, ValueError, OSError, QueryError) as err:
        click.echo(f"error: {err}", err=True)
        sys.exit(2)
    service = dataset.query_service(config)
    bound_command(config, max(config.query_timeout, EXPORT_TIMEOUT))
    try:
        quads = dump.read_quads(service)
    except QueryError as err:
        click.echo(f"error: {err.message}", err=True)
        sys.exit(1)
    finally:
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
