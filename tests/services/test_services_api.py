"""Services API: CRUD, SAT keys and taxes checked, exact prices, and the CLI contract rows for services."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.factories import Account, bearer, create_account, create_key
from timbre.catalogs import store

IVA = {"type": "IVA", "rate": 0.16, "factor": "Tasa", "withholding": False}
SERVICE = {"description": "Consultoría fiscal", "unit_price": 1500.5, "product_key": "84111500",
           "unit_key": "E48", "sku": "CONS-1", "taxes": [IVA]}


def _create(client: TestClient, acct: Account, **body: Any) -> Any:
    return client.post("/v2/services", json={**SERVICE, **body}, headers=acct.headers())


class TestCrud:
    def test_create_get_update_delete(self, client: TestClient) -> None:
        acct = create_account()
        res = _create(client, acct, metadata={"line": "tax"})
        assert res.status_code == 201, res.text
        body = res.json()
        assert body["message"] == "Service created successfully"
        data = body["data"]
        assert data["id"].startswith("service_") and data["team"] == acct.team_id and data["livemode"] is False
        assert data["unit_price"] == 1500.5 and data["unit_name"] == store.get("c_ClaveUnidad", "E48")["name"]  # type: ignore[index]
        assert data["taxes"] == [{"type": "IVA", "rate": 0.16, "factor": "Tasa", "withholding": False,
                                  "inclusive": False, "base": None}]
        url = f"/v2/services/{data['id']}"
        assert client.get(url, headers=acct.headers()).json()["data"] == data
        res = client.put(url, json={"unit_price": 99.99, "unit_key": "H87", "taxes": []}, headers=acct.headers())
        assert res.status_code == 200, res.text
        updated = res.json()["data"]
        assert (updated["unit_price"], updated["unit_key"], updated["taxes"]) == (99.99, "H87", [])
        assert updated["unit_name"] == store.get("c_ClaveUnidad", "H87")["name"]  # type: ignore[index]
        assert updated["description"] == SERVICE["description"] and updated["sku"] == "CONS-1"
        deleted = client.delete(url, headers=acct.headers())
        assert deleted.status_code == 200 and deleted.json()["data"] == {"id": data["id"], "deleted": True}
        missing = client.get(url, headers=acct.headers())
        assert missing.status_code == 404 and missing.json()["message"] == "Service not found"

    def test_price_is_exact(self, client: TestClient) -> None:
        acct = create_account()
        res = client.post("/v2/services", headers={**acct.headers(), "Content-Type": "application/json"},
                          content=b'{"description": "x", "unit_price": 123456789.123456, "product_key": "84111500",'
                                  b' "unit_key": "E48"}')
        assert res.status_code == 201, res.text
        # the number comes back with every digit, read as Decimal
        again = client.get(f"/v2/services/{res.json()['data']['id']}", headers=acct.headers())
        assert json.loads(again.text, parse_float=Decimal)["data"]["unit_price"] == Decimal("123456789.123456")

    def test_price_shape(self, client: TestClient) -> None:
        acct = create_account()
        assert _create(client, acct, unit_price=-1).status_code == 422
        assert _create(client, acct, unit_price=1.1234567).status_code == 422
        assert _create(client, acct, unit_price="12.5").json()["data"]["unit_price"] == 12.5

    def test_keys_default_to_the_team_settings(self, client: TestClient) -> None:
        acct = create_account()
        body = {"description": "Renta", "unit_price": 10}
        res = client.post("/v2/services", json=body, headers=acct.headers())
        assert res.status_code == 400
        assert {d["field"] for d in res.json()["error"]["details"]} == {"product_key", "unit_key"}
        client.put(f"/v2/teams/{acct.team_id}/settings", json={"product_key": "80131500", "unit_key": "E48"},
                   headers=acct.headers())
        res = client.post("/v2/services", json=body, headers=acct.headers())
        assert res.status_code == 201 and res.json()["data"]["product_key"] == "80131500"

    def test_list_and_modes(self, client: TestClient) -> None:
        acct = create_account()
        ids = [_create(client, acct, description=f"S{i}", metadata={"k": str(i % 2)}).json()["data"]["id"]
               for i in range(3)]
        listed = client.get("/v2/services", params={"limit": 2}, headers=acct.headers()).json()
        assert listed["message"] == "Services retrieved successfully" and listed["total_results"] == 3
        assert [s["id"] for s in listed["data"]] == [ids[2], ids[1]] and listed["has_more"] is True
        odd = client.get("/v2/services", params={"metadata.k": "1"}, headers=acct.headers()).json()
        assert [s["id"] for s in odd["data"]] == [ids[1]]
        assert client.get("/v2/services", headers=acct.headers(live=True)).json()["data"] == []
        assert client.get(f"/v2/services/{ids[0]}", headers=acct.headers(live=True)).status_code == 404

    def test_viewer_reads_only(self, client: TestClient) -> None:
        acct = create_account()
        viewer = bearer(create_key(acct.team_id, role="viewer"))
        assert client.get("/v2/services", headers=viewer).status_code == 200
        assert client.post("/v2/services", json=SERVICE, headers=viewer).status_code == 403


class TestSatChecks:
    def test_unknown_keys(self, client: TestClient) -> None:
        acct = create_account()
        res = _create(client, acct, product_key="99999999", unit_key="ZZZ")
        assert res.status_code == 400
        rules = {d["field"]: d["rule"] for d in res.json()["error"]["details"]}
        assert rules == {"product_key": "product_key_unknown", "unit_key": "unit_key_unknown"}
        assert "product-keys?q=" in res.json()["error"]["message"]

    @pytest.mark.parametrize("tax", [
        {"type": "IVA", "rate": 0.16, "factor": "Tasa"},
        {"type": "IVA", "rate": 0.08, "factor": "Tasa"},
        {"type": "IVA", "rate": 0, "factor": "Tasa"},
        {"type": "IVA", "factor": "Exento"},
        {"type": "ISR", "rate": 0.10, "factor": "Tasa", "withholding": True},
        {"type": "IVA", "rate": 0.106667, "factor": "Tasa", "withholding": True},
        {"type": "IEPS", "rate": 0.265, "factor": "Tasa"},
        {"type": "iva", "rate": 0.16, "factor": "tasa", "inclusive": True},
    ])
    def test_taxes_sat_allows(self, client: TestClient, tax: dict[str, Any]) -> None:
        acct = create_account()
        res = _create(client, acct, taxes=[tax])
        assert res.status_code == 201, res.text

    @pytest.mark.parametrize(("tax", "field"), [
        ({"type": "IVA", "rate": 0.15, "factor": "Tasa"}, "taxes[0]"),
        ({"type": "IVA", "rate": 0.16, "factor": "Cuota"}, "taxes[0]"),
        ({"type": "ISR", "rate": 0.10, "factor": "Tasa"}, "taxes[0]"),  # ISR is only withheld
        ({"type": "ISR", "factor": "Exento"}, "taxes[0]"),
        ({"type": "IVA", "rate": 1.5, "factor": "Tasa"}, "taxes[0].rate"),
    ])
    def test_taxes_sat_refuses(self, client: TestClient, tax: dict[str, Any], field: str) -> None:
        acct = create_account()
        res = _create(client, acct, taxes=[tax])
        assert res.status_code == 400, res.text
        assert res.json()["message"] == "Invalid tax"
        assert res.json()["error"]["details"][0]["field"] == field

    def test_tax_shape_errors_are_422(self, client: TestClient) -> None:
        acct = create_account()
        assert _create(client, acct, taxes=[{"type": "VAT", "rate": 0.16}]).status_code == 422
        assert _create(client, acct, taxes=[{"type": "IVA", "factor": "Exento", "withholding": True}]).status_code \
            == 422

    def test_update_is_checked_too(self, client: TestClient) -> None:
        acct = create_account()
        sid = _create(client, acct).json()["data"]["id"]
        res = client.put(f"/v2/services/{sid}", json={"product_key": "12345678"}, headers=acct.headers())
        assert res.status_code == 400
        assert client.get(f"/v2/services/{sid}", headers=acct.headers()).json()["data"]["product_key"] == "84111500"


class TestCliContract:
    """`gigstack services list/get/create/update/delete` (client-contract.md)."""

    def test_cli_requests_and_the_fields_it_reads(self, client: TestClient) -> None:
        acct = create_account()
        headers = {**acct.headers(), "Content-Type": "application/json"}
        # create --iva: {description, unit_price: <number>, product_key, unit_key, unit_name?, sku?, taxes: [...]}
        res = client.post("/v2/services", headers=headers, json={
            "description": "Soporte", "unit_price": 250.0, "product_key": "81111500", "unit_key": "E48",
            "taxes": [{"type": "IVA", "rate": 0.16, "factor": "Tasa", "withholding": False}]})
        assert res.status_code == 201
        sid = res.json()["data"]["id"]
        # without --iva the CLI sends `taxes: []` and leaves unit_name/sku undefined (omitted from the JSON)
        assert client.post("/v2/services", headers=headers, json={
            "description": "Otro", "unit_price": 1, "product_key": "81111500", "unit_key": "H87",
            "taxes": []}).status_code == 201
        data = client.get(f"/v2/services/{sid}", headers=headers).json()["data"]
        for key in ("id", "description", "sku", "unit_price", "product_key", "unit_key", "unit_name", "taxes"):
            assert key in data
        assert isinstance(data["unit_price"], float)  # formatMoney(s.unit_price)
        tax = data["taxes"][0]
        assert (tax["type"], round(tax["rate"] * 100), tax["withholding"]) == ("IVA", 16, False)
        listed = client.get("/v2/services", headers=headers, params={"limit": "20"}).json()
        assert isinstance(listed["data"], list) and {"has_more", "next", "total_results"} <= set(listed)
        # update: only the flags given
        res = client.put(f"/v2/services/{sid}", headers=headers, json={"unit_price": 300.0, "sku": "S-1"})
        assert res.status_code == 200 and res.json()["data"]["sku"] == "S-1"
        res = client.delete(f"/v2/services/{sid}", headers=headers)
        assert res.status_code == 200 and res.json()["success"] is True
        # doctor: GET /services?limit=1 answers 2xx with JSON
        assert client.get("/v2/services", params={"limit": 1}, headers=headers).status_code == 200
