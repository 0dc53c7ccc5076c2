"""Event retention: events (and their deliveries and attempts) older than 30 days are deleted hourly."""

from __future__ import annotations

from huey import crontab

from timbre.config import get_settings
from timbre.events.repository import EventRepository
from timbre.events.service import RETENTION_MS
from timbre.kit.clock import now_ms
from timbre.kit.db import session_scope
from timbre.worker.queue import huey


@huey.periodic_task(crontab(minute="41"))
def purge_old_events() -> int:
    with session_scope(get_settings().db_url) as session:
        return EventRepository.from_session(session).purge_older_than(now_ms() - RETENTION_MS)
