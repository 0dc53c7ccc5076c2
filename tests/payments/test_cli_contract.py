"""The rows of gigstack's CLI contract for payments, `pay`, drafts and payment complements: the exact
requests the CLI v0.3.1 sends, and the response fields it reads."""

from __future__ import annotations

import time
from typing import Any

from tests.complements.helpers import pay as pay_complement
from tests.complements.helpers import ppd_invoice
from tests.invoices.conftest import Ready

JSON = {"Content-Type": "application/json"}
LIST = {"limit": "20"}
CLI_ITEM = {"description": "Asesoría", "quantity": 1, "unit_price": 1500, "product_key": "84111506",
            "unit_key": "E48", "taxes": [{"type": "IVA", "rate": 0.16, "factor": "Tasa", "withholding": False}]}


def _ok(res: Any) -> dict[str, Any]:
    assert res.status_code in (200, 201), res.text
    body: dict[str, Any] = res.json()
    assert body["success"] is True and "✗" not in body["message"]
    return body


def _has(obj: dict[str, Any], *paths: str) -> None:
    for path in paths:
        node: Any = obj
        for part in path.split("."):
            assert isinstance(node, dict) and part in node, f"{path} missing in {obj}"
            node = node[part]


class TestPaymentsRows:
    def test_register_then_list_and_get(self, ready: Ready) -> None:
        h = {**ready.headers, **JSON}
        registered = _ok(ready.client.post("/v2/payments/register", headers=h, json={
            "automation_type": "pue_invoice", "client": {"id": ready.client_id}, "items": [CLI_ITEM],
            "currency": "MXN", "payment_form": "03", "idempotency_key": f"cli_{int(time.time() * 1000)}"}))
        payment_id = registered["data"]["id"]
        listed = _ok(ready.client.get("/v2/payments", headers=ready.headers, params={
            **LIST, "status": "succeeded", "client_id": ready.client_id, "currency": "MXN",
            "email": "berenice@example.com", "tax_id": "XIQB891116QE4",
            "created[gte]": str(int(time.time()) - 60)}))
        assert isinstance(listed["data"], list) and {"has_more", "next", "total_results"} <= set(listed)
        row = listed["data"][0]
        _has(row, "id", "client.legal_name", "client.name", "total", "subtotal", "taxes", "amount", "items",
             "currency", "status", "created_at")
        got = _ok(ready.client.get(f"/v2/payments/{payment_id}", headers=ready.headers))["data"]
        _has(got, "id", "status", "client.id", "total", "currency", "payment_form", "short_url", "created_at",
             "automation_type", "invoice.uuid", "invoice_id", "receipt_id")
        assert got["invoice"]["uuid"] and got["created_at"] < 10**11

    def test_request_reads_id_and_short_url(self, ready: Ready) -> None:
        data = _ok(ready.client.post("/v2/payments/request", headers={**ready.headers, **JSON}, json={
            "client": {"id": ready.client_id}, "items": [CLI_ITEM], "currency": "MXN",
            "allowed_payment_methods": ["card", "bank"], "automation_type": "none", "send_email": False}))["data"]
        assert data["id"] and data["short_url"].startswith("http")

    def test_refund_bodiless_and_with_the_fixture_body(self, ready: Ready) -> None:
        body = {"automation_type": "none", "client": {"id": ready.client_id}, "items": [CLI_ITEM],
                "currency": "MXN", "payment_form": "03"}
        first = _ok(ready.client.post("/v2/payments/register", headers=ready.headers, json=body))["data"]["id"]
        refunded = _ok(ready.client.post(f"/v2/payments/{first}/refund", headers={**ready.headers, **JSON},
                                         content=b""))
        assert refunded["data"]["status"] == "refunded"
        second = _ok(ready.client.post("/v2/payments/register", headers=ready.headers, json=body))["data"]["id"]
        partial = _ok(ready.client.post(f"/v2/payments/{second}/refund", headers=ready.headers, json={
            "reason": "duplicate", "amount": 10, "external_processor_refund": True}))
        assert partial["data"]["amount_refunded"] == 10.0 and partial["data"]["refunds"][0]["reason"] == "duplicate"

    def test_mark_paid_with_the_fixture_body_and_cancel(self, ready: Ready) -> None:
        body = {"client": {"id": ready.client_id}, "items": [CLI_ITEM], "automation_type": "none"}
        one = _ok(ready.client.post("/v2/payments/request", headers=ready.headers, json=body))["data"]["id"]
        assert _ok(ready.client.post(f"/v2/payments/{one}/paid", headers=ready.headers,
                                     json={"payment_form": "03"}))["data"]["status"] == "succeeded"
        two = _ok(ready.client.post("/v2/payments/request", headers=ready.headers, json=body))["data"]["id"]
        assert _ok(ready.client.delete(f"/v2/payments/{two}", headers=ready.headers))["data"]["status"] == "cancelled"

    def test_search_fixture_shape(self, ready: Ready) -> None:
        found = _ok(ready.client.get("/v2/payments/search", headers=ready.headers,
                                     params={"q": "nada", "page": 1, "limit": 20, "status": "succeeded"}))
        assert {"data", "has_more", "next", "found", "page", "per_page"} <= set(found)


