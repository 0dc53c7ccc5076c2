"""Request-scoped dependencies: settings and the database session.

The session commits when the route function returns (before the response is sent, so a retry
can never observe a response whose effects were not committed) and rolls back on any error;
jobs queued during a rolled-back request are dropped (see `kit.jobs`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from timbre.config import Settings
from timbre.kit.db import get_sessionmaker, read_only


# Dependencies that do no I/O are `async def`: FastAPI runs a plain `def` dependency in the thread pool,
# and each such hand-off costs more than the dependency itself.
async def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_session(request: Request) -> AsyncIterator[Session]:
    """An `async` generator, so that opening and closing the session cost no thread-pool hand-off: the
    database is touched here only to commit or roll back an open transaction, and that runs in the pool."""
    settings: Settings = request.app.state.settings
    session = get_sessionmaker(settings.db_url)()
    if request.method in ("GET", "HEAD") and settings.is_sqlite:
        read_only(session)  # BEGIN DEFERRED on SQLite takes no lock and cannot wait
    try:
        yield session
        if _has_work(session):
            await run_in_threadpool(session.commit)
    except BaseException:
        if _has_work(session):
            await run_in_threadpool(session.rollback)
        raise
    finally:
        if _has_work(session):
            await run_in_threadpool(session.close)
        else:
            session.close()


def _has_work(session: Session) -> bool:
    return session.in_transaction() or bool(session.new or session.dirty or session.deleted)


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


async def _deferred_session(session: SessionDep, settings: SettingsDep) -> Session:
    """The request session begun read-only on SQLite (`BEGIN DEFERRED` takes no lock and cannot wait, so it
    may run on the event loop): authentication must not take the write lock, which use cases that call a
    PAC take themselves, in short transactions. Declare it before the auth dependency."""
    if settings.is_sqlite:
        read_only(session)
    return session


DeferredSession = Annotated[Session, Depends(_deferred_session)]
