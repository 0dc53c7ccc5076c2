"""Payment links (request), mark as paid, cancel, refunds, lists, search, support documents, jobs."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update

from tests.factories import _url, run_jobs
from tests.invoices.checks import assert_valid_cfdi, stored_xml
from tests.invoices.conftest import Ready
from tests.payments.helpers import ITEM, get, register, request, settings
from timbre.config import get_settings
from timbre.emails.sealing import open_body
from timbre.kit.db import session_scope
from timbre.models import EmailMessage, Payment

BANK = {"bank_name": "BBVA México", "account_holder": "ESCUELA KEMPER URGATE", "clabe": "012180001234567899"}


def _post(ready: Ready, path: str, body: Any = None) -> Any:
    return ready.client.post(f"/v2{path}", headers=ready.headers, json=body)


class TestRequest:
    def test_a_payment_link_requires_a_payment_method_and_is_emailed(self, ready: Ready) -> None:
        res = request(ready, emails=["cobranza@example.com"])
        assert res.status_code == 201, res.text
        payment = res.json()["data"]
        # gigstack: "creates a payment in 'requires_payment_method' status"
        assert payment["status"] == "requires_payment_method"
        assert payment["allowed_payment_methods"] == ["card", "bank"]
        assert payment["short_url"].startswith("http://testserver/pay/") and payment["invoice_id"] is None
        page = ready.client.get(payment["short_url"])
        assert page.status_code == 200 and "1,160.00" in page.text
        with session_scope(_url()) as session:
            sent = {m.to: open_body(get_settings().secret(), m.body) for m in session.query(EmailMessage).all()}
        assert set(sent) == {"berenice@example.com", "cobranza@example.com"}
        assert payment["short_url"] in sent["cobranza@example.com"]

    def test_default_methods_follow_the_teams_integrations(self, ready: Ready) -> None:
        assert request(ready, allowed_payment_methods=None).json()["data"]["allowed_payment_methods"] == ["bank"]
        res = ready.client.patch(f"/v2/teams/{ready.account.team_id}/integrations/stripe/settings",
                                 headers=ready.headers, json={"checkout_url": "https://buy.stripe.com/test_123"})
        assert res.status_code == 200, res.text
        methods = request(ready, allowed_payment_methods=None).json()["data"]["allowed_payment_methods"]
        assert methods == ["card"]

    def test_bank_settings_check_the_clabe(self, ready: Ready) -> None:
        url = f"/v2/teams/{ready.account.team_id}/integrations/bank/settings"
        bad = ready.client.patch(url, headers=ready.headers, json={**BANK, "clabe": "012180001234567890"})
        assert bad.status_code == 422 and bad.json()["error"]["details"][0]["field"] == "clabe"
        ok = ready.client.patch(url, headers=ready.headers, json=BANK)
        assert ok.status_code == 200 and ok.json()["data"]["settings"]["clabe"] == BANK["clabe"]
        team = get(ready, f"/teams/{ready.account.team_id}")["data"]
        assert team["integrations"]["bank"]["completed"] is True
        assert ready.client.patch(f"/v2/teams/{ready.account.team_id}/integrations/nope/settings",
                                  headers=ready.headers, json={}).status_code == 404

    def test_the_same_key_requests_once(self, ready: Ready) -> None:
        one = request(ready, idempotency_key="req-1").json()["data"]
        two = request(ready, idempotency_key="req-1").json()["data"]
        assert one["id"] == two["id"] and get(ready, "/payments")["total_results"] == 1


class TestMarkPaid:
    def test_marking_a_link_paid_runs_its_automation(self, ready: Ready) -> None:
        payment = request(ready, automation_type="pue_invoice").json()["data"]
        assert payment["automation"]["status"] == "pending"
        res = _post(ready, f"/payments/{payment['id']}/paid", {"payment_form": "03"})
        assert res.status_code == 200, res.text
        paid = res.json()["data"]
        assert paid["status"] == "succeeded" and paid["payment_form"] == "03"
        assert paid["payment_processor"] == "manual" and paid["invoice"]["status"] == "valid"
        again = _post(ready, f"/payments/{payment['id']}/paid", {"payment_form": "03"})
        assert again.status_code == 409
        assert get(ready, "/invoices/income")["total_results"] == 1

    def test_a_payment_form_is_required(self, ready: Ready) -> None:
        payment = request(ready).json()["data"]
        res = ready.client.post(f"/v2/payments/{payment['id']}/paid", headers={
            **ready.headers, "Content-Type": "application/json"}, content=b"")
        assert res.status_code == 400 and res.json()["error"]["details"][0]["field"] == "payment_form"


class TestCancel:
    def test_an_unpaid_payment_is_cancelled_a_paid_one_is_not(self, ready: Ready) -> None:
        payment = request(ready).json()["data"]
        res = ready.client.delete(f"/v2/payments/{payment['id']}", headers=ready.headers)
        assert res.status_code == 200 and res.json()["data"]["status"] == "cancelled"
        assert ready.client.delete(f"/v2/payments/{payment['id']}", headers=ready.headers).status_code == 409
        assert _post(ready, f"/payments/{payment['id']}/paid", {"payment_form": "03"}).status_code == 400
        paid = register(ready, automation_type="none").json()["data"]
        refused = ready.client.delete(f"/v2/payments/{paid['id']}", headers=ready.headers)
        assert refused.status_code == 400 and "refund" in refused.json()["error"]["message"]
        assert ready.client.delete("/v2/payments/payment_missing", headers=ready.headers).status_code == 404


class TestRefund:
    def test_partial_then_full_refund(self, ready: Ready) -> None:
        payment = register(ready, automation_type="none").json()["data"]
        part = _post(ready, f"/payments/{payment['id']}/refund", {"amount": 160, "reason": "requested_by_customer"})
        assert part.status_code == 200, part.text
        data = part.json()["data"]
        assert data["status"] == "succeeded" and data["amount_refunded"] == 160.0
        assert data["refunds"][0]["amount"] == 160.0 and data["refunds"][0]["fiscal_action"] == "none"
        too_much = _post(ready, f"/payments/{payment['id']}/refund", {"amount": 1000.01})
        assert too_much.status_code == 400
        rest = ready.client.post(f"/v2/payments/{payment['id']}/refund", headers={
            **ready.headers, "Content-Type": "application/json"}, content=b"")
        assert rest.status_code == 200 and rest.json()["data"]["status"] == "refunded"
        assert rest.json()["data"]["amount_refunded"] == 1160.0 and rest.json()["data"]["refunded_at"]
        assert _post(ready, f"/payments/{payment['id']}/refund").status_code == 409
        pending = request(ready).json()["data"]
        assert _post(ready, f"/payments/{pending['id']}/refund").status_code == 400

    def test_a_full_refund_cancels_the_pending_receipt(self, ready: Ready) -> None:
        settings(ready, cancel_receipts_on_refunds=True)
        payment = register(ready, automation_type="receipt").json()["data"]
        refunded = _post(ready, f"/payments/{payment['id']}/refund").json()["data"]
        assert refunded["receipt"]["status"] == "cancelled" and refunded["refunds"][0]["receipt_cancelled"] is True

    def test_this_months_invoice_is_cancelled_on_a_full_refund(self, ready: Ready) -> None:
        settings(ready, refunds={"current_month_handler": "cancel_resources"})
        payment = register(ready).json()["data"]
        refunded = _post(ready, f"/payments/{payment['id']}/refund").json()["data"]
        assert refunded["refunds"][0]["fiscal_action"] == "invoice_cancelled"
        assert get(ready, f"/invoices/income/{payment['invoice']['uuid']}")["data"]["status"] == "cancelled"

    def test_a_credit_note_for_a_partial_refund(self, ready: Ready) -> None:
        settings(ready, refunds={"current_month_handler": "credit_note"})
        payment = register(ready).json()["data"]
        refund = _post(ready, f"/payments/{payment['id']}/refund", {"amount": 116}).json()["data"]["refunds"][0]
        assert refund["fiscal_action"] == "credit_note", refund
        note = get(ready, f"/invoices/egress/{refund['credit_note_id']}")["data"]
        assert note["status"] == "valid" and note["total"] == 116.0 and note["taxes"] == 16.0
        assert note["related_documents"] == [{"relationship": "01", "documents": [payment["invoice"]["uuid"]]}]

    def test_a_credit_note_gives_back_each_tax_rates_share(self, ready: Ready) -> None:
        """A payment for items taxed differently: the credit note refunds each rate in proportion."""
        settings(ready, refunds={"current_month_handler": "credit_note"})
        zero = {**ITEM, "description": "Libros", "taxes": [{"type": "IVA", "rate": 0, "factor": "Tasa",
                                                            "withholding": False}]}
        payment = register(ready, items=[ITEM, zero]).json()["data"]  # 1,160 + 1,000 = 2,160
        refund = _post(ready, f"/payments/{payment['id']}/refund", {"amount": 216}).json()["data"]["refunds"][0]
        assert refund["fiscal_action"] == "credit_note", refund
        note = get(ready, f"/invoices/egress/{refund['credit_note_id']}")["data"]
        assert note["status"] == "valid" and note["total"] == 216.0 and note["taxes"] == 16.0
        shares = sorted((item["total"], [t["rate"] for t in item["taxes"]]) for item in note["items"])
        assert shares == [(100.0, [0.0]), (116.0, [0.16])]
        root = assert_valid_cfdi(stored_xml(ready.client, ready.headers, note["uuid"]))
        cfdi = "{http://www.sat.gob.mx/cfd/4}"
        rates = sorted(t.get("TasaOCuota") for c in root.iter(f"{cfdi}Concepto") for t in c.iter(f"{cfdi}Traslado"))
        assert rates == ["0.000000", "0.160000"]


class TestReading:
    def test_filters_and_search(self, ready: Ready) -> None:
        register(ready, automation_type="none", metadata={"order": "PED-77"})
        request(ready, currency="USD", exchange_rate=17.5)
        other = {"client": {"name": "Otro", "email": "otro@example.com", "tax_id": "XAXX010101000"}}
        register(ready, automation_type="none", **other)
        assert get(ready, "/payments")["total_results"] == 3
        assert get(ready, "/payments", status="requires_payment_method")["total_results"] == 1
        assert get(ready, "/payments", currency="usd")["total_results"] == 1
        assert get(ready, "/payments", client_id=ready.client_id)["total_results"] == 2
        assert get(ready, "/payments", email="BERENICE@example.com")["total_results"] == 2
        assert get(ready, "/payments", tax_id="XAXX010101000")["data"][0]["client"]["email"] == "otro@example.com"
        found = get(ready, "/payments/search", q="ped-77")
        assert found["found"] == 1 and found["page"] == 1 and found["per_page"] == 10
        assert get(ready, "/payments/search", q="berenice", status="succeeded")["found"] == 1
        assert ready.client.get("/v2/payments", headers=ready.headers, params={"status": "paid"}).status_code == 422
        assert ready.client.get("/v2/payments/payment_none", headers=ready.headers).status_code == 404

    def test_metadata_and_emails_are_updated(self, ready: Ready) -> None:
        payment = register(ready, automation_type="none", metadata={"a": "1", "b": "2"}).json()["data"]
        res = ready.client.put(f"/v2/payments/{payment['id']}", headers=ready.headers,
                               json={"metadata": {"a": None, "c": "3"}, "emails": ["x@example.com"]})
        assert res.json()["data"]["metadata"] == {"b": "2", "c": "3"}
        assert res.json()["data"]["emails"] == ["x@example.com"]

    def test_an_unpaid_payment_takes_gigstacks_update_body(self, ready: Ready) -> None:
        payment = request(ready).json()["data"]
        other = ready.client.post("/v2/clients", headers=ready.headers, json={
            "legal_name": "ESCUELA KEMPER URGATE", "tax_id": "EKU9003173C9", "tax_system": "601", "use": "G03",
            "email": "pagos@eku.mx", "address": {"zip": "42501"}}).json()["data"]
        two = {**ITEM, "description": "Soporte", "quantity": 2, "unit_price": 500}
        res = ready.client.put(f"/v2/payments/{payment['id']}", headers=ready.headers, json={
            "items": [ITEM, two], "client": {"id": other["id"]}, "automation_type": "pue_invoice"})
        assert res.status_code == 200, res.text
        data = res.json()["data"]
        assert [i["description"] for i in data["items"]] == ["Consultoría", "Soporte"]
        assert (data["subtotal"], data["taxes"], data["total"]) == (2000.0, 320.0, 2320.0)
        assert data["client"]["id"] == other["id"] and data["automation_type"] == "pue_invoice"
        assert get(ready, "/payments/search", q="kemper")["found"] == 1
        # Fields without an id patch the payment's client record.
        res = ready.client.put(f"/v2/payments/{payment['id']}", headers=ready.headers,
                               json={"client": {"email": "cobros@eku.mx"}})
        assert res.status_code == 200 and res.json()["data"]["client"]["email"] == "cobros@eku.mx"
        assert get(ready, f"/clients/{other['id']}")["data"]["email"] == "cobros@eku.mx"
        # Paid, its invoice follows the new items and client.
        paid = _post(ready, f"/payments/{payment['id']}/paid", {"payment_form": "03"}).json()["data"]
        invoice = get(ready, f"/invoices/income/{paid['invoice']['uuid']}")["data"]
        assert invoice["total"] == 2320.0 and invoice["client"]["tax_id"] == "EKU9003173C9"

    def test_a_paid_payment_keeps_its_items_client_and_automation(self, ready: Ready) -> None:
        payment = register(ready, automation_type="none").json()["data"]
        for body in ({"items": [ITEM]}, {"client": {"id": ready.client_id}}, {"automation_type": "pue_invoice"}):
            res = ready.client.put(f"/v2/payments/{payment['id']}", headers=ready.headers, json=body)
            assert res.status_code == 400 and res.json()["message"] == "Cannot update payment", body
        assert ready.client.put(f"/v2/payments/{payment['id']}", headers=ready.headers,
                                json={"metadata": {"a": "1"}}).status_code == 200

    def test_bad_update_bodies_are_refused_and_change_nothing(self, ready: Ready) -> None:
        payment = request(ready, automation_type="receipt").json()["data"]
        url = f"/v2/payments/{payment['id']}"
        res = ready.client.put(url, headers=ready.headers, json={"automation_type": "pue_invoice"})
        assert res.status_code == 400 and "already has the automation" in res.json()["error"]["message"]
        res = ready.client.put(url, headers=ready.headers, json={"items": [{"id": "service_nope"}]})
        assert res.status_code == 400
        assert ready.client.put(url, headers=ready.headers, json={"automation_type": "nope"}).status_code == 422
        assert ready.client.put(url, headers=ready.headers, json={"client": {"tax_id": "BAD"}}).status_code == 400
        assert get(ready, f"/payments/{payment['id']}")["data"]["total"] == payment["total"]

    def test_test_and_live_payments_never_mix(self, ready: Ready) -> None:
        payment = register(ready, automation_type="none").json()["data"]
        live = ready.account.headers(live=True)
        assert ready.client.get(f"/v2/payments/{payment['id']}", headers=live).status_code == 404
        assert ready.client.get("/v2/payments", headers=live).json()["total_results"] == 0


class TestSupportDocuments:
    def test_upload_and_list(self, ready: Ready) -> None:
        payment = register(ready, automation_type="none").json()["data"]
        url = f"/v2/payments/{payment['id']}/support-documents"
        res = ready.client.post(url, headers=ready.headers, files={"file": ("comprobante.pdf", b"%PDF-1.4 test")},
                                data={"documentType": "payment_proof"})
        assert res.status_code == 201, res.text
        assert res.json()["data"]["linkedEntities"] == [{"entityType": "payment", "entityId": payment["id"]}]
        listed = get(ready, f"/payments/{payment['id']}/support-documents")
        assert [d["fileName"] for d in listed["data"]] == ["comprobante.pdf"]
        bad = ready.client.post(url, headers=ready.headers, files={"file": ("x.pdf", b"MZ not a pdf")},
                                data={"documentType": "payment_proof"})
        assert bad.status_code == 415


class TestSweep:
    def test_a_paid_payment_whose_automation_never_ran_is_resumed_once(self, ready: Ready) -> None:
        from timbre.payments.tasks import run_automation, sweep_automations

        payment = request(ready, automation_type="pue_invoice").json()["data"]
        with session_scope(_url()) as session:  # a processor's confirmation that committed, then crashed
            session.execute(update(Payment).where(Payment.id == payment["id"]).values(
                status="succeeded", payment_form="04", succeeded_at=1, updated_at=1))
        assert sweep_automations.call_local() == 1
        assert "done" in run_jobs()  # (with the e-mails of the payment link and of the invoice)
        assert run_automation.call_local(payment["id"], ready.account.team_id, False) == "done"
        assert get(ready, "/invoices/income")["total_results"] == 1
        assert get(ready, f"/payments/{payment['id']}")["data"]["invoice"]["status"] == "valid"
