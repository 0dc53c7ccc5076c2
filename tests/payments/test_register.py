"""POST /payments/register and the automations that follow a paid payment."""

from __future__ import annotations

from decimal import Decimal

from tests.complements.helpers import ppd_invoice
from tests.factories import create_account
from tests.invoices.checks import assert_valid_cfdi, stored_xml
from tests.invoices.conftest import CLIENT, Ready
from tests.payments.helpers import ITEM, get, register, settings


class TestPueInvoice:
    def test_a_registered_payment_is_succeeded_with_its_stamped_invoice(self, ready: Ready) -> None:
        res = register(ready, metadata={"order": "A-1"})
        assert res.status_code == 201, res.text
        body = res.json()
        assert body["message"] == "Payment registered successfully"
        payment = body["data"]
        assert payment["id"].startswith("payment_") and payment["status"] == "succeeded"
        assert payment["payment_processor"] == "api" and payment["succeeded_at"] and payment["livemode"] is False
        assert (payment["subtotal"], payment["taxes"], payment["total"]) == (1000.0, 160.0, 1160.0)
        assert payment["automation"] == {"status": "done", "error": None}
        assert payment["invoice"]["status"] == "valid" and payment["invoices"] == [payment["invoice_id"]]
        invoice = get(ready, f"/invoices/income/{payment['invoice']['uuid']}")["data"]
        assert (invoice["payment_method"], invoice["payment_form"], invoice["total"]) == ("PUE", "03", 1160.0)
        assert invoice["metadata"] == {"order": "A-1", "payment_id": payment["id"]}
        assert_valid_cfdi(stored_xml(ready.client, ready.headers, invoice["uuid"]))

    def test_every_spelling_of_the_pue_automation(self, ready: Ready) -> None:
        for spelling in ("payment", "stamp_invoice", "PUE_INVOICE"):
            payment = register(ready, automation_type=spelling).json()["data"]
            assert payment["automation_type"] == "pue_invoice" and payment["invoice"]["payment_method"] == "PUE"
        assert register(ready, automation_type="invoice_please").status_code == 422


class TestIdempotency:
    def test_the_same_key_twice_makes_one_payment_and_one_invoice(self, ready: Ready) -> None:
        first = register(ready, idempotency_key="cli_1700000000000")
        again = register(ready, idempotency_key="cli_1700000000000")
        assert first.status_code == 201 and again.status_code == 201
        assert again.headers.get("idempotent-replayed") == "true" and again.json() == first.json()
        assert get(ready, "/payments")["total_results"] == 1
        assert get(ready, "/invoices/income")["total_results"] == 1

    def test_a_retry_after_the_replay_window_still_finds_the_first_payment(self, ready: Ready) -> None:
        from sqlalchemy import delete

        from tests.factories import _url
        from timbre.kit.db import session_scope
        from timbre.models import IdempotencyRecord

        first = register(ready, idempotency_key="key-1").json()["data"]
        with session_scope(_url()) as session:
            session.execute(delete(IdempotencyRecord))
        again = register(ready, idempotency_key="key-1")
        assert again.status_code == 200 and again.json()["message"] == "Payment already registered"
        assert again.json()["data"]["id"] == first["id"] and again.json()["data"]["invoice_id"] == first["invoice_id"]
        assert get(ready, "/invoices/income")["total_results"] == 1

    def test_the_header_key_works_as_the_body_key(self, ready: Ready) -> None:
        headers = {**ready.headers, "Idempotency-Key": "hdr-1"}
        body = {"automation_type": "none", "client": {"id": ready.client_id}, "items": [ITEM], "payment_form": "01"}
        one = ready.client.post("/v2/payments/register", headers=headers, json=body)
        two = ready.client.post("/v2/payments/register", headers=headers, json=body)
        assert one.json()["data"]["id"] == two.json()["data"]["id"]
        assert get(ready, "/payments")["total_results"] == 1


