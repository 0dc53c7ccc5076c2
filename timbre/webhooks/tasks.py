"""Webhook jobs: the relay (`dispatch_event`, after each commit that recorded an event), one delivery attempt
(`deliver`), and the sweep that makes both survive a crash (every minute, and once when a consumer starts)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from huey import crontab

from timbre.config import get_settings
from timbre.kit.clock import now_ms
from timbre.kit.db import session_scope
from timbre.webhooks import delivery, relay
from timbre.worker.queue import huey

log = logging.getLogger("timbre.webhooks")
SWEEP_HORIZON_MS = 65_000  # a little beyond the next sweep


def _at(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)


@huey.task()
def dispatch_event(event_id: str) -> list[str]:
    """Fan one event out into deliveries and queue them."""
    with session_scope(get_settings().db_url) as session:
        created = relay.dispatch(session, event_id, now_ms())
    for delivery_id in created:
        deliver(delivery_id)
    return created


@huey.task()
def deliver(delivery_id: str) -> str:
    """One attempt; a failure schedules the next one (the sweep re-queues it too, should this job be lost)."""
    status, retry_at = delivery.attempt(delivery_id)
    if retry_at is not None:
        deliver.schedule(args=(delivery_id,), eta=_at(retry_at))
    return status


@huey.periodic_task(crontab(minute="*"))
def sweep() -> int:
    """Dispatch events whose relay job was lost; queue deliveries due before the next sweep."""
    return sweep_at(now_ms())


def sweep_at(now: int) -> int:
    with session_scope(get_settings().db_url) as session:
        events = relay.undispatched(session, now)
    for event_id in events:
        dispatch_event(event_id)
    with session_scope(get_settings().db_url) as session:
        due = relay.due(session, now + SWEEP_HORIZON_MS)
    for delivery_id, at in due:
        if at <= now:
            deliver(delivery_id)
        else:
            deliver.schedule(args=(delivery_id,), eta=_at(at))
    return len(events) + len(due)
