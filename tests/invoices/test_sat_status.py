"""`PUT /invoices/{uuid}/status` (SAT's status), cancellations SAT routes to the receiver for acceptance, the
receiver's test-only answer and the poll that follows pending ones (test mode: the simulated SAT)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.factories import run_jobs
from tests.invoices.conftest import Ready
from tests.procs import free_port
from timbre.invoices import sat_status, sat_tasks
from timbre.kit.clock import utcnow
from timbre.satws import simulated_state
from timbre.satws.live_status import LiveStatus


def _stamped(ready: Ready, **body: Any) -> dict[str, Any]:
    res = ready.create("income", **body)
    assert res.status_code == 201, res.text
    data: dict[str, Any] = res.json()["data"]
    return data


def _later(monkeypatch: pytest.MonkeyPatch, **delta: float) -> None:
    """Move the simulated SAT's clock forward (past the "next business day" window, or the 72 hours)."""
    moved = utcnow() + timedelta(**delta)
    monkeypatch.setattr(simulated_state, "clock", lambda: moved)


def _cancel(ready: Ready, uuid: str) -> Any:
    return ready.client.request("DELETE", f"/v2/invoices/{uuid}", headers=ready.headers, json={"motive": "02"})


def _status(ready: Ready, uuid: str) -> Any:
    return ready.client.put(f"/v2/invoices/{uuid}/status", headers=ready.headers)


def _answer(ready: Ready, uuid: str, accept: bool, live: bool = False) -> Any:
    return ready.client.post(f"/v2/invoices/{uuid}/test/cancellation-answer",
                             headers=ready.account.headers(live=live), json={"accept": accept})


def _events(ready: Ready, type: str) -> list[dict[str, Any]]:
    res = ready.client.get("/v2/events", headers=ready.headers, params={"type": type})
    assert res.status_code == 200, res.text
    data: list[dict[str, Any]] = res.json()["data"]
    return data


