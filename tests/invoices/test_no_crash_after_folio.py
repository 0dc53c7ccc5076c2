"""Nothing deterministic fails after a folio is taken (issue 13 item 4, issue 14 item 2): what the seal or a
PAC would refuse is a 400 before the reservation, and an unexpected error after it fails the invoice at once
with its credit back, answered so that a retry with the same idempotency key takes no other folio."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from tests.factories import run_jobs
from tests.invoices.conftest import Ready
from timbre.cfdi.pac.sandbox import SandboxPAC
from timbre.invoices import create as create_module
from timbre.worker import huey

IVA = {"type": "IVA", "rate": 0.16, "factor": "Tasa", "withholding": False}


def _spent(ready: Ready) -> tuple[int, int]:
    team = ready.client.get(f"/v2/teams/{ready.account.team_id}", headers=ready.headers).json()["data"]
    return team["used_credits"], ready.client.get("/v2/invoices/income", headers=ready.headers).json()["total_results"]


def _validate(ready: Ready, body: dict[str, Any]) -> dict[str, Any]:
    res = ready.client.post("/v2/invoices/validate", headers=ready.headers, json=body)
    assert res.status_code == 200, res.text
    data: dict[str, Any] = res.json()["data"]
    return data


class TestRefusedBeforeTheFolio:
    def test_a_tax_repeated_on_an_item(self, ready: Ready) -> None:
        body = ready.body(items=[ready.item(taxes=[IVA, {**IVA, "rate": "0.160000"}])])
        data = _validate(ready, body)
        assert data["valid"] is False and data["errors"][0]["field"] == "items[0].taxes[1]"
        res = ready.client.post("/v2/invoices/income", headers=ready.headers, json=body)
        assert res.status_code == 400 and res.json()["error"]["details"][0]["field"] == "items[0].taxes[1]"
        assert _spent(ready) == (0, 0)

    def test_a_tax_repeated_through_the_service(self, ready: Ready) -> None:
        service = ready.client.post("/v2/services", headers=ready.headers, json={
            "description": "Soporte", "unit_price": 100, "product_key": "80141503", "unit_key": "E48",
            "taxes": [IVA, IVA]})
        if service.status_code != 201:  # refused when stored: then it can never reach an invoice
            assert service.status_code in (400, 422)
            return
        body = ready.body(items=[{"id": service.json()["data"]["id"]}])
        assert _validate(ready, body)["valid"] is False
        assert ready.client.post("/v2/invoices/income", headers=ready.headers, json=body).status_code == 400
        assert _spent(ready) == (0, 0)

    def test_what_sats_schema_refuses(self, ready: Ready) -> None:
        body = ready.body(items=[ready.item(description="Servicio | mensual")])  # Descripcion forbids '|'
        data = _validate(ready, body)
        assert data["valid"] is False and data["errors"][0]["code"] == "301"
        assert "Descripcion" in data["errors"][0]["message"]
        assert ready.client.post("/v2/invoices/income", headers=ready.headers, json=body).status_code == 400
        assert _spent(ready) == (0, 0)

    def test_amounts_beyond_sats_digits(self, ready: Ready) -> None:
        body = ready.body(items=[ready.item(quantity=10**12, unit_price=10**7)])
        assert _validate(ready, body)["valid"] is False
        assert ready.client.post("/v2/invoices/income", headers=ready.headers, json=body).status_code == 400
        assert _spent(ready) == (0, 0)


class TestUnexpectedErrorsAfterTheFolio:
    def _assert_failed_once(self, ready: Ready) -> None:
        headers = {**ready.headers, "Idempotency-Key": "fails-once"}
        res = ready.client.post("/v2/invoices/income", headers=headers, json=ready.body())
        assert res.status_code == 400, res.text
        invoice_id = res.json()["invoice_id"]
        again = ready.client.post("/v2/invoices/income", headers=headers, json=ready.body())
        assert again.status_code == 400 and again.headers["idempotent-replayed"] == "true"
        assert again.json()["invoice_id"] == invoice_id
        invoice = ready.client.get(f"/v2/invoices/income/{invoice_id}", headers=ready.headers).json()["data"]
        assert invoice["status"] == "failed" and invoice["folio_number"] == 1
        assert _spent(ready) == (0, 1)  # the credit came back; the folio stays with the visible failure
        run_jobs()  # what the request enqueued (its events' relay)
        assert huey.scheduled() == []  # and no retry was scheduled
        after = ready.client.get(f"/v2/invoices/income/{invoice_id}", headers=ready.headers).json()["data"]
        assert after["status"] == "failed"

    def test_an_error_inside_the_pac_fails_the_invoice_at_once(self, ready: Ready,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
        def broken(self: SandboxPAC, xml: bytes) -> Any:
            raise ValueError("Duplicate key found: 002|Tasa|0.160000")

        monkeypatch.setattr(SandboxPAC, "stamp", broken)
        self._assert_failed_once(ready)
        monkeypatch.undo()
        assert ready.create().json()["data"]["folio_number"] == 2

    def test_an_error_while_sealing_fails_the_invoice_at_once(self, ready: Ready,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
        def broken(composed: Any, folio: int) -> bytes:
            raise RuntimeError("a bug in the seal")

        monkeypatch.setattr(create_module, "_sealed", broken)
        self._assert_failed_once(ready)

    def test_a_network_error_keeps_the_invoice_pending(self, ready: Ready, monkeypatch: pytest.MonkeyPatch) -> None:
        def unreachable(self: SandboxPAC, xml: bytes) -> Any:
            raise requests.ConnectionError("connection refused")

        monkeypatch.setattr(SandboxPAC, "stamp", unreachable)
        res = ready.create()
        assert res.status_code == 202 and res.json()["data"]["status"] == "pending"
        assert _spent(ready) == (1, 1)
