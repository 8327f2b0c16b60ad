"""`ppkg log check` and `ppkg log truncate`: the operator's view of a data dir's change log.

A server serves the entries it can read in a row and stops at the first it cannot, saying so in
its log and on /health (ppkg.store.embedded.dataset); it never steps over a missing number, and
no new change is written while entries lie beyond one (ppkg.store.changelog). What to do then is
an operator's decision: `check` says what is there, `truncate --after N` moves every entry after
N (the damaged one and all that follow) into DATA_DIR/quarantine/<time>/, where they stay to be
read, restored or re-submitted; nothing is deleted.
"""

from __future__ import annotations

import os
import sys
import time

import click

from ppkg.config import Config
from ppkg.store.changelog import ChangeLog, LockTimeout, LogError, ensure_dir, fsync_dir, locked
from ppkg.store.entries import read_change


@click.group("log")
def log_command() -> None:
    """Check or repair the change log of the data dir (accepted submissions)."""


def _state(changes: ChangeLog) -> tuple[int, list[tuple[int, str]], list[int]]:
    """(the last entry served, entries that cannot be read with why, entries past a gap)."""
    served, damaged = 0, []
    for seq in changes.next_entries(0):
        try:
            read_change(changes.read(seq), changes.path(seq))
        except LogError as err:
            damaged.append((seq, str(err)))
            break
        served = seq
    return served, damaged, changes.stranded()


@log_command.command("check")
@click.pass_obj
def check(config: Config) -> None:
    """Say which entries a server serves, and which it cannot (exit 1 when there are any)."""
    changes = ChangeLog(config.data_dir)
    served, damaged, stranded = _state(changes)
    click.echo(f"{changes.dir}: entries 1–{served} are whole and served" if served
               else f"{changes.dir}: no entry is served")
    for seq, why in damaged:
        later = changes.last_seq() - seq
        click.echo(f"entry {seq} cannot be read ({why}); it and the {later} after it are not "
                   f"served: `ppkg log truncate --after {seq - 1}` moves them aside")
    if stranded:
        click.echo(f"entry {served + 1} is missing; {len(stranded)} entries after it "
                   f"({stranded[0]}…{stranded[-1]}) are not served: `ppkg log truncate --after "
                   f"{served}` moves them aside")
    sys.exit(1 if damaged or stranded else 0)


@log_command.command("truncate")
@click.option("--after", "after", type=click.IntRange(0), required=True,
              help="The last entry to keep.")
@click.pass_obj
def truncate(config: Config, after: int) -> None:
    """Move every entry after --after into the data dir's quarantine (nothing is deleted)."""
    changes = ChangeLog(config.data_dir)
    try:
        with locked(config.data_dir, timeout=20):
            names = sorted(n for n in os.listdir(changes.dir) if _number(n) > after) \
                if changes.dir.is_dir() else []
            if not names:
                click.echo(f"nothing after entry {after}")
                return
            aside = config.data_dir / "quarantine" / time.strftime("%Y%m%d-%H%M%S")
            ensure_dir(aside)
            for name in names:
                os.rename(changes.dir / name, aside / name)
            fsync_dir(aside)
            fsync_dir(changes.dir)
    except LockTimeout as err:
        click.echo(f"error: {err}", err=True)
        sys.exit(2)
    click.echo(f"moved {len(names)} entries to {aside}; restart the servers on this data dir")


def _number(name: str) -> int:
    stem = name.split(".", 1)[0]
    return int(stem) if stem.isdigit() else -1


COMMANDS = [log_command]
