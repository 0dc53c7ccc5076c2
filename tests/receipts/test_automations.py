"""Receipts made by payment automations, a client's pending receipts in one CFDI, and refunds."""

from __future__ import annotations

from decimal import Decimal

from tests.invoices.checks import assert_valid_cfdi, stored_xml
from tests.invoices.conftest import Ready
from tests.payments.helpers import register, settings
from tests.receipts.helpers import ITEM, make_receipt

CFDI = "{http://www.sat.gob.mx/cfd/4}"


class TestPaymentAutomation:
    def test_receipt_automation_creates_a_real_receipt(self, ready: Ready) -> None:
        payment = register(ready, automation_type="receipt").json()["data"]
        assert payment["automation"]["status"] == "receipt_pending" and payment["receipt_id"].startswith("receipt_")
        receipt = ready.client.get(f"/v2/receipts/{payment['receipt_id']}", headers=ready.headers).json()["data"]
        assert receipt["payment_id"] == payment["id"] and receipt["status"] == "pending"
        assert receipt["total"] == payment["total"] and receipt["client"]["id"] == payment["client"]["id"]
        again = ready.client.get(f"/v2/payments/{payment['id']}", headers=ready.headers).json()["data"]
        assert again["receipt_id"] == payment["receipt_id"]
        assert ready.client.get("/v2/receipts", headers=ready.headers).json()["total_results"] == 1

    def test_pue_invoice_for_a_client_without_fiscal_data(self, ready: Ready) -> None:
        payment = register(ready, automation_type="pue_invoice", client={"name": "Ana", "email": "ana@example.com"})
        data = payment.json()["data"]
        assert data["invoice_id"] is None and data["receipt_id"] and data["automation"]["status"] == "receipt_pending"

    def test_a_full_refund_cancels_the_receipt(self, ready: Ready) -> None:
        settings(ready, cancel_receipts_on_refunds=True)
        payment = register(ready, automation_type="receipt").json()["data"]
        res = ready.client.post(f"/v2/payments/{payment['id']}/refund", headers=ready.headers)
        assert res.status_code == 200, res.text
        receipt = ready.client.get(f"/v2/receipts/{payment['receipt_id']}", headers=ready.headers).json()["data"]
        assert receipt["status"] == "cancelled"


class TestStampPendingReceipts:
    def test_open_receipts_in_one_cfdi(self, ready: Ready) -> None:
        receipts = [make_receipt(ready, client={"id": ready.client_id}),
                    make_receipt(ready, client={"id": ready.client_id}, items=[{**ITEM, "unit_price": 99.9}])]
        make_receipt(ready)  # another customer's
        res = ready.client.post(f"/v2/clients/{ready.client_id}/stamp-pending-receipts",
                                headers={**ready.headers, "Content-Type": "application/json"})
        assert res.status_code == 200, res.text
        data = res.json()["data"]
        assert data["stamped"] == 2 and data["failed"] == 0 and data["remaining"] == 0
        assert sorted(r["id"] for r in data["results"]) == sorted(r["id"] for r in receipts)
        invoice = ready.client.get(f"/v2/invoices/income/{data['invoice_id']}", headers=ready.headers).json()["data"]
        root = assert_valid_cfdi(stored_xml(ready.client, ready.headers, invoice["uuid"]))
        assert Decimal(root.get("Total")) == sum((Decimal(str(r["total"])) for r in receipts), Decimal(0))
        assert sorted(c.get("NoIdentificacion") for c in root.findall(f"{CFDI}Conceptos/{CFDI}Concepto")) == sorted(
            f"R{r['folio_number']}" for r in receipts)
        again = ready.client.post(f"/v2/clients/{ready.client_id}/stamp-pending-receipts", headers=ready.headers)
        assert again.json()["data"]["stamped"] == 0

    def test_client_without_fiscal_data_says_why(self, ready: Ready) -> None:
        client = ready.client.post("/v2/clients", headers=ready.headers, json={"name": "Ana"}).json()["data"]
        make_receipt(ready, client={"id": client["id"]})
        res = ready.client.post(f"/v2/clients/{client['id']}/stamp-pending-receipts", headers=ready.headers)
        assert res.status_code == 400 and "tax_id" in res.json()["error"]["message"]
        assert ready.client.post("/v2/clients/client_nope/stamp-pending-receipts",
                                 headers=ready.headers).status_code == 404


