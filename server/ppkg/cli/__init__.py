"""The `ppkg` command: one group, with subcommands defined beside the code they drive."""

from __future__ import annotations

import click

from ppkg import __version__
from ppkg.config import Config


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ppkg")
@click.option("--data-dir", type=click.Path(file_okay=False), default=None,
              help="Where ppkg keeps what it writes (env PPKG_DATA_DIR; default ~/.local/share/ppkg).")
@click.pass_context
def cli(ctx: click.Context, data_dir: str | None) -> None:
    """Political Prisoners Knowledge Graph."""
    try:
        ctx.obj = Config.from_env(data_dir=data_dir)
    except ValueError as err:
        raise click.UsageError(str(err)) from None


def main() -> None:
    cli()


# Each feature's commands live beside it; they are attached here, after `cli` exists.
from ppkg.cli import (archive, export, graph, load, log, query, review, serve,  # noqa: E402
                      snapshot)

for command in (graph.COMMANDS + query.COMMANDS + serve.COMMANDS + load.COMMANDS + export.COMMANDS
                + archive.COMMANDS + log.COMMANDS + review.COMMANDS + snapshot.COMMANDS):
    cli.add_command(command)
