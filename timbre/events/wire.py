"""The event as it goes on the wire: the Events API's object and the body of every webhook delivery."""

from __future__ import annotations

from typing import Any

from timbre.kit.clock import ms_to_iso
from timbre.models import Event


def wire_event(event: Event) -> dict[str, Any]:
    return {"id": event.id, "object": "event", "type": event.type, "event": event.type, "created": event.created_at,
            "timestamp": ms_to_iso(event.created_at), "livemode": event.livemode, "team": event.team_id,
            "data": event.data}
