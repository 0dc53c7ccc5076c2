"""The self-invoice page's states (the browser test covers the form itself), the receipt e-mail, the daily
job, and a receipt stamped to the general public."""

from __future__ import annotations

import email
import time

import pytest

from tests.factories import run_jobs
from tests.invoices.conftest import Ready
from tests.mail import smtp_server
from tests.payments.helpers import settings
from tests.receipts.helpers import make_receipt, move_created
from tests.receipts.test_global_invoices import _last_month
from timbre.config import get_settings
from timbre.kit.db import session_scope
from timbre.models import EmailMessage
from timbre.receipts.tasks import end_of_period


def _page(ready: Ready, url: str) -> tuple[int, str]:
    res = ready.client.get(url.removeprefix("http://testserver"))
    return res.status_code, res.text


class TestSelfInvoicePageStates:
    def test_open_cancelled_expired_invoiced_and_forged(self, ready: Ready) -> None:
        receipt = make_receipt(ready, client={"id": ready.client_id})
        status, text = _page(ready, receipt["url"])
        assert status == 200 and "Factura tu compra" in text
        assert _page(ready, receipt["url"][:-4] + "0000")[0] == 404
        ready.client.post(f"/v2/receipts/{receipt['id']}/stamp", headers=ready.headers)
        status, text = _page(ready, receipt["url"])
        assert status == 200 and "Este recibo ya fue facturado" in text and "download-pdf" in text
        cancelled = make_receipt(ready)
        ready.client.delete(f"/v2/receipts/{cancelled['id']}", headers=ready.headers)
        assert _page(ready, cancelled["url"])[0] == 410
        expired = make_receipt(ready)
        move_created(expired["id"], int(time.time() * 1000) - 86400_000, int(time.time() * 1000) - 1000)
        status, text = _page(ready, expired["url"])
        assert status == 410 and "El plazo para facturar venció" in text
        posted = ready.client.post("/autofactura", data={"id": expired["id"], "sig": expired["url"].split("sig=")[1],
                                                         "tax_id": "XIQB891116QE4"})
        assert posted.status_code == 410

    def test_missing_fields_are_shown_in_spanish(self, ready: Ready) -> None:
        receipt = make_receipt(ready)
        res = ready.client.post("/autofactura", data={"id": receipt["id"], "sig": receipt["url"].split("sig=")[1],
                                                      "zip": "1234"})
        assert res.status_code == 400
        for text in ("Escribe tu RFC.", "Elige tu régimen fiscal.", "El código postal tiene 5 dígitos.",
                     "Escribe el correo"):
            assert text in res.text


def _body_text(raw: str) -> str:
    message = email.message_from_string(raw)
    part = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode(part.get_content_charset() or "utf-8")


class TestReceiptEmail:
    def _sent(self) -> list[EmailMessage]:
        with session_scope(get_settings().db_url) as session:
            return list(session.query(EmailMessage).all())

    def test_send_email_on_create_and_avoid_receipts_emails(self, ready: Ready,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
        receipt = make_receipt(ready, client={"id": ready.client_id}, send_email=True)
        with smtp_server() as inbox:
            monkeypatch.setattr(get_settings(), "smtp_url", inbox.url)
            run_jobs()
        mails = [m for m in self._sent() if m.to == "berenice@example.com"]
        assert len(mails) == 1 and mails[0].status == "sent" and mails[0].body == ""  # no link kept at rest
        assert len(inbox.messages) == 1
        shown = ready.client.get(f"/v2/receipts/{receipt['id']}", headers=ready.headers).json()["data"]["emails"]
        assert [(e["to"], e["status"]) for e in shown] == [("berenice@example.com", "sent")] and shown[0]["sent_at"]
        text = _body_text(inbox.messages[0])
        assert receipt["url"] in text and "/v2/files/" in text
        settings(ready, emails={"avoid_receipts_emails": True})
        res = ready.client.post(f"/v2/receipts/{receipt['id']}/send", headers=ready.headers)
        assert res.status_code == 200 and res.json()["data"]["suppressed"] is True
        assert len([m for m in self._sent() if m.to == "berenice@example.com"]) == 1
        no_client = make_receipt(ready)
        assert ready.client.post(f"/v2/receipts/{no_client['id']}/send", headers=ready.headers).status_code == 400


class TestDailyJob:
    def test_end_of_period_queues_each_team_and_issues_the_global_invoice(self, ready: Ready) -> None:
        _, noon = _last_month()
        for day in range(2):
            move_created(make_receipt(ready)["id"], noon + day * 86400_000)
        assert end_of_period.call_local() == 1
        results = [r for r in run_jobs() if isinstance(r, dict)]
        assert [r.get("receipts") for r in results] == [2]
        assert end_of_period.call_local() == 0


class TestGeneralPublic:
    def test_stamp_to_general_public_national(self, ready: Ready) -> None:
        receipt = make_receipt(ready)
        res = ready.client.post(f"/v2/receipts/{receipt['id']}/stamp", headers=ready.headers,
                                json={"stamp_to": "general_public_national"})
        assert res.status_code == 200, res.text
        data = res.json()["data"]
        assert data["client"]["tax_id"] == "XAXX010101000" and data["receipt"]["status"] == "completed"
        again = ready.client.post(f"/v2/receipts/{receipt['id']}/stamp", headers=ready.headers,
                                  json={"stamp_to": "general_public_national"})
        assert again.json()["data"]["id"] == data["id"] and again.json()["message"] == "Receipt already invoiced"
        foreign = ready.client.post(f"/v2/receipts/{make_receipt(ready)['id']}/stamp", headers=ready.headers,
                                    json={"stamp_to": "general_public_foreign"})
        assert foreign.status_code == 400
