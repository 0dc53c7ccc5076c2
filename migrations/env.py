"""Alembic environment: the connection `timbre.migrate.upgrade` gives (under its migration lock), else the URL from
Timbre's settings (or `-x url=...`), under the same lock: `alembic upgrade` by hand waits for a migrating Timbre
process, and Timbre processes wait for it."""

from alembic import context
from sqlalchemy import Connection

import timbre.models  # noqa: F401 — registers every table
from timbre.config import get_settings
from timbre.kit.db import Base, get_engine
from timbre.migrate import migration_lock

config = context.config
url = context.get_x_argument(as_dictionary=True).get("url") or config.attributes.get("url") \
    or get_settings().db_url


def run_offline() -> None:
    context.configure(url=url, target_metadata=Base.metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def _run_on(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    given = config.attributes.get("connection")  # `timbre.migrate.upgrade`'s, which holds the migration lock
    if given is not None:
        _run_on(given)
        return
    with get_engine(url).connect() as connection, migration_lock(connection):
        _run_on(connection)


if context.is_offline_mode():
    run_offline()
else:
    run_online()