def _pending(ready: Ready, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    invoice = _stamped(ready)
    _later(monkeypatch, days=5)
    res = _cancel(ready, invoice["uuid"])
    assert res.status_code == 202, res.text
    data: dict[str, Any] = res.json()["data"]
    assert (data["status"], data["cancellation_status"]) == ("valid", "pending")
    return data


class TestRefreshStatus:
    def test_a_valid_invoice(self, ready: Ready) -> None:
        invoice = _stamped(ready)
        res = _status(ready, invoice["uuid"])
        assert res.status_code == 200, res.text
        body = res.json()
        assert body["message"] == "Invoice status updated from SAT"
        sat = body["data"]["sat_status"]
        assert (sat["state"], sat["cancellable"], sat["cancellation_status"], sat["efos_validation"]) == \
            ("Vigente", "Cancelable sin aceptación", None, "200")
        assert sat["code"].startswith("S - ") and body["data"]["status"] == "valid"

    def test_after_the_next_business_day_it_needs_acceptance(self, ready: Ready,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
        invoice = _stamped(ready)
        _later(monkeypatch, days=5)
        assert _status(ready, invoice["uuid"]).json()["data"]["sat_status"]["cancellable"] == \
            "Cancelable con aceptación"

    def test_a_cancelled_invoice(self, ready: Ready) -> None:
        invoice = _stamped(ready)
        assert _cancel(ready, invoice["uuid"]).status_code == 200
        data = _status(ready, invoice["uuid"]).json()["data"]
        assert data["status"] == "cancelled"
        assert (data["sat_status"]["state"], data["sat_status"]["cancellation_status"]) == \
            ("Cancelado", "Cancelado sin aceptación")
        assert len(_events(ready, "invoice.canceled")) == 1  # asking again emits nothing new

    def test_unknown_and_unstamped(self, ready: Ready) -> None:
        assert _status(ready, "8a3a6c2b-0000-4000-8000-000000000000").status_code == 404
        draft = ready.client.post("/v2/invoices/draft", headers=ready.headers,
                                  json={"invoice_type": "I"}).json()["data"]
        assert _status(ready, draft["id"]).status_code == 404

    def test_sat_unavailable_is_a_503(self, ready: Ready, monkeypatch: pytest.MonkeyPatch) -> None:
        invoice = _stamped(ready)
        closed = LiveStatus(url=f"http://127.0.0.1:{free_port()}/ConsultaCFDIService.svc", timeout=5)
        monkeypatch.setattr(sat_status, "status_service", lambda livemode: closed)
        res = _status(ready, invoice["uuid"])
        assert res.status_code == 503 and res.json()["error"]["code"] == "sat_unavailable"


class TestCancellationWithAcceptance:
    def test_small_amounts_are_cancelled_at_once(self, ready: Ready, monkeypatch: pytest.MonkeyPatch) -> None:
        invoice = _stamped(ready, items=[ready.item(quantity=1, unit_price=500.0)])
        _later(monkeypatch, days=5)
        res = _cancel(ready, invoice["uuid"])
        assert res.status_code == 200 and res.json()["data"]["status"] == "cancelled"

    def test_the_receiver_accepts(self, ready: Ready, monkeypatch: pytest.MonkeyPatch) -> None:
        pending = _pending(ready, monkeypatch)
        (event,) = _events(ready, "invoice.cancellation_status_updated")
        assert event["data"]["cancellation_status"] == "pending"
        assert _status(ready, pending["uuid"]).json()["data"]["sat_status"]["cancellation_status"] == "En proceso"
        again = _cancel(ready, pending["uuid"])
        assert again.status_code == 409 and again.json()["error"]["code"] == "cancellation_pending"
        res = _answer(ready, pending["uuid"], True)
        assert res.status_code == 200, res.text
        data = res.json()["data"]
        assert (data["status"], data["cancellation_status"]) == ("cancelled", "cancelled")
        assert data["sat_status"]["cancellation_status"] == "Cancelado con aceptación"
        assert data["cancellation"]["cancelled_at"] and data["cancellation"]["motive"] == "02"
        assert [e["data"]["uuid"] for e in _events(ready, "invoice.canceled")] == [pending["uuid"]]

    def test_the_receiver_refuses_then_a_new_request(self, ready: Ready, monkeypatch: pytest.MonkeyPatch) -> None:
        pending = _pending(ready, monkeypatch)
        data = _answer(ready, pending["uuid"], False).json()["data"]
        assert (data["status"], data["cancellation_status"]) == ("valid", "rejected")
        assert data["sat_status"]["cancellation_status"] == "Solicitud rechazada"
        assert [e["data"]["cancellation_status"] for e in _events(ready, "invoice.cancellation_status_updated")] \
            == ["rejected", "pending"]
        answered_twice = _answer(ready, pending["uuid"], True)
        assert answered_twice.status_code == 409
        assert answered_twice.json()["error"]["code"] == "cancellation_not_pending"
        assert _cancel(ready, pending["uuid"]).status_code == 202  # the issuer may ask again

    def test_no_answer_in_72_hours_and_the_poll(self, ready: Ready, monkeypatch: pytest.MonkeyPatch) -> None:
        pending = _pending(ready, monkeypatch)
        monkeypatch.setattr(sat_tasks, "RECHECK_AFTER_MS", -60_000)
        sat_tasks.poll_pending_cancellations.call_local()
        assert run_jobs() == ["pending"]  # still within the 72 hours
        _later(monkeypatch, days=5, hours=72)
        sat_tasks.poll_pending_cancellations.call_local()
        assert run_jobs() == ["cancelled"]
        data = ready.client.get(f"/v2/invoices/income/{pending['uuid']}", headers=ready.headers).json()["data"]
        assert (data["status"], data["sat_status"]["cancellation_status"]) == ("cancelled", "Plazo vencido")
        assert len(_events(ready, "invoice.canceled")) == 1
        sat_tasks.poll_pending_cancellations.call_local()
        assert run_jobs() == []  # nothing pending any more

    def test_answering_what_awaits_nothing(self, ready: Ready) -> None:
        invoice = _stamped(ready)
        res = _answer(ready, invoice["uuid"], True)
        assert res.status_code == 409 and res.json()["error"]["code"] == "cancellation_not_pending"

    def test_the_answer_endpoint_does_not_exist_in_live_mode(self, ready: Ready) -> None:
        res = _answer(ready, "8a3a6c2b-0000-4000-8000-000000000000", True, live=True)
        assert res.status_code == 404


