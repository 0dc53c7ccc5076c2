"""Apply Alembic migrations programmatically (`timbre migrate`, `timbre serve` and the other commands that need the
schema, tests), one process at a time.

Several processes may start at once on a new version (N API processes, a worker's host, a rolling restart that
skipped `timbre migrate`); unguarded, each would run Alembic and all but one fail halfway (`relation already
exists`). So every upgrade first takes the migration lock, then reads the schema's revision again and does nothing
if another process brought it to head meanwhile:

- PostgreSQL: `pg_advisory_lock(MIGRATION_LOCK_KEY)`, a session lock on the very connection Alembic then runs on;
  PostgreSQL drops it if the process dies.
- SQLite: an exclusive `flock` on `<database>.migrate.lock`, the kernel's lock, dropped if the process dies. Not
  SQLite's own write lock (`BEGIN IMMEDIATE`, queued by `kit.writers`): a process waiting for that one gives up
  after the busy timeout (30 s, `database is locked`), and a migration that copies a large table takes longer;
  the flock waits as long as the migration lasts. (The migrating connection keeps `kit.writers`' queue from its
  first migration to its last, as Alembic's run always did: other writers wait meanwhile.)

The waiting processes wait as long as the migration lasts (a warning says so once). `alembic upgrade` run by hand
takes the same lock (`migrations/env.py`).
"""

from __future__ import annotations

import fcntl
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text

from timbre.kit.db import get_engine

ROOT = Path(__file__).resolve().parent.parent
# pg_advisory_lock's key (a signed 64-bit integer): the bytes "TIMBREMG". Fixed: every version must use the same.
MIGRATION_LOCK_KEY = 0x54494D4252454D47
WAITING = "another process is migrating the database; waiting for it to finish"

log = logging.getLogger(__name__)


def alembic_config(url: str) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.attributes["url"] = url
    return config


def upgrade(url: str) -> bool:
    """Bring the schema to head under the migration lock; whether this process applied anything."""
    config = alembic_config(url)
    heads = set(ScriptDirectory.from_config(config).get_heads())
    with get_engine(url).connect() as connection, migration_lock(connection):
        current = set(MigrationContext.configure(connection).get_current_heads())
        connection.commit()
        if current == heads:
            return False
        config.attributes["connection"] = connection  # migrations/env.py runs on it, inside the lock
        command.upgrade(config, "head")
        return True


@contextmanager
def migration_lock(connection: Connection) -> Iterator[None]:
    """Hold the database's migration lock (nothing for an in-memory SQLite database: one process only)."""
    database = connection.engine.url.database
    if connection.dialect.name == "postgresql":
        with _advisory_lock(connection):
            yield
    elif connection.dialect.name == "sqlite" and database and database != ":memory:":
        with _file_lock(Path(f"{database}.migrate.lock")):
            yield
    else:
        yield


@contextmanager
def _advisory_lock(connection: Connection) -> Iterator[None]:
    key = {"key": MIGRATION_LOCK_KEY}
    if not connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), key):
        log.warning(WAITING)
        connection.execute(text("SELECT pg_advisory_lock(:key)"), key)
    connection.commit()  # a session lock: it outlives the transaction that took it
    try:
        yield
    finally:
        if not connection.invalidated:  # else the server closed the session, and the lock with it
            connection.rollback()
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), key)
            connection.commit()


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.warning(WAITING)
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the only descriptor of the file releases its lock
