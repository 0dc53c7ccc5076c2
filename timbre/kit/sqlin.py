"""`column IN (values)` for a page's worth of ids, cheap to execute many times.

SQLAlchemy renders an expanding `IN` anew for every execution (one placeholder per value, a new SQL
string each time). On PostgreSQL one array parameter (`column = ANY(%s)`) keeps the SQL constant, so
the compiled statement, psycopg's query conversion and the server's prepared plan are all reused.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, any_, bindparam
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session


def dialect_of(session: Session) -> str:
    return session.get_bind().dialect.name


def one_of(column: Any, name: str, dialect: str) -> ColumnElement[bool]:
    """`column` is one of the values of the bind parameter `name` (a list given at execution), for `dialect`."""
    if dialect == "postgresql":
        return column == any_(bindparam(name, type_=ARRAY(column.type)))  # type: ignore[no-any-return]
    return column.in_(bindparam(name, expanding=True))  # type: ignore[no-any-return]
