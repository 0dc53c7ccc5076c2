"""`POST /invoices/validate` (a dry run of create) and `GET /invoices/cfdi-errors` (SAT's error catalog)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.factories import create_account
from tests.invoices.conftest import CLIENT, Ready


class TestValidate:
    def test_a_valid_document_is_previewed_without_taking_anything(self, ready: Ready) -> None:
        res = ready.client.post("/v2/invoices/validate", headers=ready.headers, json=ready.body())
        assert res.status_code == 200
        data = res.json()["data"]
        assert data["valid"] is True and data["errors"] == [] and data["warnings"] == []
        assert data["invoice"]["total"] == 2320.0 and data["invoice"]["series"] == "A"
        assert ready.client.get("/v2/invoices/income", headers=ready.headers).json()["total_results"] == 0
        team = ready.client.get(f"/v2/teams/{ready.account.team_id}", headers=ready.headers).json()["data"]
        assert team["used_credits"] == 0
        assert ready.create().json()["data"]["folio_number"] == 1

    def test_every_violation_is_returned(self, ready: Ready) -> None:
        body = ready.body(payment_form="77", use="Z99", items=[ready.item(taxes=[{"type": "IVA", "rate": 0.15}])])
        res = ready.client.post("/v2/invoices/validate", headers=ready.headers, json=body)
        assert res.status_code == 200
        data = res.json()["data"]
        assert data["valid"] is False
        codes = {e["code"] for e in data["errors"]}
        assert {"CFDI40104", "CFDI40160", "CFDI40179"} <= codes
        assert all(e["message_es"] and e["message_en"] and e["hint"] for e in data["errors"])

    def test_egress_and_request_problems(self, ready: Ready) -> None:
        body = ready.body(invoice_type="E", items=[{"description": "sin precio"}])
        data = ready.client.post("/v2/invoices/validate", headers=ready.headers, json=body).json()["data"]
        assert data["valid"] is False and data["invoice"] is None
        assert {e["field"] for e in data["errors"]} == {"items[0].unit_price", "items[0].product_key",
                                                        "items[0].unit_key"}

    def test_nothing_a_search_would_create_is_kept(self, ready: Ready) -> None:
        client = {**CLIENT, "tax_id": "URE180429TM6", "legal_name": "UNIVERSIDAD ROBOTICA ESPAÑOLA",
                  "tax_system": "601", "address": {"zip": "86991"},
                  "search": {"on_key": "tax_id", "on_value": "URE180429TM6"}}
        res = ready.client.post("/v2/invoices/validate", headers=ready.headers, json=ready.body(client=client))
        assert res.json()["data"]["valid"] is True
        clients = ready.client.get("/v2/clients", headers=ready.headers).json()
        assert clients["total_results"] == 1  # only the fixture's client

    def test_works_before_the_csd_is_uploaded(self, client: TestClient) -> None:
        account = create_account()
        client.put(f"/v2/teams/{account.team_id}", headers=account.headers(),
                   json={"legal_name": "ESCUELA KEMPER URGATE", "tax_id": "EKU9003173C9", "tax_system": "601",
                         "address": {"zip": "42501", "country": "MEX"}})
        body = {"client": CLIENT, "items": [{"description": "x", "unit_price": 10, "product_key": "80141503",
                                             "unit_key": "E48"}], "payment_form": "03"}
        data = client.post("/v2/invoices/validate", headers=account.headers(), json=body).json()["data"]
        assert data["valid"] is True and "CSD" in data["warnings"][0]


class TestCfdiErrors:
    def test_lists_the_catalog_with_page_pagination(self, ready: Ready) -> None:
        res = ready.client.get("/v2/invoices/cfdi-errors", headers=ready.headers)
        body = res.json()
        assert res.status_code == 200 and body["message"] == "CFDI errors retrieved successfully"
        assert (body["page"], body["limit"], len(body["data"])) == (1, 50, 50)
        assert body["total"] > 200 and body["has_more"] is True
        first = body["data"][0]
        assert set(first) >= {"code", "description", "explanation", "solution", "type"}
        second = ready.client.get("/v2/invoices/cfdi-errors", headers=ready.headers,
                                  params={"page": 2, "limit": 20}).json()
        assert second["data"][0]["code"] == body["data"][20]["code"]

    def test_filters(self, ready: Ready) -> None:
        get = lambda **params: ready.client.get("/v2/invoices/cfdi-errors", headers=ready.headers,  # noqa: E731
                                                params=params).json()
        (one,) = get(code="CFDI140223")["data"]
        assert one["code"] == "CFDI140223" and one["type"] in ("invoice", "receiver", "sender", "unknown")
        assert get(code="cfdi40223")["data"][0]["code"] == "CFDI140223"  # SAT's other spelling
        receivers = get(type="receiver", limit=100)
        assert receivers["total"] > 0 and all(e["type"] == "receiver" for e in receivers["data"])
        found = get(q="regimen fiscal receptor")
        assert found["total"] > 0 and all("regimen" in (e["description"] + e["explanation"]).lower()
                                          .replace("é", "e") or "regime" in e["explanation"].lower()
                                          for e in found["data"])
        assert get(code="NOPE")["total"] == 0
        bad = ready.client.get("/v2/invoices/cfdi-errors", headers=ready.headers, params={"type": "other"})
        assert bad.status_code == 422
