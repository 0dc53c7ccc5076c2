"""Webhooks API (spec §2.9, addendum §2). Deliveries are signed with Standard Webhooks headers."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Query

from timbre.auth.dependencies import AdminAuth, ReadAuth
from timbre.deps import SessionDep, SettingsDep
from timbre.errors import ERROR_RESPONSES
from timbre.kit.envelope import Envelope, ListEnvelope, listing, ok
from timbre.kit.pagination import ListParams, list_params
from timbre.webhooks.schemas import (
    AttemptOut,
    DeletedOut,
    RotatedOut,
    TestSentOut,
    WebhookCreate,
    WebhookOut,
    WebhookUpdate,
    WebhookWithSecretOut,
)
from timbre.webhooks.service import webhook as webhook_service

router = APIRouter(prefix="/webhooks", tags=["Webhooks"], responses=ERROR_RESPONSES)


@router.get("", response_model=ListEnvelope[WebhookOut])
def list_webhooks(auth: ReadAuth, session: SessionDep, params: ListParams = Depends(list_params),
                  status: Literal["active", "inactive", "disabled"] | None = Query(None)) -> dict[str, Any]:
    """List the webhooks of the key's team and mode (a test key sees test webhooks), newest first."""
    page = webhook_service.list_webhooks(session, auth, params, status)
    return listing("Webhooks retrieved successfully", [webhook_service.serialize(w) for w in page.items],
                   next=page.next, has_more=page.has_more, total=page.total, page=page.page, estimated=page.estimated)


@router.post("", status_code=201, response_model=Envelope[WebhookWithSecretOut])
def create_webhook(body: WebhookCreate, auth: AdminAuth, session: SessionDep, settings: SettingsDep) -> dict[str, Any]:
    """Create a webhook. It receives events of the key's mode only. Live webhooks need `https://`; URLs that
    resolve to private, loopback or link-local addresses are refused unless the operator allows them
    (`TIMBRE_WEBHOOKS_ALLOW_PRIVATE`; allowed for test mode by default). The answer carries the signing secret,
    shown only this once."""
    created, secret = webhook_service.create(session, auth, settings, body)
    return ok("Webhook created successfully", {**webhook_service.serialize(created), "secret": secret})


@router.get("/{webhook_id}", response_model=Envelope[WebhookOut])
def get_webhook(webhook_id: str, auth: ReadAuth, session: SessionDep) -> dict[str, Any]:
    """Get a webhook (never its secret)."""
    return ok("Webhook retrieved successfully", webhook_service.serialize(webhook_service.get(session, auth,
                                                                                              webhook_id)))


@router.put("/{webhook_id}", response_model=Envelope[WebhookOut])
def update_webhook(webhook_id: str, body: WebhookUpdate, auth: AdminAuth, session: SessionDep,
                   settings: SettingsDep) -> dict[str, Any]:
    """Update any of `url`, `events`, `description`, `status` (`active` re-enables a disabled webhook)."""
    updated = webhook_service.update(session, settings, webhook_service.get(session, auth, webhook_id), body)
    return ok("Webhook updated successfully", webhook_service.serialize(updated))


@router.delete("/{webhook_id}", response_model=Envelope[DeletedOut])
def delete_webhook(webhook_id: str, auth: AdminAuth, session: SessionDep) -> dict[str, Any]:
    """Delete a webhook and its delivery log; nothing more is sent to it."""
    webhook_service.delete(session, webhook_service.get(session, auth, webhook_id))
    return ok("Webhook deleted successfully", {"id": webhook_id, "deleted": True})


@router.post("/{webhook_id}/rotate-secret", response_model=Envelope[RotatedOut])
def rotate_secret(webhook_id: str, auth: AdminAuth, session: SessionDep, settings: SettingsDep) -> dict[str, Any]:
    """Replace the signing secret. For 24 hours every delivery is signed by both secrets (two `v1,` entries
    in `webhook-signature`), so receivers can switch without losing events."""
    hook = webhook_service.get(session, auth, webhook_id)
    secret, expires = webhook_service.rotate_secret(session, settings, hook)
    return ok("Webhook secret rotated successfully", {"id": hook.id, "secret": secret,
                                                      "previous_secret_expires_at": expires})


@router.post("/{webhook_id}/test", status_code=202, response_model=Envelope[TestSentOut])
def test_webhook(webhook_id: str, auth: AdminAuth, session: SessionDep) -> dict[str, Any]:
    """Send a signed `webhook.test` event to this webhook (by a job; the outcome shows in its deliveries)."""
    delivery = webhook_service.send_test(session, webhook_service.get(session, auth, webhook_id))
    return ok("Test event queued", {"event_id": delivery.event_id, "delivery_id": delivery.id,
                                    "status": delivery.status})


@router.get("/{webhook_id}/deliveries", response_model=ListEnvelope[AttemptOut])
def list_deliveries(webhook_id: str, auth: ReadAuth, session: SessionDep, params: ListParams = Depends(list_params),
                    event_id: str | None = Query(None, max_length=40)) -> dict[str, Any]:
    """Every delivery attempt to this webhook, newest first: status, response code, latency and the first
    1 KB of the answer. Filter by `event_id`."""
    hook = webhook_service.get(session, auth, webhook_id)
    page = webhook_service.attempts(session, hook, params, event_id)
    return listing("Webhook deliveries retrieved successfully",
                   [webhook_service.serialize_attempt(a) for a in page.items],
                   next=page.next, has_more=page.has_more, total=page.total, page=page.page, estimated=page.estimated)
