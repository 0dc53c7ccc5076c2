"""The rest of gigstack's `/invoices/download/*`: a request's status, a package, a mirrored CFDI's XML, and
the registration knobs (register, sync-period, enable-sync, the FIEL as a PKCS#12)."""

from __future__ import annotations

import base64
from datetime import date
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from fastapi.testclient import TestClient

from tests.invoices.conftest import Ready
from tests.satmirror.conftest import Taxpayer, drive, make_team, stamp
from tests.satmirror.helpers import issued_xml
from timbre.cfdi import testca
from timbre.satmirror.activation import MAX_SYNC_MONTHS

WINDOW = {"start_date": date.today().replace(day=1).isoformat(), "end_date": date.today().isoformat()}


def _download(client: TestClient, ready: Ready, request_type: str = "both") -> list[dict[str, Any]]:
    res = client.post("/v2/invoices/download/request", headers=ready.headers,
                      json={**WINDOW, "rfc_type": "issued", "request_type": request_type})
    assert res.status_code == 200, res.text
    assert drive(res.json()["data"]["run_id"], ready.account.team_id) == "completed"
    history: list[dict[str, Any]] = client.get("/v2/invoices/download/schedule/history",
                                               headers=ready.headers).json()["data"]["history"]
    return history


def pfx_of(made: testca.TestCertificate, password: str) -> str:
    key = serialization.load_der_private_key(made.key, password=made.password.encode())
    assert isinstance(key, rsa.RSAPrivateKey)
    blob = pkcs12.serialize_key_and_certificates(b"fiel", key, x509.load_der_x509_certificate(made.cer), None,
                                                 serialization.BestAvailableEncryption(password.encode()))
    return base64.b64encode(blob).decode()


@pytest.fixture
def fresh(client: TestClient, taxpayers: tuple[Taxpayer, Taxpayer]) -> Ready:
    return make_team(client, taxpayers[0], fiel=False)


class TestRequestStatus:
    def test_a_request_s_state_is_its_history_row_with_its_packages(self, client: TestClient,
                                                                     pair: tuple[Ready, Ready]) -> None:
        a, b = pair
        stamp(a)
        history = _download(client, a)
        cfdi = next(h for h in history if h["requestType"] == "cfdi")
        res = client.get(f"/v2/invoices/download/status/{cfdi['id']}", headers=a.headers)
        assert res.status_code == 200, res.text
        data = res.json()["data"]
        assert {k: v for k, v in data.items() if k != "packages"} == cfdi
        assert data["status"] == "completed" and len(data["packages"]) >= 1
        assert {p["status"] for p in data["packages"]} == {"imported"}
        assert sum(p["imported"] for p in data["packages"]) == 1

        other = client.get(f"/v2/invoices/download/status/{cfdi['id']}", headers=b.headers)
        assert other.status_code == 404 and other.json()["error"]["code"] == "not_found"

    def test_an_unknown_request_is_a_404(self, client: TestClient, fresh: Ready) -> None:
        res = client.get("/v2/invoices/download/status/satreq_nope", headers=fresh.headers)
        assert res.status_code == 404 and res.json()["success"] is False


class TestPackage:
    def test_an_imported_package_is_not_kept(self, client: TestClient, pair: tuple[Ready, Ready]) -> None:
        a, b = pair
        stamp(a)
        cfdi = next(h for h in _download(client, a) if h["requestType"] == "cfdi")
        package_id = client.get(f"/v2/invoices/download/status/{cfdi['id']}", headers=a.headers).json()[
            "data"]["packages"][0]["id"]
        res = client.get(f"/v2/invoices/download/package/{package_id}", headers=a.headers)
        assert res.status_code == 404 and res.json()["error"]["code"] == "package_not_kept"
        assert "/v2/invoices/sat" in res.json()["error"]["message"]
        other = client.get(f"/v2/invoices/download/package/{package_id}", headers=b.headers)
        assert other.status_code == 404 and other.json()["error"]["code"] == "not_found"


class TestInvoiceXml:
    def test_a_mirrored_cfdi_s_xml(self, client: TestClient, pair: tuple[Ready, Ready]) -> None:
        a, b = pair
        uuid = stamp(a)["uuid"]
        _download(client, a)
        res = client.get(f"/v2/invoices/download/invoice/{uuid}", headers=a.headers)
        assert res.status_code == 200, res.text
        data = res.json()["data"]
        assert data["encoding"] == "utf-8" and data["xml"].encode() == issued_xml(uuid)
        assert client.get(f"/v2/invoices/download/invoice/{uuid}", headers=b.headers).status_code == 404

    def test_metadata_only_is_a_409(self, client: TestClient, pair: tuple[Ready, Ready]) -> None:
        a, _b = pair
        uuid = stamp(a)["uuid"]
        _download(client, a, "metadata")
        res = client.get(f"/v2/invoices/download/invoice/{uuid}", headers=a.headers)
        assert res.status_code == 409 and res.json()["error"]["code"] == "xml_missing"

    def test_not_a_uuid_is_a_404(self, client: TestClient, fresh: Ready) -> None:
        assert client.get("/v2/invoices/download/invoice/nope", headers=fresh.headers).status_code == 404


