"""Commands on the graph files themselves: stats and validate."""

from __future__ import annotations

import sys

import click

from ppkg.archive import shacl
from ppkg.cli.archive import validate_remote
from ppkg.cli.options import store_options, with_flags
from ppkg.config import Config
from ppkg.errors import LoadError, QueryError
from ppkg.files import shipped
from ppkg.runtime.command import bound_command
from ppkg.store import stats as stats_module
from ppkg.store.configured import open_store


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@store_options
@click.pass_obj
def stats(config: Config, paths: tuple[str, ...], **flags) -> None:
    """Count triples per named graph and instances per class (default: the shipped graph)."""
    config = with_flags(config, flags, paths)
    try:
        service = open_store(config).query_service(config)
        bound_command(config)
        result = stats_module.compute(service)
    except (LoadError, ValueError, OSError, QueryError) as err:
        click.echo(f"error: {err}", err=True)
        sys.exit(2)
    click.echo(f"{result.triples} triples in {len(result.graphs)} named graphs")
    click.echo("\nTriples per named graph:")
    for graph, count in result.graphs.items():
        click.echo(f"  {count:>8}  {graph}")
    click.echo("\nInstances per class (all graphs):")
    for cls, count in result.classes.items():
        click.echo(f"  {count:>8}  {cls}")


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "output_format", type=click.Choice(["text", "json", "turtle"]),
              default="text", show_default=True,
              help="text: grouped by resource; json: counts and results; turtle: the SHACL report graph.")
@click.option("--focus", "focus_nodes", multiple=True, metavar="IRI",
              help="Validate only this resource (repeatable); the other data is still read.")
@click.option("--endpoint", metavar="URL", default=None,
              help="Ask a ppkg server (POST URL/validate) to validate one FILE with the "
                   "published data it references; nothing is stored.")
def validate(paths: tuple[str, ...], output_format: str, focus_nodes: tuple[str, ...],
             endpoint: str | None) -> None:
    """Check RDF files against the ppkg SHACL shapes (default: the shipped graph).

    The files are read as one graph (the union of their named graphs) together with the
    ontology. Exit status: 0 when the data conforms (warnings allowed), 1 on violations,
    2 when a file is missing or cannot be read.
    """
    if endpoint is not None:
        if len(paths) != 1 or focus_nodes:
            raise click.UsageError("--endpoint validates exactly one FILE (and takes no --focus)")
        sys.exit(validate_remote(paths[0], endpoint, output_format))
    try:
        report = shacl.validate_files(
            list(paths) or [shipped("graph")], focus_nodes=list(focus_nodes) or None)
    except (LoadError, ValueError, FileNotFoundError, OSError) as err:
        click.echo(f"error: {err}", err=True)
        sys.exit(2)
    if output_format == "json":
        click.echo(report.to_json_text(), nl=False)
    elif output_format == "turtle":
        click.echo(report.to_turtle(), nl=False)
    else:
        click.echo(report.to_text(), nl=False)
    sys.exit(0 if report.conforms else 1)


COMMANDS = [stats, validate]
