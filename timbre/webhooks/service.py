"""Webhooks use cases (spec §2.9): CRUD, secret rotation, test sends, the delivery log, redelivery."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from timbre.auth.dependencies import AuthContext
from timbre.config import Settings
from timbre.errors import NotFound, ValidationFailed
from timbre.events.types import EventType
from timbre.kit import jobs
from timbre.kit.clock import now_ms
from timbre.kit.ids import new_id
from timbre.kit.pagination import ListParams, Page, paginate
from timbre.models import Event, Webhook, WebhookAttempt, WebhookDelivery
from timbre.webhooks import relay, signing, tasks, urls
from timbre.webhooks.repository import AttemptRepository, DeliveryRepository, WebhookRepository
from timbre.webhooks.schemas import WebhookCreate, WebhookUpdate

NOT_FOUND = ("Webhook not found", "The specified webhook does not exist")


def _checked_url(url: str, settings: Settings, livemode: bool) -> str:
    try:
        urls.check(url, settings, livemode, unresolvable_ok=True)
    except urls.UnsafeUrl as exc:
        raise ValidationFailed("Invalid webhook URL", f"url: {exc.message}", code="invalid_webhook_url",
                               details=[{"field": "url", "rule": exc.category, "message": exc.message}]) from None
    return url


class WebhookService:
    def list_webhooks(self, session: Session, auth: AuthContext, params: ListParams, status: str | None) -> Page:
        stmt = WebhookRepository.from_session(session).scoped(auth.team_id, auth.livemode)
        if status:
            stmt = stmt.where(Webhook.status == status)
        return paginate(session, stmt, Webhook, params)

    def get(self, session: Session, auth: AuthContext, webhook_id: str) -> Webhook:
        found = WebhookRepository.from_session(session).get_scoped(webhook_id, auth.team_id, auth.livemode)
        if found is None:
            raise NotFound(*NOT_FOUND)
        return found

    def create(self, session: Session, auth: AuthContext, settings: Settings, body: WebhookCreate
               ) -> tuple[Webhook, str]:
        """The new webhook and its signing secret (returned this once, stored encrypted)."""
        secret = signing.new_secret()
        webhook = Webhook(id=new_id("wh"), team_id=auth.team_id, livemode=auth.livemode,
                          url=_checked_url(body.url, settings, auth.livemode), events=body.events or [],
                          description=body.description, status=body.status, owner=auth.user_id,
                          secret_enc=signing.seal(settings.secret(), secret))
        return WebhookRepository.from_session(session).add(webhook), secret

    def update(self, session: Session, settings: Settings, webhook: Webhook, body: WebhookUpdate) -> Webhook:
        data = body.model_dump(exclude_unset=True)
        if data.get("url") is not None:
            webhook.url = _checked_url(data["url"], settings, webhook.livemode)
        if "events" in data:
            webhook.events = data["events"] or []
        if "description" in data:
            webhook.description = data["description"]
        if data.get("status") is not None:
            webhook.status = data["status"]
            if webhook.status == "active":
                webhook.disabled_at = webhook.failing_since = None
        session.flush()
        return webhook

    def delete(self, session: Session, webhook: Webhook) -> None:
        WebhookRepository.from_session(session).delete(webhook)

    def rotate_secret(self, session: Session, settings: Settings, webhook: Webhook) -> tuple[str, int]:
        """A new secret; the current one keeps signing (as a second signature) for 24 hours."""
        secret = signing.new_secret()
        expires = now_ms() + signing.PREVIOUS_VALID_MS
        webhook.previous_secret_enc, webhook.previous_secret_expires_at = webhook.secret_enc, expires
        webhook.secret_enc = signing.seal(settings.secret(), secret)
        session.flush()
        return secret, expires

    def send_test(self, session: Session, webhook: Webhook) -> WebhookDelivery:
        """A signed `webhook.test` event for this webhook only (whatever its subscriptions)."""
        now = now_ms()
        data = {"webhook": webhook.id, "message": "This is a test event from Timbre"}
        event = Event(id=new_id("evt"), team_id=webhook.team_id, livemode=webhook.livemode,
                      type=EventType.webhook_test.value, data=data, object_id=webhook.id, created_at=now,
                      dispatched_at=now)
        session.add(event)
        session.flush()
        delivery = relay.new_delivery(event, webhook, now)
        session.add(delivery)
        session.flush()
        jobs.enqueue(session, tasks.deliver, delivery.id)
        return delivery

    def attempts(self, session: Session, webhook: Webhook, params: ListParams, event_id: str | None) -> Page:
        stmt = AttemptRepository.from_session(session).scoped(webhook.team_id, webhook.livemode)
        stmt = stmt.where(WebhookAttempt.webhook_id == webhook.id)
        if event_id:
            stmt = stmt.where(WebhookAttempt.event_id == event_id)
        return paginate(session, stmt, WebhookAttempt, params)

    def redeliver(self, session: Session, event: Event) -> Sequence[WebhookDelivery]:
        """Send the event again to every active webhook of its team and mode that wants it now: a new try with
        3 fresh days of retries (receivers deduplicate on `webhook-id`, the event id)."""
        now = now_ms()
        hooks = {w.id: w for w in WebhookRepository.from_session(session).active(event.team_id, event.livemode)
                 if relay.wants(w, event.type) or event.type == EventType.webhook_test}
        existing = {d.webhook_id: d for d in DeliveryRepository.from_session(session)
                    .of_event(event.id, event.team_id, event.livemode)}
        if event.type == EventType.webhook_test:  # a test goes only to the webhook it tested
            hooks = {k: v for k, v in hooks.items() if k in existing}
        out = []
        for webhook_id, webhook in hooks.items():
            delivery = existing.get(webhook_id) or relay.new_delivery(event, webhook, now)
            delivery.status, delivery.next_attempt_at, delivery.first_attempt_at = "pending", now, None
            delivery.lease_until = None
            session.add(delivery)
            out.append(delivery)
        event.dispatched_at = event.dispatched_at or now
        session.flush()
        for delivery in out:
            jobs.enqueue(session, tasks.deliver, delivery.id)
        return out

    @staticmethod
    def serialize(webhook: Webhook) -> dict[str, Any]:
        return {"id": webhook.id, "url": webhook.url, "events": list(webhook.events or []),
                "description": webhook.description, "status": webhook.status, "owner": webhook.owner,
                "livemode": webhook.livemode, "team": webhook.team_id, "version": "v2", "signing": {},
                "created_at": webhook.created_at, "updated_at": webhook.updated_at,
                "disabled_at": webhook.disabled_at}

    @staticmethod
    def serialize_attempt(row: WebhookAttempt) -> dict[str, Any]:
        return {"id": row.id, "webhook_id": row.webhook_id, "delivery_id": row.delivery_id, "event_id": row.event_id,
                "event": row.event_type, "attempt": row.attempt, "status": row.status,
                "response_code": row.response_code, "latency_ms": row.duration_ms,
                "response_body": row.response_body, "error_category": row.error_category, "error": row.error,
                "livemode": row.livemode, "timestamp": row.created_at}


webhook = WebhookService()
