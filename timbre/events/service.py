"""Recording events (the outbox) and reading them back.

Every domain reports a change by calling `record` with the session of the transaction that makes the
change, before it commits:

    from timbre.events.service import event as event_service
    event_service.record(session, team_id=..., livemode=..., type=EventType.customer_created, data=<api dict>)

The row commits or rolls back with the change. After the commit a relay job fans it out to the team's
webhooks; a periodic sweep redoes that for events whose job was lost (a crash right after the commit).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from timbre.auth.dependencies import AuthContext
from timbre.errors import NotFound
from timbre.events.payloads import to_wire
from timbre.events.repository import EventRepository
from timbre.events.types import EventType
from timbre.events.wire import wire_event
from timbre.kit import jobs
from timbre.kit.clock import now_ms
from timbre.kit.ids import new_id
from timbre.kit.pagination import ListParams, Page, paginate
from timbre.models import Event
from timbre.webhooks import tasks as webhook_tasks
from timbre.webhooks.repository import WebhookRepository

RETENTION_MS = 30 * 24 * 3600 * 1000
NOT_FOUND = ("Event not found", "The specified event does not exist (events are kept 30 days)")


class EventService:
    def record(self, session: Session, *, team_id: str, livemode: bool, type: EventType, data: Mapping[str, Any],
               object_id: str | None = None) -> Event:
        """Write one event in the caller's transaction; `data` is the object as the API returns it."""
        wire = to_wire(type, data)
        now = now_ms()
        row = Event(id=new_id("evt"), team_id=team_id, livemode=livemode, type=type.value, data=wire,
                    object_id=object_id or _object_id(wire), created_at=now)
        # A team without an active webhook (most) has nobody to tell: no relay job, nothing for the sweep. A
        # webhook receives the events committed after it is.
        if WebhookRepository.from_session(session).has_active(team_id, livemode):
            jobs.enqueue(session, webhook_tasks.dispatch_event, row.id)
        else:
            row.dispatched_at = now
        session.add(row)
        return row

    def list_events(self, session: Session, auth: AuthContext, params: ListParams, *, type: str | None,
                    object_id: str | None) -> Page:
        stmt = EventRepository.from_session(session).scoped(auth.team_id, auth.livemode)
        if type:
            stmt = stmt.where(Event.type == type)
        if object_id:
            stmt = stmt.where(Event.object_id == object_id)
        stmt = stmt.where(Event.created_at >= now_ms() - RETENTION_MS)
        return paginate(session, stmt, Event, params)

    def get(self, session: Session, auth: AuthContext, event_id: str) -> Event:
        found = EventRepository.from_session(session).get_scoped(event_id, auth.team_id, auth.livemode)
        if found is None or found.created_at < now_ms() - RETENTION_MS:
            raise NotFound(*NOT_FOUND)
        return found

    @staticmethod
    def serialize(event: Event) -> dict[str, Any]:
        return wire_event(event)


def _object_id(wire: Mapping[str, Any]) -> str | None:
    value = wire.get("id") or wire.get("uuid")
    return str(value)[:60] if value else None


event = EventService()
