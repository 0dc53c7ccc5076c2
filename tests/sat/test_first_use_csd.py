"""Test mode's first invoice without an uploaded CSD: Timbre makes a test CSD for the team's RFC."""

from __future__ import annotations

import base64
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from fastapi.testclient import TestClient
from lxml import etree

from tests.factories import Account, create_account
from tests.invoices.conftest import CLIENT, EMISOR_NAME, EMISOR_RFC
from tests.invoices.finkok_fake import FakeFinkok
from tests.invoices.test_live_pac import finkok
from timbre.cfdi import testca

__all__ = ["finkok"]
CFDI = "{http://www.sat.gob.mx/cfd/4}"


def _team_without_csd(client: TestClient) -> tuple[Account, str]:
    account = create_account(EMISOR_NAME)
    res = client.put(f"/v2/teams/{account.team_id}", headers=account.headers(),
                     json={"legal_name": EMISOR_NAME, "tax_id": EMISOR_RFC, "tax_system": "601",
                           "address": {"zip": "42501", "country": "MEX"}})
    assert res.status_code == 200, res.text
    res = client.post("/v2/clients", headers=account.headers(), json=CLIENT)
    assert res.status_code == 201, res.text
    return account, res.json()["data"]["id"]


def _invoice(client: TestClient, account: Account, client_id: str, *, live: bool = False) -> Any:
    return client.post("/v2/invoices/income", headers=account.headers(live=live), json={
        "client": {"id": client_id}, "payment_form": "03", "payment_method": "PUE", "use": "G03",
        "items": [{"description": "Consultoría", "quantity": 1, "unit_price": 1000, "product_key": "80141503",
                   "unit_key": "E48", "taxes": [{"type": "IVA", "rate": 0.16, "factor": "Tasa"}]}]})


def _sealing_certificate(client: TestClient, account: Account, uuid: str) -> x509.Certificate:
    links = client.get(f"/v2/invoices/{uuid}/files", headers=account.headers()).json()["data"]
    res = client.get(links["xml"])
    assert res.status_code == 200, res.text
    root = etree.fromstring(res.content)
    assert root.tag == f"{CFDI}Comprobante"
    return x509.load_der_x509_certificate(base64.b64decode(root.get("Certificado")))


def _sat(client: TestClient, account: Account) -> dict[str, Any]:
    return dict(client.get(f"/v2/teams/{account.team_id}", headers=account.headers()).json()["data"]["sat"])


class TestFirstInvoice:
    def test_a_team_without_csd_stamps_with_a_test_csd_made_for_its_rfc(self, client: TestClient) -> None:
        account, client_id = _team_without_csd(client)
        assert _sat(client, account) == {"completed": False, "connected_at": None, "csd_expires_at": None,
                                         "test_csd": False}
        res = _invoice(client, account, client_id)
        assert res.status_code == 201, res.text
        invoice = res.json()["data"]
        assert invoice["status"] == "valid" and invoice["uuid"]
        cert = _sealing_certificate(client, account, invoice["uuid"])
        assert cert.issuer.rfc4514_string() == testca.authority().x509.subject.rfc4514_string()
        assert EMISOR_RFC in cert.subject.rfc4514_string()
        sat = _sat(client, account)
        assert sat["completed"] is True and sat["test_csd"] is True
        assert sat["csd_expires_at"] == int(cert.not_valid_after_utc.timestamp())  # unix seconds
        # The second invoice reuses it.
        second = _invoice(client, account, client_id).json()["data"]
        assert _sealing_certificate(client, account, second["uuid"]).serial_number == cert.serial_number

    def test_an_uploaded_csd_wins(self, client: TestClient) -> None:
        account, client_id = _team_without_csd(client)
        assert _invoice(client, account, client_id).status_code == 201
        uploaded = testca.make_test_csd(EMISOR_RFC, EMISOR_NAME)
        res = client.post(f"/v2/teams/{account.team_id}/sat-connection", headers=account.headers(),
                          files={"cert": ("csd.cer", uploaded.cer), "key": ("csd.key", uploaded.key)},
                          data={"keyPass": uploaded.password})
        assert res.status_code == 200, res.text
        assert _sat(client, account)["test_csd"] is False
        invoice = _invoice(client, account, client_id).json()["data"]
        cert = _sealing_certificate(client, account, invoice["uuid"])
        assert cert.public_bytes(Encoding.DER) == uploaded.cer

    def test_live_mode_still_needs_the_teams_own_csd(self, client: TestClient, finkok: FakeFinkok) -> None:
        account, _ = _team_without_csd(client)
        live_client = client.post("/v2/clients", headers=account.headers(live=True), json=CLIENT).json()["data"]
        res = _invoice(client, account, live_client["id"], live=True)
        assert res.status_code == 400 and res.json()["error"]["code"] == "csd_required"
        assert _sat(client, account)["completed"] is False and finkok.stamps_issued == 0

    def test_a_team_without_fiscal_data_gets_no_csd(self, client: TestClient) -> None:
        account = create_account(EMISOR_NAME)
        res = client.post("/v2/clients", headers=account.headers(), json=CLIENT)
        res = _invoice(client, account, res.json()["data"]["id"])
        assert res.status_code == 400 and res.json()["message"] == "Team is not ready for invoicing"
        assert _sat(client, account)["test_csd"] is False

