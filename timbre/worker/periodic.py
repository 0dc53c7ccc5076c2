"""Periodic housekeeping: overdue team deletions (in case a scheduled job was lost) and old idempotency keys."""

from __future__ import annotations

from huey import crontab

from timbre.config import get_settings
from timbre.kit.clock import now_ms
from timbre.kit.db import session_scope
from timbre.kit.idempotency import purge_older_than
from timbre.teams import deletion
from timbre.worker.queue import huey

IDEMPOTENCY_TTL_MS = 48 * 3600 * 1000


@huey.periodic_task(crontab(minute="17"))
def sweep() -> None:
    with session_scope(get_settings().db_url) as session:
        deletion.hard_delete_due(session)
        purge_older_than(session, now_ms() - IDEMPOTENCY_TTL_MS)
