"""One delivery attempt: claim, sign and send outside any transaction, record the outcome.

Order: the events of one object (an invoice created, then cancelled) reach a webhook in the order they
happened: a delivery waits (`waiting`, nothing sent) while an earlier event of its object is still on its way
there, and the one that finishes (delivered, or given up) hands over to the next (`next_in_line`).

Retries: exponential backoff with jitter (10 s × 3ⁿ, at most 6 h between tries, ±25 %) for 3 days after the
first attempt, then `failed`. An endpoint that fails every attempt for 5 days is disabled and the team's admins
are e-mailed. Every attempt is stored (`GET /v2/webhooks/{id}/deliveries`).
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass

from sqlalchemy.orm import Session

from timbre.config import get_settings
from timbre.emails.service import queue_email
from timbre.events.wire import wire_event
from timbre.kit import metrics
from timbre.kit.clock import now_ms
from timbre.kit.db import session_scope
from timbre.kit.ids import new_id
from timbre.models import Event, Webhook, WebhookAttempt, WebhookDelivery
from timbre.webhooks import sender, signing, urls
from timbre.webhooks.repository import DeliveryRepository, WebhookRepository

DAY_MS = 24 * 3600 * 1000
RETRY_FOR_MS = 3 * DAY_MS
DISABLE_AFTER_MS = 5 * DAY_MS
LEASE_MS = int(sender.TIMEOUT_S * 1000) + 20_000


def backoff_ms(attempts: int) -> int:
    """Wait before the next try after `attempts` failed ones."""
    base = min(10_000 * 3 ** (attempts - 1), 6 * 3600 * 1000)
    return int(base * random.uniform(0.75, 1.25))


@dataclass
class Prepared:
    url: str
    livemode: bool
    body: str
    headers: dict[str, str]


def _prepare(webhook: Webhook, event: Event, now: int) -> Prepared:
    settings = get_settings()
    server_secret = settings.secret()
    keys = [signing.unseal(server_secret, webhook.secret_enc)]
    if webhook.previous_secret_enc and (webhook.previous_secret_expires_at or 0) > now:
        keys.append(signing.unseal(server_secret, webhook.previous_secret_enc))
    body = json.dumps(wire_event(event), separators=(",", ":"), ensure_ascii=False)
    return Prepared(webhook.url, webhook.livemode, body, signing.headers(keys, event.id, now, body))


def attempt(delivery_id: str, now: int | None = None) -> tuple[str, int | None]:
    """Try one delivery if it is due; returns its status afterwards (`not_due` when it is not due or someone
    else holds it) and, when `retrying`, when to try again (ms)."""
    now = now_ms() if now is None else now
    url = get_settings().db_url
    with session_scope(url) as session:
        if not DeliveryRepository.from_session(session).claim(delivery_id, now, now + LEASE_MS):
            return "not_due", None
        delivery = session.get(WebhookDelivery, delivery_id)
        assert delivery is not None  # just claimed
        webhook, event = session.get(Webhook, delivery.webhook_id), session.get(Event, delivery.event_id)
        if webhook is None or event is None or webhook.status != "active":
            delivery.status, delivery.lease_until = "skipped", None
            return delivery.status, None
        if DeliveryRepository.from_session(session).waits_for_earlier(delivery, event):
            delivery.lease_until = None
            return "waiting", None
        prepared = _prepare(webhook, event, now)
    # Outside any transaction (the claim is committed): DNS and the POST may take seconds. The host's addresses
    # are checked where the connection is opened (`sender`), on the very answer it connects to.
    try:
        urls.check_shape(prepared.url, prepared.livemode)
    except urls.UnsafeUrl as exc:
        outcome = sender.Outcome(False, None, 0, None, exc.category, exc.message)
    else:
        outcome = sender.post(prepared.url, prepared.body, prepared.headers,
                              allow_private=urls.private_allowed(get_settings(), prepared.livemode))
    with session_scope(url) as session:
        status, retry_at = record(session, delivery_id, outcome, now)
    metrics.WEBHOOK_DELIVERIES.labels(status).inc()  # succeeded, retrying or failed (gave up)
    return status, retry_at


def next_in_line(delivery_id: str) -> str | None:
    """After a delivery finished: the open delivery of the next event of the same object, to the same webhook."""
    with session_scope(get_settings().db_url) as session:
        done = session.get(WebhookDelivery, delivery_id)
        event = session.get(Event, done.event_id) if done is not None else None
        if done is None or event is None or not event.object_id:
            return None
        return DeliveryRepository.from_session(session).first_open_of_object(done.team_id, done.livemode,
                                                                            done.webhook_id, event.object_id)


def record(session: Session, delivery_id: str, outcome: sender.Outcome, now: int) -> tuple[str, int | None]:
    delivery = session.get(WebhookDelivery, delivery_id)
    webhook = session.get(Webhook, delivery.webhook_id) if delivery is not None else None
    if delivery is None or webhook is None:
        return "gone", None
    delivery.attempts += 1
    delivery.first_attempt_at = delivery.first_attempt_at or now
    delivery.response_code = outcome.status_code
    delivery.lease_until = None
    session.add(WebhookAttempt(
        id=new_id("whatt"), team_id=delivery.team_id, livemode=delivery.livemode, delivery_id=delivery.id,
        webhook_id=webhook.id, event_id=delivery.event_id, event_type=delivery.event_type, attempt=delivery.attempts,
        status="succeeded" if outcome.ok else "failed", response_code=outcome.status_code,
        duration_ms=outcome.duration_ms, response_body=outcome.body, error_category=outcome.error_category,
        error=(outcome.error or "")[:300] or None, created_at=now))
    if outcome.ok:
        delivery.status = "succeeded"
        webhook.failing_since = None
        return delivery.status, None
    webhook.failing_since = webhook.failing_since or now
    if now - webhook.failing_since >= DISABLE_AFTER_MS and webhook.status == "active":
        _disable(session, webhook, now)
    if now - delivery.first_attempt_at >= RETRY_FOR_MS:
        delivery.status = "failed"
        return delivery.status, None
    delivery.status = "retrying"
    delivery.next_attempt_at = now + backoff_ms(delivery.attempts)
    return delivery.status, delivery.next_attempt_at


def _disable(session: Session, webhook: Webhook, now: int) -> None:
    webhook.status, webhook.disabled_at = "disabled", now
    body = (f"Your webhook {webhook.id} ({webhook.url}) failed every delivery for 5 days and has been disabled.\n"
            "Fix the endpoint, then set its status back to active with PUT /v2/webhooks/{id}; "
            "resend missed events with POST /v2/events/{id}/redeliver.")
    for address in WebhookRepository.from_session(session).admin_emails(webhook.team_id):
        queue_email(session, to=address, subject=f"Webhook disabled: {webhook.url}"[:300], body=body,
                    team_id=webhook.team_id)

