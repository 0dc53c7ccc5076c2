"""The `timbre` command: serve, worker, migrate, bootstrap, keys, test-csd (a contract: see DESIGN.md).

The commands live by kind (`server`, `backups`, `accounts`, `lists`) and each imports what it runs when it runs,
inside the command: `serve` and `worker` must set Prometheus' multiprocess mode before anything imports
prometheus-client (`common.observe`), and `timbre --help` or `timbre migrate` should not load the application.
"""

from __future__ import annotations

import click

from timbre.cli import accounts, backups, lists, server
from timbre.cli.common import public_url

__all__ = ["main", "public_url"]


@click.group()
def main() -> None:
    """Timbre: self-hostable CFDI 4.0 invoicing API (gigstack API v2 wire format)."""


for _command in (server.serve, server.worker, server.migrate, backups.backup_command, backups.restore_command,
                 accounts.bootstrap, accounts.keys, accounts.test_csd, lists.efos, lists.rates, lists.sat_lists_group):
    main.add_command(_command)
