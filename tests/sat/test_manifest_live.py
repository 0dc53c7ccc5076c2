"""`POST /teams/{id}/manifest/sign` in live mode: the manifest goes to the configured PAC's own contract service
(Finkok's, replayed from recorded answers); SW Sapien has none and the answer says so."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from lxml import etree  # type: ignore[import-untyped]

from tests.cfdi.pac.recorded import Exchange, replay_in_order
from tests.cfdi.pac.test_pac_finkok_manifest import NS, conversation
from tests.factories import Account, create_account
from tests.sat.test_manifest import NAME, RFC, fiel_body, xmlsec_verify
from timbre.cfdi import testca
from timbre.cfdi.certs import Credential, trust_store
from timbre.config import get_settings
from timbre.kit.db import session_scope
from timbre.kit.storage import get_storage
from timbre.models import Team
from timbre.sat import fiel
from timbre.sat.service import sat_connection


@pytest.fixture
def live_team(client: TestClient) -> Account:
    """A team complete for live mode: fiscal data, contact e-mail and a live CSD (stored as the upload would)."""
    account = create_account(NAME, tax_id=RFC)
    res = client.put(f"/v2/teams/{account.team_id}", headers=account.headers(), json={
        "tax_system": "601", "support_email": "legal@example.com",
        "address": {"street": "Calle 1", "zip": "42501", "country": "MEX"}})
    assert res.status_code == 200, res.text
    csd = testca.make_test_csd(RFC, NAME)
    with session_scope(get_settings().db_url) as session:
        team = session.get(Team, account.team_id)
        assert team is not None
        sat_connection.store(session, get_settings().secret(), team, Credential.load(csd.cer, csd.key, csd.password),
                             livemode=True)
    return account


def _pac(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """Live mode with PAC `name`; live FIELs must be SAT's (tested in test_manifest): here the test CA is trusted
    as in test mode, so that a valid test FIEL reaches the hand-off."""
    monkeypatch.setattr(fiel, "trust_for", lambda livemode: trust_store("test"))
    settings = get_settings()
    monkeypatch.setattr(settings, "pac", name)
    monkeypatch.setattr(settings, "pac_username", "user@example.com")
    monkeypatch.setattr(settings, "pac_password", "secret")
    monkeypatch.setenv("TIMBRE_PAC_SNID", "SN99999999")
    monkeypatch.setenv("TIMBRE_PAC_ENVIRONMENT", "test")


def _sign(client: TestClient, account: Account, cert: testca.TestCertificate) -> Any:
    return client.post(f"/v2/teams/{account.team_id}/manifest/sign", headers=account.headers(live=True),
                       json=fiel_body(cert))


def _live_manifest(account: Account) -> Any:
    with session_scope(get_settings().db_url) as session:
        team = session.get(Team, account.team_id)
        assert team is not None
        return (team.sat.get("manifest") or {}).get("live")


class TestFinkok:
    def test_finkoks_texts_are_signed_with_the_fiel_sent_and_kept(
            self, client: TestClient, live_team: Account, team_fiel: testca.TestCertificate,
            monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
        _pac(monkeypatch, "finkok")
        sent = replay_in_order(monkeypatch, conversation("manifest_get_contracts_ok", "manifest_sign_contract_ok"))
        res = _sign(client, live_team, team_fiel)
        assert res.status_code == 200, res.text
        data = res.json()["data"]
        assert data["mensajeResultado"] == ("Firma exitosa; aceptado por el servicio de manifiesto de finkok: "
                                            "Documentos firmados correctamente")
        assert xmlsec_verify(base64.b64decode(data["xmlBase64"]), team_fiel.cer, tmp_path).returncode == 0
        call = etree.fromstring(sent[2].body).find(f".//{NS}sign_contract")
        stored = _live_manifest(live_team)["pac_service"]
        assert stored["name"] == "finkok" and set(stored["documents"]) == {"privacy", "contract"}
        for name in ("privacy", "contract"):
            document = call.findtext(f"{NS}{name}_xml").encode()
            assert get_storage(get_settings()).get(stored["documents"][name]) == document
            root = etree.fromstring(document)
            assert root.tag == "documento" and root.find("contrato").get("rfc") == RFC
            verified = xmlsec_verify(document, team_fiel.cer, tmp_path)  # Debian's xmlsec1, the FIEL's key
            assert verified.returncode == 0, verified.stderr

    def test_a_refusal_is_the_seeds_400_and_nothing_is_stored(
            self, client: TestClient, live_team: Account, team_fiel: testca.TestCertificate,
            monkeypatch: pytest.MonkeyPatch) -> None:
        _pac(monkeypatch, "finkok")
        replay_in_order(monkeypatch, conversation("manifest_get_contracts_error"))
        res = _sign(client, live_team, team_fiel)
        assert res.status_code == 400, res.text
        assert res.json()["message"] == "Manifest signing failed: El SNID no corresponde a un socio de negocios"
        assert _live_manifest(live_team) is None

    def test_silence_is_a_503_and_nothing_is_stored(
            self, client: TestClient, live_team: Account, team_fiel: testca.TestCertificate,
            monkeypatch: pytest.MonkeyPatch) -> None:
        _pac(monkeypatch, "finkok")
        replay_in_order(monkeypatch, conversation() + [Exchange(status=504, body=b"Gateway Timeout")])
        res = _sign(client, live_team, team_fiel)
        assert res.status_code == 503, res.text
        assert res.json()["error"]["code"] == "pac_unavailable" and _live_manifest(live_team) is None


class TestSwSapien:
    def test_no_manifest_service_is_said_in_the_answer(
            self, client: TestClient, live_team: Account, team_fiel: testca.TestCertificate,
            monkeypatch: pytest.MonkeyPatch) -> None:
        _pac(monkeypatch, "swsapien")
        sent = replay_in_order(monkeypatch, [])
        res = _sign(client, live_team, team_fiel)
        assert res.status_code == 200, res.text
        assert res.json()["data"]["mensajeResultado"] == (
            "Firma exitosa; swsapien no tiene servicio de manifiesto en su API: el manifiesto firmado por Timbre "
            "es el registro")
        assert sent == [] and _live_manifest(live_team)["pac_service"]["documents"] == {}
