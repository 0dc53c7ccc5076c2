"""Inserting many rows at once, in the caller's transaction, without SQLAlchemy's per-row work.

    insert_many(session, SomeModel.__table__, rows)   # rows: dicts keyed by column name

PostgreSQL gets `COPY … FROM STDIN` (psycopg); SQLite the driver's own `executemany` over one prepared
statement. SQLAlchemy's executemany builds and processes the parameters of every row (its cost dominates
a 10 000-row import); here each row becomes a tuple once. No Python-side column defaults run: give every
column the rows need. JSON columns are serialized here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import JSON, Table
from sqlalchemy.orm import Session

__all__ = ["insert_many"]


def insert_many(session: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    if not rows:
        return
    columns = [c for c in table.columns if c.name in rows[0]]
    encoded = {c.name for c in columns if isinstance(c.type, JSON)}
    names = [c.name for c in columns]
    values = [tuple(json.dumps(row[n]) if n in encoded and row[n] is not None else row[n] for n in names)
              for row in rows]
    connection = session.connection()
    raw: Any = connection.connection.driver_connection
    quoted = ", ".join(connection.dialect.identifier_preparer.quote(n) for n in names)
    target = connection.dialect.identifier_preparer.format_table(table)
    if connection.dialect.name == "postgresql":
        with raw.cursor() as cursor, cursor.copy(f"COPY {target} ({quoted}) FROM STDIN") as copy:
            for value in values:
                copy.write_row(value)
        return
    cursor = raw.cursor()
    try:
        cursor.executemany(f"INSERT INTO {target} ({quoted}) VALUES ({', '.join('?' * len(names))})", values)
    finally:
        cursor.close()
