"""Webhook request and response bodies (spec §2.9, addendum §2)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, field_validator

from timbre.events.types import ALIASES, SUBSCRIBABLE

_EVENTS_DOC = ("Event types to receive; none (or an empty list) means all. One of: " + ", ".join(SUBSCRIBABLE)
               + ". The older names " + ", ".join(ALIASES) + " are accepted and stored as their current names.")


def _events(value: list[str] | None) -> list[str] | None:
    if value is None:
        return None
    names = [ALIASES.get(name, name) for name in value]
    unknown = [name for name in names if name not in SUBSCRIBABLE]
    if unknown:
        raise ValueError(f"unknown event types: {', '.join(sorted(set(unknown)))}")
    return list(dict.fromkeys(names))


class WebhookCreate(BaseModel):
    url: str = Field(min_length=8, max_length=2000, examples=["https://example.com/webhooks/gigstack"])
    events: list[str] | None = Field(None, max_length=40, description=_EVENTS_DOC)
    description: str | None = Field(None, max_length=500)
    status: Literal["active", "inactive"] = "active"

    _check_events = field_validator("events")(_events)


class WebhookUpdate(BaseModel):
    url: str | None = Field(None, min_length=8, max_length=2000)
    events: list[str] | None = Field(None, max_length=40, description=_EVENTS_DOC)
    description: str | None = Field(None, max_length=500)
    status: Literal["active", "inactive"] | None = Field(None, description="A disabled webhook is re-enabled with "
                                                                          "`active`")

    _check_events = field_validator("events")(_events)


class SigningOut(BaseModel):
    enabled: bool = True
    configured: bool = True
    status: str = "active"
    scheme: str = Field("standard-webhooks", description="webhook-id, webhook-timestamp, webhook-signature (v1)")


class WebhookOut(BaseModel):
    id: str = Field(examples=["wh_dyS2ZVTj4kQ0aB1c"])
    url: str
    events: list[str]
    description: str | None
    status: str = Field(description="active, inactive, or disabled (after 5 days of failed deliveries)")
    owner: str | None = Field(description="The user whose API key created it")
    livemode: bool
    team: str
    version: str = "v2"
    signing: SigningOut
    created_at: int = Field(description="ms since the epoch")
    updated_at: int = Field(description="ms since the epoch")
    disabled_at: int | None = None


class WebhookWithSecretOut(WebhookOut):
    secret: str = Field(description="The signing secret (`whsec_…`): shown only here, store it now")


class RotatedOut(BaseModel):
    id: str
    secret: str = Field(description="The new signing secret, shown once")
    previous_secret_expires_at: int = Field(description="Until then (ms) deliveries carry a signature by the old "
                                                        "secret too")


class DeletedOut(BaseModel):
    id: str
    deleted: bool


class TestSentOut(BaseModel):
    event_id: str
    delivery_id: str
    status: str = Field(description="`pending`: the signed test event is being sent by a job; see "
                                    "GET /v2/webhooks/{id}/deliveries")


class AttemptOut(BaseModel):
    id: str
    webhook_id: str
    delivery_id: str
    event_id: str
    event: str
    attempt: int
    status: Literal["succeeded", "failed"]
    response_code: int | None
    latency_ms: int
    response_body: str | None = Field(description="The first 1 KB of the answer")
    error_category: str | None
    error: str | None
    livemode: bool
    timestamp: int = Field(description="ms since the epoch")
