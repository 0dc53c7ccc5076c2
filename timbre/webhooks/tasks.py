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


def _at(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)


# The tasks return None: Huey stores any other return value, one more write per job.
@huey.task()
def dispatch_event(event_id: str) -> None:
    """Fan one event out into deliveries; the first is attempted right here (most events have one webhook,
    and a job less is a queue round trip less), the others get their own jobs so one slow endpoint does not
    hold back the rest."""
    with session_scope(get_settings().db_url) as session:
        created = relay.dispatch(session, event_id, now_ms())
    for delivery_id in created[1:]:
        deliver(delivery_id)
    if created:
        attempt(created[0])


@huey.task()
def deliver(delivery_id: str) -> None:
    attempt(delivery_id)


def attempt(delivery_id: str) -> str:
    """One attempt; a failure schedules the next one (the sweep re-queues it too, should this job be lost)."""
    status, retry_at = delivery.attempt(delivery_id)
    if retry_at is not None:
        deliver.schedule(args=(delivery_id,), eta=_at(retry_at))
    elif status in ("succeeded", "failed") and (following := delivery.next_in_line(delivery_id)) is not None:
        deliver(following)  # the next event of the same object, which waited for this one
    return status


@huey.periodic_task(crontab(minute="*"))
def sweep() -> int:
    """Dispatch events whose relay job was lost; queue deliveries whose job was lost (or whose sender died)."""
    return sweep_at(now_ms())


def sweep_at(now: int) -> int:
    with session_scope(get_settings().db_url) as session:
        events = relay.undispatched(session, now)
    for event_id in events:
        dispatch_event(event_id)
    with session_scope(get_settings().db_url) as session:
        due = relay.overdue(session, now)
    for delivery_id, at in due:
        if at <= now:
            deliver(delivery_id)
        else:
            deliver.schedule(args=(delivery_id,), eta=_at(at))
    return len(events) + len(due)