class TestCustomerPortalLink:
    def test_by_id_or_email_five_days(self, ready: Ready) -> None:
        by_id = ready.client.post("/v2/clients/customerportal", headers=ready.headers, json={"id": ready.client_id})
        assert by_id.status_code == 200, by_id.text
        data = by_id.json()["data"]
        assert data["url"].startswith(f"http://testserver/portal/{ready.account.team_id}?token=")
        assert 5 * 86400 - 60 <= data["expires_at"] - by_id.json()["timestamp"] // 1000 <= 5 * 86400
        by_email = ready.client.post("/v2/clients/customerportal", headers=ready.headers,
                                     json={"email": "berenice@example.com"}).json()["data"]
        assert by_email["client_id"] == ready.client_id
        page = ready.client.get(data["url"].removeprefix("http://testserver"))
        assert page.status_code == 200 and "BERENICE XIMO QUEZADA" in page.text

    def test_customer_portal_id_and_bad_tokens(self, ready: Ready) -> None:
        settings(ready, customer_portal_id="kemper")
        url = ready.client.post("/v2/clients/customerportal", headers=ready.headers,
                                json={"id": ready.client_id}).json()["data"]["url"]
        path = url.removeprefix("http://testserver")
        assert path.startswith("/portal/kemper?token=") and ready.client.get(path).status_code == 200
        token = path.split("token=")[1]
        assert ready.client.get(f"/portal/{ready.account.team_id}?token={token}").status_code == 410
        assert ready.client.get("/portal/kemper?token=forged").status_code == 410

    def test_bad_input_is_4xx(self, ready: Ready) -> None:
        post = ready.client.post
        assert post("/v2/clients/customerportal", headers=ready.headers, json={}).status_code == 422
        assert post("/v2/clients/customerportal", headers=ready.headers, json={"id": "client_x"}).status_code == 404
        assert post("/v2/clients/customerportal", headers=ready.headers,
                    json={"email": "nobody@example.com"}).status_code == 404
        assert post("/v2/clients/customerportal", json={"id": ready.client_id}).status_code == 401


class TestCustomerPortalPage:
    def test_fiscal_data_correction_and_pay_link(self, ready: Ready) -> None:
        client = ready.client.post("/v2/clients", headers=ready.headers,
                                   json={"name": "Ana", "email": "ana@example.com"}).json()["data"]
        pending = ready.client.post("/v2/payments/request", headers=ready.headers, json={
            "client": {"id": client["id"]}, "items": [ITEM], "send_email": False}).json()["data"]
        url = ready.client.post("/v2/clients/customerportal", headers=ready.headers,
                                json={"id": client["id"]}).json()["data"]["url"].removeprefix("http://testserver")
        page = ready.client.get(url)
        assert pending["short_url"] in page.text
        slug, token = url.split("?token=")
        form = {"token": token, "tax_id": "XIQB891116QE5", "legal_name": "Ana Pérez", "tax_system": "612",
                "zip": "36257", "use": "G03", "email": "ana@example.com"}
        refused = ready.client.post(f"{slug}/fiscal", data=form, follow_redirects=False)
        assert refused.status_code == 400 and "dígito verificador" in refused.text
        saved = ready.client.post(f"{slug}/fiscal", data={**form, "tax_id": "XIQB891116QE4",
                                                          "legal_name": "BERENICE XIMO QUEZADA"},
                                  follow_redirects=False)
        assert saved.status_code == 303
        stored = ready.client.get(f"/v2/clients/{client['id']}", headers=ready.headers).json()["data"]
        assert stored["tax_id"] == "XIQB891116QE4" and stored["is_valid"] is True
