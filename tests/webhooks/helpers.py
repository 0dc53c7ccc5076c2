"""Helpers of the webhook tests: webhooks made through the API, deliveries read back from the database."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from timbre.config import get_settings
from timbre.kit.db import session_scope
from timbre.models import Event, WebhookDelivery


def make_webhook(client: TestClient, headers: dict[str, str], url: str, **body: Any) -> tuple[str, str]:
    """A webhook through the API: (id, signing secret)."""
    res = client.post("/v2/webhooks", headers=headers, json={"url": url, **body})
    assert res.status_code == 201, res.text
    data = res.json()["data"]
    return data["id"], data["secret"]


def deliveries(webhook_id: str) -> list[WebhookDelivery]:
    """The webhook's deliveries in the order their events happened (each event came from its own request; the
    deliveries of several events may be made in one millisecond)."""
    with session_scope(get_settings().db_url) as session:
        rows = session.scalars(select(WebhookDelivery).join(Event, Event.id == WebhookDelivery.event_id)
                               .where(WebhookDelivery.webhook_id == webhook_id)
                               .order_by(Event.created_at, WebhookDelivery.created_at)).all()
        session.expunge_all()
        return list(rows)
