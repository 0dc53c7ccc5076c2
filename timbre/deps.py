"""Request-scoped dependencies: settings and the database session.

The session commits when the route function returns (before the response is sent, so a retry
can never observe a response whose effects were not committed) and rolls back on any error;
jobs queued during a rolled-back request are dropped (see `kit.jobs`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from timbre.config import Settings
from timbre.kit.db import get_sessionmaker, read_only


def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_session(request: Request) -> Iterator[Session]:
    settings: Settings = request.app.state.settings
    session = get_sessionmaker(settings.db_url)()
    if request.method in ("GET", "HEAD") and settings.is_sqlite:
        read_only(session)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
