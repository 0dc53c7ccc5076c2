"""The Receipts API: create, read, list, search, update, cancel, reopen, stamp, files; bad input is a 4xx."""

from __future__ import annotations

import time

from tests.invoices.checks import assert_valid_cfdi, download, pdf_text, stored_xml
from tests.invoices.conftest import Ready
from tests.receipts.helpers import ITEM, make_receipt, move_created
from timbre.cfdi import xmlsafe

CFDI = "{http://www.sat.gob.mx/cfd/4}"


class TestCreate:
    def test_defaults_folio_validity_and_link(self, ready: Ready) -> None:
        data = make_receipt(ready)
        assert data["id"].startswith("receipt_") and data["object"] == "receipt" and data["livemode"] is False
        assert data["status"] == "pending" and data["series"] == "R" and data["folio_number"] == 1
        assert data["subtotal"] == 91.0 and data["taxes"] == 14.56 and data["total"] == 105.56
        assert data["periodicity"] == "month" and data["validUntil"] - data["created"] == 30 * 24 * 3600
        assert data["url"].startswith("http://testserver/autofactura?id=" + data["id"] + "&sig=")
        assert data["client"] is None and data["payment_form"] == "01"
        assert make_receipt(ready)["folio_number"] == 2

    def test_client_inline_periodicity_and_valid_until(self, ready: Ready) -> None:
        week = make_receipt(ready, periodicity="week", client={"id": ready.client_id})
        assert week["validUntil"] - week["created"] == 7 * 24 * 3600
        assert week["client"]["id"] == ready.client_id and week["client"]["tax_id"] == "XIQB891116QE4"
        until = int(time.time()) + 3600
        assert make_receipt(ready, valid_until=until)["validUntil"] == until

    def test_idempotency_key_returns_the_first(self, ready: Ready) -> None:
        first = make_receipt(ready, idempotency_key="sale-1")
        again = ready.client.post("/v2/receipts", headers=ready.headers,
                                  json={"items": [ITEM], "payment_form": "01", "idempotency_key": "sale-1"})
        assert again.status_code in (200, 201) and again.json()["data"]["id"] == first["id"]
        other = ready.client.post("/v2/receipts", headers=ready.headers,
                                  json={"items": [ITEM], "payment_form": "03", "idempotency_key": "sale-1"})
        assert other.status_code == 409
        total = ready.client.get("/v2/receipts", headers=ready.headers).json()["total_results"]
        assert total == 1

    def test_bad_input_is_4xx(self, ready: Ready) -> None:
        post = ready.client.post
        for body in ({"items": []}, {"items": [ITEM], "payment_form": "99"}, {"items": [ITEM], "periodicity": "x"},
                     {"items": [ITEM], "currency": "USD"}, {"items": [{**ITEM, "unit_key": "ZZZ9"}]},
                     {"items": [ITEM], "valid_until": 1000}, {"items": [ITEM], "client": {"id": "client_nope"}}):
            res = post("/v2/receipts", headers=ready.headers, json=body)
            assert 400 <= res.status_code < 500, (body, res.text)
            assert res.json()["success"] is False


class TestReadAndList:
    def test_list_filters_and_search(self, ready: Ready) -> None:
        open_one = make_receipt(ready, client={"id": ready.client_id}, metadata={"order": "A-77"})
        expired = make_receipt(ready)
        move_created(expired["id"], int(time.time() * 1000) - 40 * 86400_000, int(time.time() * 1000) - 1000)
        cancelled = make_receipt(ready)
        assert ready.client.delete(f"/v2/receipts/{cancelled['id']}", headers=ready.headers).status_code == 200

        def ids(**params: str) -> set[str]:
            res = ready.client.get("/v2/receipts", headers=ready.headers, params={"limit": "20", **params})
            assert res.status_code == 200, res.text
            return {r["id"] for r in res.json()["data"]}

        assert ids() == {open_one["id"], expired["id"], cancelled["id"]}
        assert ids(status="pending") == ids(status="open") == {open_one["id"]}
        assert ids(status="expired") == {expired["id"]} and ids(status="cancelled") == {cancelled["id"]}
        assert ids(client_id=ready.client_id) == {open_one["id"]}
        found = ready.client.get("/v2/receipts/search", headers=ready.headers, params={"q": "a-77"}).json()
        assert [r["id"] for r in found["data"]] == [open_one["id"]] and found["found"] == 1
        assert ready.client.get("/v2/receipts/search", headers=ready.headers,
                                params={"q": f"R-{open_one['folio_number']}"}).json()["found"] == 1
        assert ready.client.get("/v2/receipts/receipt_nope", headers=ready.headers).status_code == 404
        assert ready.client.get("/v2/receipts", headers=ready.headers, params={"status": "nope"}).status_code == 422