class TestRegister:
    def test_register_after_the_fiel(self, client: TestClient, fresh: Ready,
                                     taxpayers: tuple[Taxpayer, Taxpayer]) -> None:
        body = {"phone": "+525512345678", "sync_start_date": "2025-01-01", "legal_name": "X"}
        res = client.post("/v2/invoices/download/register", headers=fresh.headers, json=body)
        assert res.status_code == 400 and res.json()["error"]["code"] == "business_rule_violation"
        res = client.post("/v2/invoices/download/pfx", headers=fresh.headers,
                          json={"pfx": pfx_of(taxpayers[0].fiel, "secreto"), "pfx_password": "secreto"})
        assert res.status_code == 200, res.text
        res = client.post("/v2/invoices/download/register", headers=fresh.headers, json=body)
        assert res.status_code == 200, res.text
        assert res.json()["data"] == {**res.json()["data"], "registered": True, "sync_start_date": "2025-01-01",
                                      "phone": "+525512345678", "rfc": taxpayers[0].rfc}
        schedule = client.get("/v2/invoices/download/schedule", headers=fresh.headers).json()["data"]
        assert schedule["registered"] is True and schedule["sync_start_date"] == "2025-01-01"

    @pytest.mark.parametrize("body", [{"sync_start_date": "2001-01-01"}, {"sync_start_date": "01/01/2025"},
                                      {"phone": "1" * 21}, {"unknown": 1}])
    def test_bad_input_is_a_4xx(self, client: TestClient, pair: tuple[Ready, Ready], body: dict[str, Any]) -> None:
        res = client.post("/v2/invoices/download/register", headers=pair[0].headers, json=body)
        assert res.status_code in (400, 422) and res.json()["success"] is False


class TestSyncPeriod:
    def test_empty_body_goes_back_71_months_and_sync_from_sets_a_day(self, client: TestClient,
                                                                     fresh: Ready) -> None:
        res = client.put("/v2/invoices/download/sync-period", headers=fresh.headers, json={})
        assert res.status_code == 200, res.text
        start = date.fromisoformat(res.json()["data"]["sync_start_date"])
        today = date.today()
        assert start.day == 1 and (today.year - start.year) * 12 + today.month - start.month == MAX_SYNC_MONTHS
        res = client.put("/v2/invoices/download/sync-period", headers=fresh.headers, json={"sync_from": "2026-01-01"})
        assert res.json()["data"]["sync_start_date"] == "2026-01-01"
        assert client.get("/v2/invoices/download/schedule", headers=fresh.headers).json()["data"][
            "sync_start_date"] == "2026-01-01"

    def test_a_date_beyond_71_months_is_a_400(self, client: TestClient, fresh: Ready) -> None:
        res = client.put("/v2/invoices/download/sync-period", headers=fresh.headers, json={"sync_from": "1999-01-01"})
        assert res.status_code == 400 and "71" in res.json()["error"]["message"]


class TestEnableSync:
    def test_toggle_the_daily_download(self, client: TestClient, pair: tuple[Ready, Ready]) -> None:
        a, _b = pair
        res = client.post("/v2/invoices/download/enable-sync", headers=a.headers, json={})
        assert res.status_code == 200, res.text
        assert res.json()["data"]["schedule"]["enabled"] is True
        res = client.post("/v2/invoices/download/enable-sync", headers=a.headers, json={"enabled": False})
        assert res.json()["data"]["schedule"]["enabled"] is False

    def test_without_a_fiel_it_is_a_400(self, client: TestClient, fresh: Ready) -> None:
        res = client.post("/v2/invoices/download/enable-sync", headers=fresh.headers, json={})
        assert res.status_code == 400 and "FIEL" in res.json()["error"]["message"]
        assert client.get("/v2/invoices/download/schedule", headers=fresh.headers).json()["data"]["schedule"][
            "enabled"] is False


class TestPfx:
    def test_the_fiel_as_pkcs12_is_stored_like_fiel(self, client: TestClient, fresh: Ready,
                                                    taxpayers: tuple[Taxpayer, Taxpayer]) -> None:
        res = client.post("/v2/invoices/download/pfx", headers=fresh.headers,
                          json={"pfx": pfx_of(taxpayers[0].fiel, "otra-clave"), "pfx_password": "otra-clave"})
        assert res.status_code == 200, res.text
        assert res.json()["data"]["rfc"] == taxpayers[0].rfc and "otra-clave" not in res.text
        schedule = client.get("/v2/invoices/download/schedule", headers=fresh.headers).json()["data"]
        assert schedule["fiel_uploaded"] is True and schedule["rfc"] == taxpayers[0].rfc

    @pytest.mark.parametrize("case", ["password", "csd", "other_rfc", "base64", "not_pkcs12", "no_password"])
    def test_a_bad_pfx_is_a_400(self, client: TestClient, fresh: Ready, taxpayers: tuple[Taxpayer, Taxpayer],
                                case: str) -> None:
        mine, other = taxpayers
        body = {"password": {"pfx": pfx_of(mine.fiel, "a"), "pfx_password": "b"},
                "csd": {"pfx": pfx_of(mine.csd, "a"), "pfx_password": "a"},
                "other_rfc": {"pfx": pfx_of(other.fiel, "a"), "pfx_password": "a"},
                "base64": {"pfx": "no es base64!", "pfx_password": "a"},
                "not_pkcs12": {"pfx": base64.b64encode(b"hola").decode(), "pfx_password": "a"},
                "no_password": {"pfx": pfx_of(mine.fiel, "a"), "pfx_password": ""}}[case]
        res = client.post("/v2/invoices/download/pfx", headers=fresh.headers, json=body)
        assert res.status_code == 400, res.text
        assert res.json()["error"]["details"]
        assert client.get("/v2/invoices/download/schedule", headers=fresh.headers).json()["data"][
            "fiel_uploaded"] is False
