"""Events API: what happened to the team's objects in the key's mode, kept 30 days."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query

from timbre.auth.dependencies import AdminAuth, ReadAuth
from timbre.deps import SessionDep
from timbre.errors import ERROR_RESPONSES
from timbre.events.schemas import EventOut, RedeliverOut
from timbre.events.service import event as event_service
from timbre.events.types import EventType
from timbre.kit.envelope import Envelope, ListEnvelope, listing, ok
from timbre.kit.pagination import ListParams, list_params
from timbre.webhooks.service import webhook as webhook_service

router = APIRouter(prefix="/events", tags=["Events"], responses=ERROR_RESPONSES)


@router.get("", response_model=ListEnvelope[EventOut])  # type: ignore[valid-type]
def list_events(auth: ReadAuth, session: SessionDep, params: ListParams = Depends(list_params),
                type: EventType | None = Query(None, description="Only events of this type"),
                object_id: str | None = Query(None, max_length=60, description="Only events about this object")
                ) -> dict[str, Any]:
    """List events, newest first. Each event's `data` is the object as the API returned it at that moment;
    the same body is what webhooks receive."""
    page = event_service.list_events(session, auth, params, type=type.value if type else None, object_id=object_id)
    return listing("Events retrieved successfully", [event_service.serialize(e) for e in page.items],
                   next=page.next, has_more=page.has_more, total=page.total, page=page.page, estimated=page.estimated)


@router.get("/{event_id}", response_model=Envelope[EventOut])  # type: ignore[valid-type]
def get_event(event_id: str, auth: ReadAuth, session: SessionDep) -> dict[str, Any]:
    """Get an event (events are kept 30 days)."""
    return ok("Event retrieved successfully", event_service.serialize(event_service.get(session, auth, event_id)))


@router.post("/{event_id}/redeliver", response_model=Envelope[RedeliverOut])
def redeliver_event(event_id: str, auth: AdminAuth, session: SessionDep) -> dict[str, Any]:
    """Send the event again to every active webhook that subscribes to it (by a job, with fresh retries).
    Receivers see the same `webhook-id` (the event id) and can deduplicate."""
    found = event_service.get(session, auth, event_id)
    deliveries = webhook_service.redeliver(session, found)
    return ok("Event queued for redelivery", {"event": found.id, "deliveries": [
        {"id": d.id, "webhook_id": d.webhook_id, "status": d.status} for d in deliveries]})
