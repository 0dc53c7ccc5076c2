"""`POST /teams/{id}/sat-connection`: the CSD upload (spec §2.6) and `timbre test-csd`."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from fastapi.testclient import TestClient

from tests.factories import Account, create_account, create_key
from tests.procs import env_for, run
from timbre.cfdi import testca
from timbre.cfdi.certs import Credential
from timbre.config import get_settings
from timbre.kit.crypto import decrypt
from timbre.kit.db import session_scope
from timbre.models import Csd

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "sat"
RFC, NAME = "EKU9003173C9", "ESCUELA KEMPER URGATE"


@pytest.fixture(scope="module")
def csd() -> testca.TestCertificate:
    return testca.make_test_csd(RFC, NAME)


@pytest.fixture
def team(client: TestClient) -> Account:
    account = create_account(NAME)
    res = client.put(f"/v2/teams/{account.team_id}", headers=account.headers(),
                     json={"tax_id": RFC, "tax_system": "601"})
    assert res.status_code == 200
    return account


def upload(client: TestClient, account: Account, cer: bytes | None, key: bytes | None, password: str | None,
           *, live: bool = False) -> Any:
    files = {name: (f"csd.{name}", value) for name, value in (("cert", cer), ("key", key)) if value is not None}
    data = {"keyPass": password} if password is not None else {}
    return client.post(f"/v2/teams/{account.team_id}/sat-connection", headers=account.headers(live=live),
                       files=files or None, data=data)


def _stored(team_id: str) -> list[Csd]:
    with session_scope(get_settings().db_url) as session:
        rows = session.query(Csd).filter(Csd.team_id == team_id).order_by(Csd.created_at).all()
        session.expunge_all()
        return rows


def _foreign_ca_csd() -> tuple[bytes, bytes]:
    """A CSD of the right shape, signed by a CA nobody trusts."""
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Some Other CA")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(testca.sat_subject(RFC, NAME)).issuer_name(ca_name)
            .public_key(key.public_key()).serial_number(testca.ascii_digit_serial())
            .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=365))
            .add_extension(testca.sat_key_usage(fiel=False), critical=True).sign(ca_key, hashes.SHA256()))
    encrypted = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                  serialization.BestAvailableEncryption(b"12345678a"))
    return cert.public_bytes(serialization.Encoding.DER), encrypted


class TestUpload:
    def test_connects_the_team_and_keeps_the_key_encrypted(self, client: TestClient, team: Account,
                                                            csd: testca.TestCertificate,
                                                            caplog: pytest.LogCaptureFixture) -> None:
        caplog.set_level(logging.DEBUG)
        res = upload(client, team, csd.cer, csd.key, csd.password)
        assert res.status_code == 200, res.text
        body = res.json()
        assert body["message"] == "SAT connection established successfully"
        credential = Credential.load(csd.cer, csd.key, csd.password)
        details = body["data"]["details"]
        assert body["data"]["isValid"] is True
        assert details["serialNumber"] == credential.no_certificado and details["rfc"] == RFC
        assert details["validTo"] == int(credential.not_after.timestamp() * 1000)
        assert "key" not in details and csd.password not in res.text
        sat = client.get(f"/v2/teams/{team.team_id}", headers=team.headers()).json()["data"]["sat"]
        assert sat["completed"] is True and sat["csd_expires_at"] == details["validTo"] // 1000  # seconds
        assert sat["test_csd"] is False
        assert abs(sat["connected_at"] - body["timestamp"] // 1000) < 60
        (row,) = _stored(team.team_id)
        plain = credential.export_pkcs8()
        assert plain not in row.key_encrypted and row.livemode is False
        assert decrypt(get_settings().secret(), f"csd-key:{row.id}", row.key_encrypted) == plain
        assert csd.password not in caplog.text and plain.hex() not in caplog.text

    def test_a_new_upload_replaces_the_active_csd(self, client: TestClient, team: Account,
                                                  csd: testca.TestCertificate) -> None:
        other = testca.make_test_csd(RFC, NAME)
        assert upload(client, team, csd.cer, csd.key, csd.password).status_code == 200
        assert upload(client, team, other.cer, other.key, other.password).status_code == 200
        rows = _stored(team.team_id)
        assert [r.active for r in rows] == [False, True]
        shown = client.get(f"/v2/teams/{team.team_id}/sat-connection", headers=team.headers()).json()["data"]
        assert shown["details"]["serialNumber"] == Credential.load(other.cer, other.key, other.password).no_certificado

    def test_the_connection_is_per_mode(self, client: TestClient, team: Account, csd: testca.TestCertificate) -> None:
        upload(client, team, csd.cer, csd.key, csd.password)
        res = client.get(f"/v2/teams/{team.team_id}/sat-connection", headers=team.headers(live=True))
        assert res.status_code == 404


class TestRefusals:
    def _refused(self, res: Any, code: str, field: str) -> dict[str, Any]:
        assert res.status_code == 400, res.text
        error: dict[str, Any] = res.json()["error"]
        assert error["code"] == code
        assert [d["field"] for d in error["details"]] == [field]
        return error

    def test_missing_files(self, client: TestClient, team: Account) -> None:
        res = upload(client, team, None, None, None)
        assert res.status_code == 400
        body = res.json()
        assert body["message"] == "Invalid certificate"
        assert body["error"]["message"] == "Missing required files or invalid certificate format"
        assert [d["field"] for d in body["error"]["details"]] == ["cert", "key", "keyPass"]

    def test_a_json_body_is_missing_files_too(self, client: TestClient, team: Account) -> None:
        res = client.post(f"/v2/teams/{team.team_id}/sat-connection", headers=team.headers(), json={"cert": "x"})
        assert res.status_code == 400 and res.json()["error"]["code"] == "missing_files"

    def test_unreadable_certificate(self, client: TestClient, team: Account, csd: testca.TestCertificate) -> None:
        res = upload(client, team, b"not a certificate", csd.key, csd.password)
        self._refused(res, "unreadable_certificate", "cert")

    def test_unreadable_key(self, client: TestClient, team: Account, csd: testca.TestCertificate) -> None:
        self._refused(upload(client, team, csd.cer, b"garbage" * 20, csd.password), "unreadable_key", "key")

    def test_wrong_password(self, client: TestClient, team: Account, csd: testca.TestCertificate) -> None:
        error = self._refused(upload(client, team, csd.cer, csd.key, "wrong"), "wrong_password", "keyPass")
        assert "password" in error["message"]

    def test_key_of_another_certificate(self, client: TestClient, team: Account, csd: testca.TestCertificate) -> None:
        other = testca.make_test_csd(RFC, NAME)
        self._refused(upload(client, team, csd.cer, other.key, other.password), "key_mismatch", "key")

    def test_a_fiel_is_not_a_csd(self, client: TestClient, team: Account) -> None:
        fiel = testca.make_test_fiel(RFC, NAME)
        error = self._refused(upload(client, team, fiel.cer, fiel.key, fiel.password), "not_csd", "cert")
        assert "FIEL" in error["message"]

    def test_another_rfc(self, client: TestClient, team: Account) -> None:
        other = testca.make_test_csd("XIQB891116QE4", "BERENICE XIMO QUEZADA")
        error = self._refused(upload(client, team, other.cer, other.key, other.password), "rfc_mismatch", "cert")
        assert "XIQB891116QE4" in error["message"]

    def test_expired(self, client: TestClient, team: Account) -> None:
        cer, key = (FIXTURES / "EKU9003173C9_csd.cer").read_bytes(), (FIXTURES / "EKU9003173C9_csd.key").read_bytes()
        self._refused(upload(client, team, cer, key, "12345678a"), "expired", "cert")

    def test_not_yet_valid(self, client: TestClient, team: Account) -> None:
        later = testca.make_test_csd(RFC, NAME, now=datetime.now(UTC) + timedelta(days=30))
        self._refused(upload(client, team, later.cer, later.key, later.password), "not_yet_valid", "cert")

    def test_untrusted_authority(self, client: TestClient, team: Account) -> None:
        cer, key = _foreign_ca_csd()
        self._refused(upload(client, team, cer, key, "12345678a"), "untrusted", "cert")

    def test_live_mode_accepts_sat_production_csds_only(self, client: TestClient, team: Account,
                                                         csd: testca.TestCertificate) -> None:
        error = self._refused(upload(client, team, csd.cer, csd.key, csd.password, live=True), "untrusted", "cert")
        assert "production" in error["message"]
        assert _stored(team.team_id) == []

    def test_team_without_rfc(self, client: TestClient, csd: testca.TestCertificate) -> None:
        account = create_account()
        res = upload(client, account, csd.cer, csd.key, csd.password)
        assert res.status_code == 400 and res.json()["error"]["code"] == "team_tax_id_required"

    def test_admin_role_required(self, client: TestClient, team: Account, csd: testca.TestCertificate) -> None:
        editor = create_key(team.team_id, role="editor")
        res = client.post(f"/v2/teams/{team.team_id}/sat-connection", headers={"Authorization": f"Bearer {editor}"},
                          files={"cert": ("a.cer", csd.cer), "key": ("a.key", csd.key)},
                          data={"keyPass": csd.password})
        assert res.status_code == 403

    def test_team_of_another_billing_account(self, client: TestClient, team: Account,
                                             csd: testca.TestCertificate) -> None:
        stranger = create_account()
        res = client.post(f"/v2/teams/{team.team_id}/sat-connection", headers=stranger.headers(),
                          files={"cert": ("a.cer", csd.cer), "key": ("a.key", csd.key)},
                          data={"keyPass": csd.password})
        assert res.status_code == 404


class TestTestCsdCommand:
    def test_writes_a_test_csd_that_test_mode_accepts(self, client: TestClient, team: Account,
                                                       tmp_path: Path) -> None:
        out = tmp_path / "csd"
        result = run(["test-csd", "--rfc", RFC.lower(), "--name", "Escuela Kemper Urgate", "--out", str(out)],
                     env_for(tmp_path / "data"))
        assert result.returncode == 0, result.stderr
        cer, key = (out / f"{RFC}.cer").read_bytes(), (out / f"{RFC}.key").read_bytes()
        password = (out / f"{RFC}.password.txt").read_text().strip()
        credential = Credential.load(cer, key, password)
        assert credential.is_csd and credential.rfc == RFC and credential.legal_name == NAME
        assert credential.not_before < datetime.now(UTC) < credential.not_after
        assert upload(client, team, cer, key, password).status_code == 200
        assert upload(client, team, cer, key, password, live=True).status_code == 400

    def test_refuses_a_malformed_rfc(self, tmp_path: Path) -> None:
        result = run(["test-csd", "--rfc", "NOPE", "--name", "X", "--out", str(tmp_path)], env_for(tmp_path / "d"))
        assert result.returncode == 2 and "RFC" in result.stderr
