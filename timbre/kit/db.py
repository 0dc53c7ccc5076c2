"""Engines and sessions.

SQLite runs in WAL mode with foreign keys on and a busy timeout. Write transactions start with
`BEGIN IMMEDIATE`: a deferred transaction that later upgrades to a write lock fails at once under
concurrency instead of waiting, so every request that may write takes the lock up front — queued by
`kit.writers` rather than SQLite's sleeping busy handler.

JSON columns are decoded by pydantic-core's parser: the same values as `json.loads`, a few times faster (a
page of 100 invoices decodes 700 of them).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from pydantic_core import from_json
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from timbre.kit import lockprobe
from timbre.kit.private import private_sqlite
from timbre.kit.writers import WriterQueue

_BUSY_TIMEOUT_S = 30


class Base(DeclarativeBase):
    pass


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let us issue BEGIN ourselves (pysqlite's implicit transactions can't be IMMEDIATE).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_S * 1000}")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    database = engine.url.database
    queue = WriterQueue(database, _BUSY_TIMEOUT_S) if database and database != ":memory:" else None
    _WRITER_QUEUES[engine] = queue

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("begin_mode", "IMMEDIATE")
        if mode == "IMMEDIATE" and queue is not None:
            queue.take(conn.connection.dbapi_connection)  # given back when the connection returns to the pool
        conn.exec_driver_sql(f"BEGIN {mode}")

    if queue is not None:
        for name in ("checkin", "invalidate", "close"):
            event.listen(engine.pool, name, lambda dbapi, *_: queue.give_back(dbapi))


_WRITER_QUEUES: dict[Engine, WriterQueue | None] = {}


def writer_queue(engine: Engine) -> WriterQueue | None:
    """The queue of a SQLite engine's write transactions (None for PostgreSQL or an in-memory database)."""
    return _WRITER_QUEUES.get(engine)


def _json_loads(document: str | bytes) -> Any:
    """A JSON column's value by pydantic-core's parser; the rare document it refuses and `json.loads` reads (a lone
    UTF-16 surrogate escape) by `json.loads`."""
    try:
        return from_json(document)
    except ValueError:
        return json.loads(document)


@lru_cache(maxsize=8)
def get_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        private_sqlite(url)
        # No overflow limit: a read-only session begins on the event loop (`deps`), which must never wait for
        # a connection that only the requests it serves could give back. SQLite connections are cheap.
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": _BUSY_TIMEOUT_S},
                               pool_size=10, max_overflow=-1, json_deserializer=_json_loads)
        _configure_sqlite(engine)
    else:
        engine = create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True, json_deserializer=_json_loads)
    if (probe_dir := lockprobe.directory()) is not None:  # bench/scale.py's lock hold times; off by default
        lockprobe.install(engine, probe_dir)
    return engine


@lru_cache(maxsize=8)
def get_sessionmaker(url: str) -> sessionmaker[Session]:
    return sessionmaker(bind=get_engine(url), expire_on_commit=False, autoflush=True)


def read_only(session: Session) -> None:
    """Mark a not-yet-begun session as read-only: on SQLite its transaction is DEFERRED (no write lock)."""
    session.connection(execution_options={"begin_mode": "DEFERRED"})
    session.info["read_only"] = session.get_transaction()


def is_read_only(session: Session) -> bool:
    """Whether the session's current transaction was begun by `read_only`."""
    current = session.get_transaction()
    return current is not None and session.info.get("read_only") is current


@contextmanager
def session_scope(url: str) -> Iterator[Session]:
    """A unit of work outside a request (jobs, CLI): commit on success, roll back on error."""
    session = get_sessionmaker(url)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