class TestPayRow:
    def _pay(self, ready: Ready, client: dict[str, Any], **extra: Any) -> dict[str, Any]:
        body = {"client": client, "items": [CLI_ITEM], "currency": "MXN", "payment_form": "03",
                "automation_type": "pue_invoice", "idempotency_key": f"cli_{time.time_ns()}", **extra}
        data: dict[str, Any] = _ok(ready.client.post("/v2/payments/register", headers={**ready.headers, **JSON},
                                                     json=body))["data"]
        assert data["id"] and data["client"]["id"] and "short_url" in data
        return data

    def test_pay_by_email_creates_the_client_and_a_pending_receipt(self, ready: Ready) -> None:
        data = self._pay(ready, {"email": "nuevo@example.com", "name": "Nuevo", "legal_name": "Nuevo",
                                 "search": {"on_key": "email", "on_value": "nuevo@example.com", "auto_create": True}},
                         metadata={"source": "cli"})
        assert data["automation"]["status"] == "receipt_pending"
        again = self._pay(ready, {"email": "nuevo@example.com",
                                  "search": {"on_key": "email", "on_value": "nuevo@example.com", "auto_create": True}})
        assert again["client"]["id"] == data["client"]["id"]

    def test_pay_by_rfc_of_a_known_client_stamps_the_invoice(self, ready: Ready) -> None:
        data = self._pay(ready, {"email": "berenice@example.com", "tax_id": "XIQB891116QE4",
                                 "search": {"on_key": "tax_id", "on_value": "XIQB891116QE4", "auto_create": True}})
        assert data["client"]["id"] == ready.client_id and data["invoice"]["status"] == "valid"


class TestDraftAndComplementRows:
    def test_drafts_list_and_bodiless_stamp(self, ready: Ready) -> None:
        draft = _ok(ready.client.post("/v2/invoices/draft", headers=ready.headers, json={
            "invoice_type": "I", "client": {"id": ready.client_id}, "items": [CLI_ITEM], "payment_form": "03"}))
        listed = _ok(ready.client.get("/v2/invoices/draft", headers=ready.headers, params=LIST))
        assert isinstance(listed["data"], list) and listed["data"][0]["id"] == draft["data"]["id"]
        stamped = _ok(ready.client.post(f"/v2/invoices/draft/{draft['data']['id']}/stamp",
                                        headers={**ready.headers, **JSON}, content=b""))["data"]
        assert stamped["uuid"] and stamped["id"]

    def test_complements_list_with_invoice_id(self, ready: Ready) -> None:
        ppd = ppd_invoice(ready, 1000.0)
        assert pay_complement(ready, (ppd["uuid"], 500.0)).status_code == 201
        for params in (LIST, {**LIST, "invoice_id": ppd["uuid"]}):
            listed = _ok(ready.client.get("/v2/invoices/payment", headers=ready.headers, params=params))
            row = listed["data"][0]
            _has(row, "uuid", "id", "client.legal_name", "total", "currency", "status")
            assert (row["total"], row["currency"], listed["total_results"]) == (500.0, "MXN", 1)
        old = _ok(ready.client.get("/v2/invoices/complements", headers=ready.headers, params=LIST))
        assert old["total_results"] == 1
