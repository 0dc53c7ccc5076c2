"""The event object (`GET /v2/events`, and the body of every webhook delivery).

Both key sets gigstack's clients read are present (addendum §2.1): `event` and `timestamp` (the migration
guide's form, which gigstack's n8n trigger filters on) and `id`, `type`, `created`, `livemode`."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, Field, create_model

from timbre.events.payloads import PAYLOADS
from timbre.events.types import EventType


class EventBase(BaseModel):
    id: str = Field(examples=["evt_3fQ9aZ81kLm2Xy7B"])
    object: Literal["event"] = "event"
    event: str = Field(description="The event type (same as `type`)")
    created: int = Field(description="When it happened, ms since the epoch")
    timestamp: str = Field(description="When it happened, ISO 8601 UTC")
    livemode: bool
    team: str


def _event_model(event_type: EventType) -> type[EventBase]:
    name = "".join(part.capitalize() for part in event_type.value.replace("_", ".").split(".")) + "Event"
    literal: Any = Literal[event_type.value]  # type: ignore[valid-type]
    model: type[EventBase] = create_model(name, __base__=EventBase, type=(literal, ...),
                                          data=(PAYLOADS[event_type], ...))
    model.__doc__ = f"`{event_type.value}`: `data` is a {PAYLOADS[event_type].__name__}."
    return model


EVENT_MODELS = [_event_model(t) for t in EventType]
EventOut = Annotated[Union[tuple(EVENT_MODELS)], Field(discriminator="type")]  # type: ignore[valid-type]  # noqa: UP007


class RedeliverOut(BaseModel):
    event: str
    deliveries: list[dict[str, Any]] = Field(description="One per webhook the event is sent to again: "
                                                         "`{id, webhook_id, status}`")
