"""Back up and restore an embedded deployment (database, queue, files, secret)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from timbre.config import Settings, get_settings

if TYPE_CHECKING:
    from timbre.backup import Summary


def _report(run: Callable[[Settings, Path], Summary], directory: str) -> None:
    """Run `backup` or `restore` on DIRECTORY: its summary as JSON, or the error and exit status 2."""
    from timbre.backup import BackupError

    try:
        summary = run(get_settings(), Path(directory))
    except BackupError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    click.echo(json.dumps(summary.to_dict()))


@click.command("backup")
@click.argument("directory", type=click.Path(file_okay=False))
def backup_command(directory: str) -> None:
    """Copy the embedded database, job queue, stored files and secret into DIRECTORY (new or empty), while the
    server runs: SQLite's online backup API takes a consistent snapshot."""
    from timbre.backup import backup

    _report(backup, directory)


@click.command("restore")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
def restore_command(directory: str) -> None:
    """Restore a `timbre backup` DIRECTORY into the data directory (which must have no database yet); every
    file is checked against the backup's manifest first. Start `timbre serve` afterwards."""
    from timbre.backup import restore

    _report(restore, directory)
