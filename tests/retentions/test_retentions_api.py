"""The Retentions API over the real app: create (keys 26, 14, 16, 18 and one without complement, in
MXN and USD), list filters, get, files, cancel, the guide's rules as 400s, folios and credits."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from lxml import etree  # type: ignore[import-untyped]

from tests.cfdi.retenciones.test_retenciones_documents import seal_verifies_with_sat_xslt
from tests.invoices.conftest import Ready
from timbre.cfdi.pac.sandbox import sandbox_credential
from timbre.cfdi.retenciones import seal, xsd

RET = "{http://www.sat.gob.mx/esquemas/retencionpago/2}"
TODAY = date.today()
FOREIGN = {"legal_name": "ACME INC", "tax_id": "XEXX010101000", "foreign_tax_id": "123456789",
           "address": {"zip": "10001", "country": "USA"}}


def body(ready: Ready, key: str, currency: str = "MXN", **overrides: Any) -> dict[str, Any]:
    value: dict[str, Any] = {
        "retention_key": key, "client": {"id": ready.client_id}, "period_start": TODAY.month,
        "period_end": TODAY.month, "period_year": TODAY.year, "total_operation": "1000.00", "total_exempt": "0",
        "taxes": [{"tax": "ISR", "base": "1000.00", "amount": "10.00", "payment_type": "01"},
                  {"tax": "IVA", "base": "1000.00", "amount": "80.00", "payment_type": "01"}],
    }
    if currency != "MXN":
        value.update(currency=currency, exchange_rate="17.5")
    if key == "26":
        value["platform_services"] = {"periodicity": "04", "services": [
            {"payment_form": "03", "service_type": "01", "service_date": TODAY.replace(day=1).isoformat(),
             "price_without_tax": "1000.00", "tax_rate": "0.16", "commission": "100.00"}]}
    elif key == "14":
        value["dividends"] = {"dividend_type": "01", "isr_mexico": "100.00"}
    elif key == "16":
        value["interest"] = {"nominal": "1000.00", "real": "600.00"}
    elif key == "18":
        value["client"] = FOREIGN
        value["foreign_payments"] = {"concept": "1", "description": "Regalías", "country": "US"}
    value.update(overrides)
    return value


def stamped_xml(ready: Ready, client: TestClient, retention: dict[str, Any]) -> bytes:
    res = client.get(f"/v2/retentions/{retention['id']}/files", headers=ready.headers,
                     params={"file_type": "xml"})
    assert res.status_code == 200, res.text
    url = res.json()["data"]["xml"]
    download = client.get(url.split("://", 1)[-1].split("/", 1)[-1] if url.startswith("http") else url)
    assert download.status_code == 200, download.text
    return download.content


class TestCreate:
    @pytest.mark.parametrize("currency", ["MXN", "USD"])
    @pytest.mark.parametrize("key", ["26", "14", "16", "18", "01"])
    def test_stamps_a_document_that_passes_sat_schemas_and_seal(self, ready: Ready, client: TestClient, key: str,
                                                                 currency: str) -> None:
        res = client.post("/v2/retentions", headers=ready.headers, json=body(ready, key, currency))
        assert res.status_code == 201, res.text
        data = res.json()["data"]
        assert (data["status"], data["series"], data["document_type"], data["retention_key"]) == (
            "valid", "RET", "retenciones", key)
        rate = 17.5 if currency == "USD" else 1
        assert data["totals"]["total_operation"] == 1000 * rate
        assert data["totals"]["total_retained"] == 90 * rate
        xml = stamped_xml(ready, client, data)
        assert xsd.validate(xml) == []
        assert seal_verifies_with_sat_xslt(xml)
        assert seal.verify_timbre(xml, sandbox_credential())
        root = etree.fromstring(xml)
        assert root.get("CveRetenc") == key and root.get("FolioInt") == f"RET{data['folio_number']}"
        assert root.find(f"{RET}Totales").get("MontoTotOperacion") == f"{1000 * rate:.2f}"
        assert seal.find_timbre(root).get("UUID") == data["uuid"]
        nationality = "Extranjero" if key == "18" else "Nacional"
        assert data["receiver"]["nationality"] == nationality

    def test_folios_advance_and_credits_are_spent_up_to_the_limit(self, ready: Ready, client: TestClient) -> None:
        team = f"/v2/teams/{ready.account.team_id}"
        assert client.put(team, headers=ready.headers, json={"credit_limit": 2}).status_code == 200
        first = client.post("/v2/retentions", headers=ready.headers, json=body(ready, "01")).json()["data"]
        second = client.post("/v2/retentions", headers=ready.headers, json=body(ready, "01")).json()["data"]
        assert (first["folio_number"], second["folio_number"]) == ("1", "2")
        assert client.get(team, headers=ready.headers).json()["data"]["used_credits"] == 2
        third = client.post("/v2/retentions", headers=ready.headers, json=body(ready, "01"))
        assert third.status_code == 402
        assert client.get("/v2/retentions", headers=ready.headers).json()["total_results"] == 2

    def test_a_guide_rule_is_a_400_naming_code_and_field_and_takes_nothing(self, ready: Ready,
                                                                          client: TestClient) -> None:
        res = client.post("/v2/retentions", headers=ready.headers,
                          json=body(ready, "01", total_exempt="1000.01"))
        assert res.status_code == 400, res.text
        details = res.json()["error"]["details"]
        assert [(d["code"], d["field"]) for d in details] == [("RET20006", "total_exempt")]
        listed = client.get("/v2/retentions", headers=ready.headers).json()
        assert listed["total_results"] == 0

    def test_key_without_its_complement_is_a_400(self, ready: Ready, client: TestClient) -> None:
        res = client.post("/v2/retentions", headers=ready.headers,
                          json=body(ready, "01", retention_key="26"))
        assert res.status_code == 400
        assert res.json()["error"]["details"][0]["code"] == "RET20010"

    def test_usd_without_exchange_rate_is_a_400(self, ready: Ready, client: TestClient) -> None:
        res = client.post("/v2/retentions", headers=ready.headers, json=body(ready, "01", "USD", exchange_rate=None))
        assert res.status_code == 400
        assert res.json()["error"]["details"][0]["field"] == "exchange_rate"


class TestListGetCancel:
    def test_list_filters_get_and_cancel(self, ready: Ready, client: TestClient) -> None:
        a = client.post("/v2/retentions", headers=ready.headers, json=body(ready, "14")).json()["data"]
        b = client.post("/v2/retentions", headers=ready.headers, json=body(ready, "16")).json()["data"]
        listed = client.get("/v2/retentions", headers=ready.headers, params={"retention_key": "14"}).json()
        assert [r["id"] for r in listed["data"]] == [a["id"]]
        assert listed["message"] == "Retentions retrieved successfully"
        by_client = client.get("/v2/retentions", headers=ready.headers, params={"client_id": ready.client_id})
        assert {r["id"] for r in by_client.json()["data"]} == {a["id"], b["id"]}
        got = client.get(f"/v2/retentions/{b['uuid'].lower()}", headers=ready.headers).json()["data"]
        assert got["id"] == b["id"]
        res = client.request("DELETE", f"/v2/retentions/{b['id']}", headers=ready.headers, json={"motive": "02"})
        assert res.status_code == 200, res.text
        assert res.json()["data"]["status"] == "canceled"
        cancelled = client.get("/v2/retentions", headers=ready.headers, params={"status": "canceled"}).json()
        assert [r["id"] for r in cancelled["data"]] == [b["id"]]
        again = client.request("DELETE", f"/v2/retentions/{b['id']}", headers=ready.headers, json={"motive": "02"})
        assert again.status_code == 409
        files = client.get(f"/v2/retentions/{b['id']}/files", headers=ready.headers).json()["data"]
        assert set(files) == {"pdf", "xml", "acuse"}

    def test_motive_01_needs_a_substitute(self, ready: Ready, client: TestClient) -> None:
        a = client.post("/v2/retentions", headers=ready.headers, json=body(ready, "01")).json()["data"]
        res = client.request("DELETE", f"/v2/retentions/{a['id']}", headers=ready.headers, json={"motive": "01"})
        assert res.status_code == 400

    def test_other_teams_and_modes_do_not_see_it(self, ready: Ready, client: TestClient) -> None:
        a = client.post("/v2/retentions", headers=ready.headers, json=body(ready, "01")).json()["data"]
        live = client.get(f"/v2/retentions/{a['id']}", headers=ready.account.headers(live=True))
        assert live.status_code == 404


class TestErrorCatalog:
    def test_cfdi_errors_lists_the_retention_rules(self, ready: Ready, client: TestClient) -> None:
        res = client.get("/v2/invoices/cfdi-errors", headers=ready.headers, params={"type": "retention"})
        assert res.status_code == 200
        codes = {e["code"] for e in res.json()["data"]}
        assert {"RET20001", "RET20010", "RETC0001"} <= codes
        assert all(e["type"] == "retention" for e in res.json()["data"])

