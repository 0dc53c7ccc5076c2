"""Making receipts through the API, and moving them back in time (a month of sales in one test)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update

from tests.invoices.conftest import Ready
from timbre.config import get_settings
from timbre.kit.db import session_scope
from timbre.models import Receipt

ITEM = {"description": "Café americano", "quantity": 2, "unit_price": 45.5, "product_key": "90101500",
        "unit_key": "H87", "taxes": [{"type": "IVA", "rate": 0.16, "factor": "Tasa", "withholding": False}]}


def make_receipt(ready: Ready, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"items": [ITEM], "payment_form": "01"}
    body.update(overrides)
    res = ready.client.post("/v2/receipts", headers=ready.headers, json=body)
    assert res.status_code == 201, res.text
    data: dict[str, Any] = res.json()["data"]
    return data


def move_created(receipt_id: str, created_ms: int, valid_until_ms: int | None = None) -> None:
    """Set when a receipt was made (and its validity), as if it had been made then."""
    values: dict[str, Any] = {"created_at": created_ms}
    if valid_until_ms is not None:
        values["valid_until"] = valid_until_ms
    with session_scope(get_settings().db_url) as session:
        session.execute(update(Receipt).where(Receipt.id == receipt_id).values(**values))
        session.commit()
