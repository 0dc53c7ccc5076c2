"""The relay: fan a committed event out into one delivery per matching webhook, exactly once.

`record` enqueues `dispatch_event` after its commit; the sweep runs `dispatch` for events the job never
reached (the process died between the commit and the queue) and queues every delivery that is due, including
those whose sender died mid-flight (its lease runs out)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from timbre.events.repository import EventRepository
from timbre.kit.ids import new_id
from timbre.models import Event, Webhook, WebhookDelivery
from timbre.webhooks.repository import DeliveryRepository, WebhookRepository

SWEEP_GRACE_MS = 10_000  # leave just-committed events and just-due deliveries to their own jobs


def wants(webhook: Webhook, event_type: str) -> bool:
    return not webhook.events or event_type in webhook.events


def new_delivery(event: Event, webhook: Webhook, now: int) -> WebhookDelivery:
    return WebhookDelivery(id=new_id("whd"), team_id=event.team_id, livemode=event.livemode, event_id=event.id,
                           webhook_id=webhook.id, event_type=event.type, status="pending", attempts=0,
                           next_attempt_at=now)


def dispatch(session: Session, event_id: str, now: int) -> list[str]:
    """Create the event's deliveries (in the caller's transaction); [] if another caller already did."""
    event = session.get(Event, event_id)
    if event is None or not EventRepository.from_session(session).claim_dispatch(event_id, now):
        return []
    # Only webhooks that existed when it happened (a new webhook does not receive the past).
    hooks = [w for w in WebhookRepository.from_session(session).active(event.team_id, event.livemode)
             if wants(w, event.type) and w.created_at <= event.created_at]
    deliveries = [new_delivery(event, w, now) for w in hooks]
    session.add_all(deliveries)
    session.flush()
    return [d.id for d in deliveries]


def undispatched(session: Session, now: int) -> list[str]:
    return list(EventRepository.from_session(session).undispatched(now - SWEEP_GRACE_MS))


def overdue(session: Session, now: int) -> list[tuple[str, int]]:
    """Open deliveries whose own job should have run by now (it was lost, or its sender died), with when to
    try them: now, or when the dead sender's lease runs out."""
    rows = DeliveryRepository.from_session(session).due_before(now - SWEEP_GRACE_MS)
    return [(delivery_id, max(now, (lease or 0) + 1)) for delivery_id, _at, lease in rows]
