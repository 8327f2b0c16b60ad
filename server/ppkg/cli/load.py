"""`ppkg load [PATH...]`: push the shipped graph (or the given files) into the configured store.

For the remote store (`--store sparql`, ppkg.store.remote.writer.load_files): every named graph of the files
replaces the graph of the same name, all-or-nothing and in batches (Graph Store Protocol PUT when
a GSP endpoint is configured, else INSERT DATA of BATCH triples), so running it twice leaves the
same quads. The embedded store loads its files at each start: there is nothing to push.
"""

from __future__ import annotations

import sys

import click

from ppkg.cli.options import store_options, with_flags
from ppkg.config import Config
from ppkg.errors import LoadError, QueryError
from ppkg.store.remote.client import client_from_config
from ppkg.store.remote.writer import load_files


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@store_options
@click.pass_obj
def load(config: Config, paths: tuple[str, ...], **flags) -> None:
    """Load the shipped graph, or the RDF files/folders PATHS, into the configured store."""
    config = with_flags(config, flags)
    if config.store != "sparql":
        click.echo("error: the embedded store loads its files when `ppkg serve` starts; "
                   "`ppkg load` fills a remote store (--store sparql)", err=True)
        sys.exit(2)
    if not config.sparql_query_url or not config.sparql_update_url:
        click.echo("error: --sparql-query-url and --sparql-update-url are needed "
                   "(env PPKG_SPARQL_QUERY_URL, PPKG_SPARQL_UPDATE_URL)", err=True)
        sys.exit(2)
    try:
        sizes = load_files(client_from_config(config), list(paths) or None,
                           echo=lambda line: click.echo(line, err=True))
    except (LoadError, ValueError, OSError, QueryError) as err:
        click.echo(f"error: {err}", err=True)
        sys.exit(2)
    click.echo(f"loaded {sum(sizes.values())} triples in {len(sizes)} graphs")


COMMANDS = [load]