class TestUpdateCancelReopen:
    def test_update_while_open(self, ready: Ready) -> None:
        receipt = make_receipt(ready)
        res = ready.client.put(f"/v2/receipts/{receipt['id']}", headers=ready.headers, json={
            "items": [{**ITEM, "quantity": 1}], "client": {"id": ready.client_id}, "metadata": {"table": "4"}})
        assert res.status_code == 200, res.text
        data = res.json()["data"]
        assert data["total"] == 52.78 and data["client"]["id"] == ready.client_id and data["metadata"] == {"table": "4"}

    def test_cancel_then_reopen(self, ready: Ready) -> None:
        receipt = make_receipt(ready)
        assert ready.client.delete(f"/v2/receipts/{receipt['id']}", headers=ready.headers).json()["data"][
            "status"] == "cancelled"
        refused = ready.client.put(f"/v2/receipts/{receipt['id']}", headers=ready.headers, json={"metadata": {}})
        assert refused.status_code == 400 and refused.json()["error"]["code"] == "receipt_not_open"
        stamp = ready.client.post(f"/v2/receipts/{receipt['id']}/stamp", headers=ready.headers)
        assert stamp.status_code == 400
        res = ready.client.post(f"/v2/receipts/{receipt['id']}/reopen", headers=ready.headers,
                                json={"reason": "customer came back"})
        assert res.status_code == 200 and res.json()["data"]["status"] == "pending"
        assert res.json()["data"]["history"][-1]["reason"] == "customer came back"
        again = ready.client.post(f"/v2/receipts/{receipt['id']}/reopen", headers=ready.headers)
        assert again.status_code == 400 and again.json()["error"]["code"] == "receipt_not_reopenable"


class TestStamp:
    def test_stamp_to_its_client_once(self, ready: Ready) -> None:
        receipt = make_receipt(ready, client={"id": ready.client_id})
        url = f"/v2/receipts/{receipt['id']}/stamp"
        res = ready.client.post(url, headers={**ready.headers, "Content-Type": "application/json"})
        assert res.status_code == 200, res.text
        data = res.json()["data"]
        assert data["id"].startswith("invoice_") and data["receipt"]["status"] == "invoiced"
        assert data["receipt"]["invoice"]["uuid"] == data["uuid"]
        root = assert_valid_cfdi(stored_xml(ready.client, ready.headers, data["uuid"]))
        assert root.find(f"{CFDI}Receptor").get("Rfc") == "XIQB891116QE4"
        assert root.get("Total") == "105.56" and root.get("FormaPago") == "01"
        again = ready.client.post(url, headers=ready.headers)
        assert again.status_code == 200 and again.json()["data"]["uuid"] == data["uuid"]
        assert again.json()["message"] == "Receipt already invoiced"

    def test_stamp_to_fiscal_information_upserts_the_client(self, ready: Ready) -> None:
        receipt = make_receipt(ready)
        res = ready.client.post(f"/v2/receipts/{receipt['id']}/stamp", headers=ready.headers, json={
            "fiscal_information": {"tax_id": "XIQB891116QE4", "legal_name": "BERENICE XIMO QUEZADA",
                                   "tax_system": "612", "zip": "36257", "use": "G03"}})
        assert res.status_code == 200, res.text
        assert res.json()["data"]["receipt"]["client"]["id"] == ready.client_id  # found by RFC, not duplicated

    def test_stamp_without_client_or_with_bad_data_is_400(self, ready: Ready) -> None:
        receipt = make_receipt(ready)
        res = ready.client.post(f"/v2/receipts/{receipt['id']}/stamp", headers=ready.headers)
        assert res.status_code == 400 and res.json()["error"]["code"] == "client_required"
        bad = ready.client.post(f"/v2/receipts/{receipt['id']}/stamp", headers=ready.headers, json={
            "fiscal_information": {"tax_id": "XIQB891116QE5", "legal_name": "X", "tax_system": "612", "zip": "36257"}})
        assert bad.status_code == 400
        assert ready.client.get(f"/v2/receipts/{receipt['id']}", headers=ready.headers).json()["data"][
            "status"] == "pending"


class TestFiles:
    def test_pdf_ticket_has_brand_total_and_link(self, ready: Ready) -> None:
        ready.client.put(f"/v2/teams/{ready.account.team_id}", headers=ready.headers,
                         json={"brand": {"alias": "Café Kemper", "primary_color": "#AA2200"}})
        receipt = make_receipt(ready)
        res = ready.client.get(f"/v2/receipts/{receipt['id']}/files", headers=ready.headers)
        assert res.status_code == 200, res.text
        pdf = download(ready.client, res.json()["data"]["pdf"]).content
        text = pdf_text(pdf)
        assert "Café Kemper" in text and "$105.56 MXN" in text and f"Recibo R-{receipt['folio_number']}" in text
        assert "no es un comprobante fiscal" in text and receipt["id"] in text.replace(" ", "")
        assert xmlsafe is not None
