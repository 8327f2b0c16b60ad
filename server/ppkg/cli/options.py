"""Options more than one command takes: the store (`--store` and the remote store's settings)."""

from __future__ import annotations

import dataclasses

import click

from ppkg.config import Config
from ppkg.store.configured import STORES


def store_options(command):
    """--store and the remote store's flags (env PPKG_STORE, PPKG_SPARQL_*), shared by commands."""
    options = [
        click.option("--store", type=click.Choice(STORES), default=None,
                     help="embedded (pyoxigraph, default) or sparql (a remote SPARQL 1.1 store; "
                          "env PPKG_STORE)."),
        click.option("--sparql-query-url", default=None,
                     help="The remote store's query endpoint (env PPKG_SPARQL_QUERY_URL)."),
        click.option("--sparql-update-url", default=None,
                     help="The remote store's update endpoint (env PPKG_SPARQL_UPDATE_URL)."),
        click.option("--sparql-gsp-url", default=None,
                     help="The remote store's Graph Store Protocol endpoint, optional "
                          "(env PPKG_SPARQL_GSP_URL)."),
        click.option("--sparql-user", default=None,
                     help="User for the remote store (env PPKG_SPARQL_USER)."),
        click.option("--sparql-password", default=None,
                     help="Password for the remote store (prefer env PPKG_SPARQL_PASSWORD)."),
        click.option("--sparql-auth", type=click.Choice(["basic", "digest"]), default=None,
                     help="HTTP authentication scheme (env PPKG_SPARQL_AUTH; default basic)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def with_flags(config: Config, flags: dict, paths: tuple[str, ...] = ()) -> Config:
    """The configuration with the flags that were given (None: not given) and the PATHS."""
    overrides = {k: (tuple(v) if isinstance(v, (list, tuple)) else v)
                 for k, v in flags.items() if v is not None and v != ()}
    if paths:
        overrides["graph_paths"] = tuple(paths)
    return dataclasses.replace(config, **overrides)
