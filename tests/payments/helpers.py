"""Helpers of the payment tests: bodies as gigstack's CLI sends them, and reads through the API."""

from __future__ import annotations

from typing import Any

from tests.invoices.conftest import Ready

ITEM = {"description": "Consultoría", "quantity": 1, "unit_price": 1000, "product_key": "84111506", "unit_key": "E48",
        "taxes": [{"type": "IVA", "rate": 0.16, "factor": "Tasa", "withholding": False}]}


def register(ready: Ready, **overrides: Any) -> Any:
    body: dict[str, Any] = {"automation_type": "pue_invoice", "client": {"id": ready.client_id}, "items": [ITEM],
                            "currency": "MXN", "payment_form": "03"}
    body.update(overrides)
    return ready.client.post("/v2/payments/register", headers=ready.headers, json=body)


def request(ready: Ready, **overrides: Any) -> Any:
    body: dict[str, Any] = {"client": {"id": ready.client_id}, "items": [ITEM], "currency": "MXN",
                            "allowed_payment_methods": ["card", "bank"], "automation_type": "none"}
    body.update(overrides)
    return ready.client.post("/v2/payments/request", headers=ready.headers, json=body)


def get(ready: Ready, path: str, **params: Any) -> Any:
    res = ready.client.get(f"/v2{path}", headers=ready.headers, params=params)
    assert res.status_code == 200, res.text
    return res.json()


def settings(ready: Ready, **values: Any) -> None:
    res = ready.client.put(f"/v2/teams/{ready.account.team_id}/settings", headers=ready.headers, json=values)
    assert res.status_code == 200, res.text
