"""Catalogs API: every catalog over HTTP, the key searches, any key may read them."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.factories import bearer, create_account, create_key
from timbre.catalogs import store
from timbre.catalogs.search import normalize

LISTS = {
    "tax-regimes": ("c_RegimenFiscal", {"code", "description", "persona_fisica", "persona_moral"}),
    "payment-forms": ("c_FormaPago", {"code", "description", "bancarizado"}),
    "cfdi-uses": ("c_UsoCFDI", {"code", "description", "persona_fisica", "persona_moral", "tax_systems"}),
    "payment-methods": ("c_MetodoPago", {"code", "description"}),
    "months": ("c_Meses", {"code", "description", "kind"}),
    "relationship-types": ("c_TipoRelacion", {"code", "description"}),
    "currencies": ("c_Moneda", {"code", "description", "decimals"}),
    "countries": ("c_Pais", {"code", "description"}),
    "periodicities": ("c_Periodicidad", {"code", "description"}),
    "cancellation-motives": ("c_MotivoCancelacion", {"code", "description", "requires_replacement",
                                                     "replacement_relationship"}),
}


def _get(client: TestClient, path: str, **params: Any) -> Any:
    res = client.get(f"/v2/catalogs/{path}".rstrip("/"), params=params, headers=create_account().headers())
    assert res.status_code == 200, res.text
    return res.json()


class TestLists:
    @pytest.mark.parametrize("path", list(LISTS))
    def test_every_entry_in_force_in_sats_order(self, client: TestClient, path: str) -> None:
        sat, fields = LISTS[path]
        body = _get(client, path)
        assert body["success"] is True and body["has_more"] is False and body["next"] is None
        codes = [entry["code"] for entry in body["data"]]
        expected = [row["code"] for row in store.rows(sat) if store.in_force(sat, row["code"])]
        assert codes == expected and body["total_results"] == len(codes)
        assert all(set(entry) == fields for entry in body["data"])

    def test_index_lists_every_path(self, client: TestClient) -> None:
        body = _get(client, "")
        paths = {c["path"] for c in body["data"]}
        assert {f"/v2/catalogs/{name}" for name in LISTS} <= paths
        assert "/v2/catalogs/product-keys" in paths

    def test_cfdi_uses_carry_their_regimes_and_persons(self, client: TestClient) -> None:
        uses = {u["code"]: u for u in _get(client, "cfdi-uses")["data"]}
        assert "P01" not in uses  # retired in CFDI 4.0
        assert uses["D01"]["persona_moral"] is False and uses["D01"]["persona_fisica"] is True
        assert "616" in uses["S01"]["tax_systems"] and "601" in uses["G03"]["tax_systems"]
        assert uses["G01"]["tax_systems"] == store.get("c_UsoCFDI", "G01")["regimenes_receptor"].split(";")  # type: ignore[index]

    def test_regimes_months_and_motives(self, client: TestClient) -> None:
        regimes = {r["code"]: r for r in _get(client, "tax-regimes")["data"]}
        assert (regimes["601"]["persona_moral"], regimes["601"]["persona_fisica"]) == (True, False)
        assert (regimes["626"]["persona_moral"], regimes["626"]["persona_fisica"]) == (True, True)
        months = _get(client, "months")["data"]
        assert [m["kind"] for m in months].count("month") == 12
        assert [m["code"] for m in months if m["kind"] == "bimester"] == ["13", "14", "15", "16", "17", "18"]
        motives = {m["code"]: m for m in _get(client, "cancellation-motives")["data"]}
        assert motives["01"]["requires_replacement"] is True and motives["01"]["replacement_relationship"] == "04"
        assert motives["02"]["requires_replacement"] is False
        currencies = {c["code"]: c["decimals"] for c in _get(client, "currencies")["data"]}
        assert currencies["MXN"] == 2

    def test_any_key_reads_them(self, client: TestClient) -> None:
        acct = create_account()
        viewer_live = bearer(create_key(acct.team_id, role="viewer", livemode=True))
        assert client.get("/v2/catalogs/payment-forms", headers=viewer_live).status_code == 200
        assert client.get("/v2/catalogs/payment-forms").status_code == 401


class TestKeySearch:
    def test_consultoria_returns_consulting_keys_first(self, client: TestClient) -> None:
        body = _get(client, "product-keys", q="consultoria")
        first = body["data"][0]
        assert first["code"] == "80101500" and "consultoría" in first["description"].lower()
        scores = [m["score"] for m in body["data"]]
        assert scores == sorted(scores, reverse=True)
        top = [normalize(m["description"]) for m in body["data"][:4]]
        assert all("consultoria" in text for text in top)

    def test_by_code_and_limit(self, client: TestClient) -> None:
        body = _get(client, "product-keys", q="84111506", limit=3)
        assert body["data"][0]["code"] == "84111506" and len(body["data"]) <= 3
        units = _get(client, "unit-keys", q="H87")["data"]
        assert units[0]["code"] == "H87"
        assert _get(client, "unit-keys", q="servicio")["data"][0]["code"] == "E48"

    def test_query_required_and_bounded(self, client: TestClient) -> None:
        headers = create_account().headers()
        assert client.get("/v2/catalogs/product-keys", headers=headers).status_code == 422
        assert client.get("/v2/catalogs/product-keys", params={"q": "x", "limit": 500}, headers=headers).status_code \
            == 422
        assert client.get("/v2/catalogs/product-keys", params={"q": "zzzzqqq"}, headers=headers).json()["data"] == []


class TestPostalCodes:
    def test_lookup(self, client: TestClient) -> None:
        data = _get(client, "postal-codes/06600")["data"]
        row = store.get("c_CodigoPostal", "06600")
        assert row is not None
        assert (data["code"], data["state"], data["municipality"]) == ("06600", row["estado"], row["municipio"])
        assert isinstance(data["border_region"], bool)

    def test_unknown(self, client: TestClient) -> None:
        unknown = next(f"{n:05d}" for n in range(100_000) if not store.exists("c_CodigoPostal", f"{n:05d}"))
        res = client.get(f"/v2/catalogs/postal-codes/{unknown}", headers=create_account().headers())
        assert res.status_code == 404 and res.json()["message"] == "Postal code not found"