class TestPpdAutomations:
    def test_ppd_invoice_and_complement(self, ready: Ready) -> None:
        payment = register(ready, automation_type="payment_and_complement", operation_number="REF123").json()["data"]
        assert payment["automation"]["status"] == "done", payment["automation"]
        assert payment["invoice"]["payment_method"] == "PPD" and payment["complement"]["status"] == "valid"
        assert payment["invoices"] == [payment["invoice_id"], payment["complement_id"]]
        invoice = get(ready, f"/invoices/income/{payment['invoice']['uuid']}")["data"]
        assert invoice["payment_form"] == "99" and invoice["last_balance"] == 0.0
        complement = get(ready, f"/invoices/payment/{payment['complement']['uuid']}")["data"]
        assert complement["payment_id"] == payment["id"] and complement["payment"]["operation_number"] == "REF123"
        assert complement["invoices"][0]["uuid"] == invoice["uuid"] and complement["total"] == 1160.0

    def test_payments_of_a_ppd_invoice_issue_its_complements_until_it_is_paid(self, ready: Ready) -> None:
        ppd = ppd_invoice(ready, 100000.0)
        for amount, balance in ((50000, 66000), (40000, 26000), (26000, 0)):
            res = register(ready, ppd_invoice_id=ppd["uuid"], items=None, amount=amount, automation_type=None)
            assert res.status_code == 201, res.text
            payment = res.json()["data"]
            assert payment["complement"]["status"] == "valid" and payment["client"]["id"] == ready.client_id
            assert get(ready, f"/invoices/income/{ppd['uuid']}")["data"]["last_balance"] == balance
        refused = register(ready, ppd_invoice_id=ppd["uuid"], items=None, amount=1)
        assert refused.status_code == 400 and refused.json()["error"]["code"] == "overpayment"
        assert get(ready, "/invoices/payment", invoice_id=ppd["uuid"])["total_results"] == 3
        assert get(ready, "/payments")["total_results"] == 3

    def test_without_an_amount_a_payment_settles_the_balance(self, ready: Ready) -> None:
        ppd = ppd_invoice(ready, 1000.0)
        payment = register(ready, ppd_invoice_id=ppd["id"], items=None).json()["data"]
        assert payment["total"] == 1160.0 and payment["complement"]["status"] == "valid"

    def test_settings_can_leave_complements_to_be_issued_by_hand(self, ready: Ready) -> None:
        settings(ready, automate_complement_for_ppd_invoices=False)
        ppd = ppd_invoice(ready, 1000.0)
        payment = register(ready, ppd_invoice_id=ppd["uuid"], items=None, amount=100).json()["data"]
        assert payment["complement_id"] is None and payment["automation"]["status"] == "done"
        assert payment["automation"]["error"]["code"] == "complement_not_automated"

    def test_partial_payment_complements_can_be_turned_off(self, ready: Ready) -> None:
        settings(ready, automate_partial_payment_complements=False)
        ppd = ppd_invoice(ready, 1000.0)
        partial = register(ready, ppd_invoice_id=ppd["uuid"], items=None, amount=100).json()["data"]
        assert partial["complement_id"] is None
        # No complement, no change of balance: a payment of the whole balance is not partial.
        assert get(ready, f"/invoices/income/{ppd['uuid']}")["data"]["last_balance"] == 1160.0
        whole = register(ready, ppd_invoice_id=ppd["uuid"], items=None).json()["data"]
        assert whole["complement"]["status"] == "valid"


class TestOtherAutomations:
    def test_a_client_without_fiscal_data_gets_a_pending_receipt(self, ready: Ready) -> None:
        body = {"client": {"email": "ana@example.com", "name": "Ana",
                           "search": {"on_key": "email", "on_value": "ana@example.com", "auto_create": True}}}
        payment = register(ready, **body).json()["data"]
        assert payment["automation"]["status"] == "receipt_pending" and payment["invoice_id"] is None
        assert payment["receipt"]["status"] == "pending" and payment["client"]["email"] == "ana@example.com"

    def test_receipt_none_and_excluded_currencies(self, ready: Ready) -> None:
        assert register(ready, automation_type="receipt").json()["data"]["automation"]["status"] == "receipt_pending"
        none = register(ready, automation_type="none").json()["data"]
        assert none["automation"]["status"] == "none" and none["invoice_id"] is None
        settings(ready, avoid_automations_on_currencies=["USD"])
        usd = register(ready, currency="USD", exchange_rate=17.5).json()["data"]
        assert usd["automation"]["status"] == "skipped" and usd["invoice_id"] is None
        assert usd["automation"]["error"]["code"] == "currency_excluded"
        assert get(ready, "/invoices/income")["total_results"] == 0

    def test_a_failed_automation_keeps_the_payment_and_says_why(self, ready: Ready) -> None:
        account = create_account("Sin CSD")  # payments work without a SAT connection; invoices do not
        headers = account.headers()
        client_id = ready.client.post("/v2/clients", headers=headers, json=CLIENT).json()["data"]["id"]
        body = {"automation_type": "pue_invoice", "client": {"id": client_id}, "items": [ITEM], "payment_form": "03"}
        res = ready.client.post("/v2/payments/register", headers=headers, json=body)
        assert res.status_code == 201, res.text
        payment = res.json()["data"]
        assert payment["status"] == "succeeded" and payment["automation"]["status"] == "failed"
        assert payment["automation"]["error"]["message"] == "Team is not ready for invoicing"
        assert payment["invoice_id"] is None

    def test_the_automation_defaults_to_the_clients_preference(self, ready: Ready) -> None:
        res = ready.client.put(f"/v2/clients/{ready.client_id}", headers=ready.headers,
                               json={"defaults": {"issue_automatic_invoices": True}})
        assert res.status_code == 200, res.text
        payment = register(ready, automation_type=None).json()["data"]
        assert payment["automation_type"] == "pue_invoice" and payment["invoice"]["status"] == "valid"


class TestValidation:
    def test_items_or_amount_and_a_client_are_required(self, ready: Ready) -> None:
        assert register(ready, items=None).status_code == 400
        assert register(ready, client=None).status_code == 400
        assert register(ready, items=[ITEM], amount=10).status_code == 400
        assert register(ready, currency="ZZZ").status_code == 400
        assert register(ready, currency="USD").json()["error"]["details"][0]["field"] == "exchange_rate"

    def test_amount_without_items_is_an_untaxed_charge(self, ready: Ready) -> None:
        payment = register(ready, items=None, amount=250.5, automation_type="none").json()["data"]
        assert (payment["subtotal"], payment["taxes"], payment["total"], payment["items"]) == (250.5, 0.0, 250.5, [])
        assert Decimal(str(payment["amount"])) == Decimal("250.5")
