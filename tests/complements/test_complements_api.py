"""POST/GET /invoices/payment: several invoices, foreign currencies, SAT's rules, cancellation."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.complements.helpers import PAGOS, dec, invoice, pay, ppd_invoice, stamped_pagos
from tests.invoices.conftest import Ready


class TestSeveralInvoices:
    def test_one_payment_pays_two_invoices(self, ready: Ready) -> None:
        first, second = ppd_invoice(ready, 1000.0), ppd_invoice(ready, 500.0)
        res = pay(ready, (first["uuid"], 1160.0), (second["uuid"], 100.0), operation_number="SPEI-123")
        assert res.status_code == 201, res.text
        data = res.json()["data"]
        assert [d["uuid"] for d in data["invoices"]] == [first["uuid"], second["uuid"]]
        assert data["payment"]["amount"] == 1260.0 and data["payment"]["operation_number"] == "SPEI-123"
        pago = stamped_pagos(ready, data["uuid"]).find(f"{PAGOS}Pago")
        assert dec(pago, "Monto") == Decimal("1260.00") and pago.get("NumOperacion") == "SPEI-123"
        assert len(pago.findall(f"{PAGOS}DoctoRelacionado")) == 2
        assert invoice(ready, first["uuid"])["last_balance"] == 0.0
        assert invoice(ready, second["uuid"])["last_balance"] == 480.0
        got = ready.client.get(f"/v2/invoices/payment/{data['uuid']}", headers=ready.headers).json()["data"]
        assert got["id"] == data["id"] and got["invoices"] == data["invoices"]

    def test_the_same_invoice_twice_is_refused(self, ready: Ready) -> None:
        ppd = ppd_invoice(ready, 1000.0)
        res = pay(ready, (ppd["uuid"], 10.0), (ppd["uuid"], 10.0))
        assert res.status_code == 400 and res.json()["error"]["details"][0]["field"] == "invoices[1].uuid"


class TestForeignCurrency:
    def test_usd_invoice_paid_in_mxn_with_its_equivalence(self, ready: Ready) -> None:
        ppd = ppd_invoice(ready, 100.0, currency="USD", exchange_rate=17.5)
        res = ready.client.post("/v2/invoices/payment", headers=ready.headers, json={
            "invoices": [{"uuid": ppd["uuid"], "amount": 116.0, "equivalence": 0.05}],
            "payment_form": "03", "currency": "MXN"})
        assert res.status_code == 201, res.text
        pago = stamped_pagos(ready, res.json()["data"]["uuid"]).find(f"{PAGOS}Pago")
        docto = pago.find(f"{PAGOS}DoctoRelacionado")
        assert docto.get("MonedaDR") == "USD" and dec(docto, "EquivalenciaDR") == Decimal("0.05")
        assert dec(pago, "Monto") == Decimal("2320.00") and pago.get("MonedaP") == "MXN"
        assert invoice(ready, ppd["uuid"])["last_balance"] == 0.0

    def test_usd_payment_of_a_usd_invoice_carries_the_exchange_rate(self, ready: Ready) -> None:
        ppd = ppd_invoice(ready, 100.0, currency="USD", exchange_rate=17.5)
        res = pay(ready, (ppd["uuid"], 50.0), currency="USD", exchange_rate=18.25)
        assert res.status_code == 201, res.text
        pagos = stamped_pagos(ready, res.json()["data"]["uuid"])
        pago = pagos.find(f"{PAGOS}Pago")
        assert pago.get("MonedaP") == "USD" and dec(pago, "TipoCambioP") == Decimal("18.25")
        assert dec(pagos.find(f"{PAGOS}Totales"), "MontoTotalPagos") == Decimal("912.50")

    def test_a_foreign_payment_without_its_exchange_rate_is_a_400(self, ready: Ready) -> None:
        ppd = ppd_invoice(ready, 100.0, currency="USD", exchange_rate=17.5)
        res = pay(ready, (ppd["uuid"], 50.0), currency="USD")
        assert res.status_code == 400, res.text


class TestSatRules:
    def test_a_pue_invoice_takes_no_complement(self, ready: Ready) -> None:
        pue = ready.create().json()["data"]
        res = pay(ready, (pue["uuid"], 10.0))
        assert res.status_code == 400
        assert res.json()["error"]["details"][0]["code"] == "CRP20999"

    def test_payment_form_99_breaks_crp_rules(self, ready: Ready) -> None:
        ppd = ppd_invoice(ready, 1000.0)
        res = pay(ready, (ppd["uuid"], 10.0), payment_form="99")
        body = res.json()
        assert res.status_code == 400 and body["message"] == "Payment complement breaks SAT rules"
        assert [(d["code"], d["field"]) for d in body["error"]["details"]] == [("CRP20212", "payment_form")]
        assert invoice(ready, ppd["uuid"])["last_balance"] == 1160.0

    def test_a_bank_account_the_payment_form_cannot_carry_is_named(self, ready: Ready) -> None:
        ppd = ppd_invoice(ready, 1000.0)
        res = pay(ready, (ppd["uuid"], 10.0), payment_form="01", payee_bank={"account": "12"})
        details = res.json()["error"]["details"]
        assert res.status_code == 400 and ("CRP20228", "payee_bank.account") in [(d["code"], d["field"])
                                                                                 for d in details]

    def test_the_error_catalog_serves_crp_codes(self, ready: Ready) -> None:
        res = ready.client.get("/v2/invoices/cfdi-errors", headers=ready.headers, params={"code": "CRP20201"})
        assert res.status_code == 200 and res.json()["data"][0]["code"] == "CRP20201"
        many = ready.client.get("/v2/invoices/cfdi-errors", headers=ready.headers, params={"q": "CRP20",
                                                                                             "limit": 100}).json()
        assert many["total"] >= 100


class TestCancellation:
    def test_a_ppd_invoice_with_complements_cannot_be_cancelled(self, ready: Ready) -> None:
        ppd = ppd_invoice(ready, 1000.0)
        assert pay(ready, (ppd["uuid"], 100.0)).status_code == 201
        res = ready.client.request("DELETE", f"/v2/invoices/{ppd['uuid']}", headers=ready.headers,
                                   json={"motive": "02"})
        body = res.json()
        assert res.status_code == 400 and body["message"] == "Cannot cancel invoice"
        assert body["error"]["message"] == "Invoice has dependent payment complements"

    def test_cancelling_a_complement_gives_the_balance_back(self, ready: Ready) -> None:
        ppd = ppd_invoice(ready, 1000.0)
        first = pay(ready, (ppd["uuid"], 100.0)).json()["data"]
        second = pay(ready, (ppd["uuid"], 200.0)).json()["data"]
        assert invoice(ready, ppd["uuid"])["last_balance"] == 860.0
        res = ready.client.request("DELETE", f"/v2/invoices/{second['uuid']}", headers=ready.headers,
                                   json={"motive": "02"})
        assert res.status_code == 200, res.text
        assert invoice(ready, ppd["uuid"])["last_balance"] == 1060.0
        again = pay(ready, (ppd["uuid"], 1060.0)).json()["data"]
        assert again["invoices"][0]["installment"] == 2 and again["invoices"][0]["previous_balance"] == 1060.0
        assert first["invoices"][0]["installment"] == 1
        ready.client.request("DELETE", f"/v2/invoices/{first['uuid']}", headers=ready.headers, json={"motive": "02"})
        ready.client.request("DELETE", f"/v2/invoices/{again['uuid']}", headers=ready.headers, json={"motive": "02"})
        res = ready.client.request("DELETE", f"/v2/invoices/{ppd['uuid']}", headers=ready.headers,
                                   json={"motive": "02"})
        assert res.status_code == 200, res.text


class TestFiles:
    def test_a_complement_has_its_pdf(self, ready: Ready) -> None:
        from tests.invoices.checks import download, pdf_text

        ppd = ppd_invoice(ready, 1000.0)
        data = pay(ready, (ppd["uuid"], 160.0)).json()["data"]
        links = ready.client.get(f"/v2/invoices/{data['uuid']}/files", headers=ready.headers).json()["data"]
        text = pdf_text(download(ready.client, links["pdf"]).content)
        assert data["uuid"] in text and ppd["uuid"] in text


class TestReleasedBalances:
    def test_a_complement_that_fails_gives_its_amount_back(self, ready: Ready) -> None:
        from tests.factories import _url
        from timbre.kit.db import session_scope
        from timbre.models import Invoice

        ppd = ppd_invoice(ready, 1000.0)
        complement = pay(ready, (ppd["uuid"], 400.0)).json()["data"]
        assert invoice(ready, ppd["uuid"])["last_balance"] == 760.0
        with session_scope(_url()) as session:  # what the stamping's recovery records when the PAC refuses it
            row = session.get(Invoice, complement["id"])
            assert row is not None
            row.status = "failed"
        assert invoice(ready, ppd["uuid"])["last_balance"] == 1160.0
        got = ready.client.get(f"/v2/invoices/payment/{complement['id']}", headers=ready.headers).json()["data"]
        assert got["invoices"][0]["status"] == "released"
        again = pay(ready, (ppd["uuid"], 1160.0)).json()["data"]
        assert again["invoices"][0]["installment"] == 1 and again["invoices"][0]["previous_balance"] == 1160.0


class TestEmail:
    def test_send_email_mails_the_stamped_complement_and_false_does_not(self, ready: Ready,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
        from tests.factories import run_jobs
        from tests.mail import smtp_server
        from timbre.config import get_settings
        from timbre.kit.db import session_scope
        from timbre.models import EmailMessage

        ppd = ppd_invoice(ready, 1000.0)
        run_jobs()
        quiet = pay(ready, (ppd["uuid"], 100.0), send_email=False)
        mailed = pay(ready, (ppd["uuid"], 100.0), send_email=True, emails=["pagos@example.com"])
        assert quiet.status_code == 201 and mailed.status_code == 201, mailed.text
        with smtp_server() as inbox:
            monkeypatch.setattr(get_settings(), "smtp_url", inbox.url)
            run_jobs()
        with session_scope(get_settings().db_url) as session:
            messages = session.query(EmailMessage).filter(EmailMessage.team_id == ready.account.team_id).all()
            assert [m.to for m in messages] == ["pagos@example.com"]
            data = mailed.json()["data"]
            assert messages[0].subject.startswith("Complemento de pago ")
            assert messages[0].status == "sent" and messages[0].body == ""  # the links are not kept at rest
        assert len(inbox.messages) == 1
        assert data["uuid"] in inbox.messages[0] and "/v2/files/" in inbox.messages[0]
