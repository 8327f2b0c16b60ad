"""Commands on the graph files themselves: stats and validate."""

from __future__ import annotations

import sys

import click

from ppkg import stats as stats_module
from ppkg.store import LoadError, load_dataset


def _load_or_exit(paths):
    try:
        return load_dataset(paths or None)
    except (LoadError, ValueError, FileNotFoundError) as err:
        click.echo(f"error: {err}", err=True)
        sys.exit(2)


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
def stats(paths: tuple[str, ...]) -> None:
    """Count triples per named graph and instances per class (default: the shipped graph)."""
    dataset = _load_or_exit(paths)
    result = stats_module.compute(dataset.store)
    click.echo(f"{result.triples} triples in {len(result.graphs)} named graphs")
    click.echo("\nTriples per named graph:")
    for graph, count in result.graphs.items():
        click.echo(f"  {count:>8}  {graph}")
    click.echo("\nInstances per class (all graphs):")
    for cls, count in result.classes.items():
        click.echo(f"  {count:>8}  {cls}")


COMMANDS = [stats]
