"""`ppkg snapshot`: the store at the record's last version, kept in the database, so that replicas
start from it instead of replaying the whole history (ppkg.durable.postgres.snapshots); `--keep`
prunes older snapshots, `--compact` then removes the changes below the oldest one kept."""

from __future__ import annotations

import sys

import click

from ppkg.config import Config
from ppkg.errors import LoadError, RecordUnavailable


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--keep", type=click.IntRange(1), default=2, show_default=True,
              help="How many snapshots to keep (the newest).")
@click.option("--compact", is_flag=True,
              help="Then remove the changes below the oldest snapshot kept.")
@click.option("--list", "show", is_flag=True, help="Only list the snapshots.")
@click.pass_obj
def snapshot(config: Config, paths: tuple[str, ...], keep: int, compact: bool,
             show: bool) -> None:
    """Snapshot the store of the shared record (PPKG_DATABASE_URL), served from the shipped graph
    or from PATHS, as `ppkg serve PATHS` serves it."""
    if not config.database_url:
        click.echo("error: snapshots belong to a shared record: set PPKG_DATABASE_URL", err=True)
        sys.exit(2)
    from ppkg.durable.postgres import snapshots
    from ppkg.durable.postgres.record import PgRecord
    from ppkg.replica.start import load_replica

    record = PgRecord(config.database_url)
    try:
        record.prepare()
        if not show:
            dataset = load_replica(config, paths or None, record=record).dataset
            saved = snapshots.save(record, dataset.store, dataset.applied, dataset.base_version)
            click.echo(f"snapshot at version {dataset.applied}: " + (
                f"{saved.quads} quads, {saved.bytes} bytes" if saved else "there is one already"))
            for version in snapshots.prune(record, keep):
                click.echo(f"removed the snapshot at version {version}")
            if compact:
                click.echo(f"removed {snapshots.compact(record)} changes below the oldest "
                           "snapshot kept")
        for found in snapshots.listed(record):
            click.echo(f"{found.version}\t{found.quads} quads\t{found.bytes} bytes\t"
                       f"{found.created}\tfiles {found.files[:12]}")
    except (LoadError, RecordUnavailable) as err:
        click.echo(f"error: {err}", err=True)
        sys.exit(2)


COMMANDS = [snapshot]
