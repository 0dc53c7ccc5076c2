"""Helpers of the webhook tests: webhooks made through the API, deliveries read back from the database."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from timbre.config import get_settings
from timbre.kit.db import session_scope
from timbre.models import WebhookDelivery


def make_webhook(client: TestClient, headers: dict[str, str], url: str, **body: Any) -> tuple[str, str]:
    """A webhook through the API: (id, signing secret)."""
    res = client.post("/v2/webhooks", headers=headers, json={"url": url, **body})
    assert res.status_code == 201, res.text
    data = res.json()["data"]
    return data["id"], data["secret"]


def deliveries(webhook_id: str) -> list[WebhookDelivery]:
    with session_scope(get_settings().db_url) as session:
        rows = session.scalars(select(WebhookDelivery).where(WebhookDelivery.webhook_id == webhook_id)
                               .order_by(WebhookDelivery.created_at)).all()
        session.expunge_all()
        return list(rows)
