"""`POST /teams/{id}/manifest/sign`: the PAC's manifest signed with the team's FIEL (spec §2.6, seed's table)."""

from __future__ import annotations

import base64
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from lxml import etree

from tests.factories import Account, create_account
from timbre.cfdi import testca
from timbre.cfdi.certs import Credential
from timbre.config import get_settings
from timbre.kit.db import session_scope
from timbre.kit.storage import get_storage
from timbre.models import Event, Team
from timbre.sat import fiel, manifest
from timbre.sat.xmldsig import DS

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "sat"
RFC, NAME, PASSWORD = "EKU9003173C9", "ESCUELA KEMPER URGATE", "12345678a"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _sat_file(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def xmlsec_verify(xml: bytes, cer: bytes, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Debian's xmlsec1 checks the signature with the FIEL's public key (from its certificate)."""
    (tmp_path / "signed.xml").write_bytes(xml)
    (tmp_path / "fiel.cer").write_bytes(cer)
    return subprocess.run(["xmlsec1", "--verify", "--pubkey-cert-der", str(tmp_path / "fiel.cer"),
                           str(tmp_path / "signed.xml")], capture_output=True, text=True, check=False)


@pytest.fixture(scope="module")
def team_fiel() -> testca.TestCertificate:
    return testca.make_test_fiel(RFC, NAME)


def configured(client: TestClient, account: Account, **fields: Any) -> Account:
    res = client.put(f"/v2/teams/{account.team_id}", headers=account.headers(), json=fields)
    assert res.status_code == 200, res.text
    return account


@pytest.fixture
def team(client: TestClient) -> Account:
    """A team whose SAT configuration is complete for test mode (its CSD is Timbre's test CSD on first use)."""
    return configured(client, create_account(NAME, tax_id=RFC), tax_system="601", address={"country": "MEX",
                                                                                         "zip": "42501"})


def sign(client: TestClient, account: Account, body: dict[str, Any]) -> Any:
    return client.post(f"/v2/teams/{account.team_id}/manifest/sign", headers=account.headers(), json=body)


def fiel_body(cert: testca.TestCertificate) -> dict[str, str]:
    return {"key": _b64(cert.key), "cert": _b64(cert.cer), "password": cert.password}


def refused(res: Any, message: str) -> dict[str, Any]:
    assert res.status_code == 400, res.text
    body: dict[str, Any] = res.json()
    assert body["message"] == message
    return body


class TestSignatureWithSatFiel:
    def test_sat_test_fiel_signs_and_xmlsec1_verifies(self, tmp_path: Path) -> None:
        cer = _sat_file("EKU9003173C9_fiel.cer")
        credential = Credential.load(cer, _sat_file("EKU9003173C9_fiel.key"), PASSWORD)
        at = datetime(2021, 5, 3, 16, 0, tzinfo=UTC)  # inside the SAT test FIEL's validity (2019 → 2023)
        parties = manifest.Parties(credential.rfc, credential.legal_name, "601", "Timbre Sandbox PAC",
                                   credential.no_certificado)
        xml = manifest.sign(parties, at, credential)
        verified = xmlsec_verify(xml, cer, tmp_path)
        assert verified.returncode == 0 and "OK" in verified.stdout + verified.stderr, verified.stderr
        root = etree.fromstring(xml)
        assert root.get("Fecha") == "2021-05-03T16:00:00Z"
        assert root.find(f"{{{manifest.NS}}}Contribuyente").get("Rfc") == RFC  # type: ignore[union-attr]
        assert "3 de mayo de 2021" in "".join(root.itertext())

    def test_a_changed_manifest_no_longer_verifies(self, tmp_path: Path) -> None:
        cer = _sat_file("EKU9003173C9_fiel.cer")
        credential = Credential.load(cer, _sat_file("EKU9003173C9_fiel.key"), PASSWORD)
        parties = manifest.Parties(RFC, NAME, "601", "Timbre Sandbox PAC", credential.no_certificado)
        xml = manifest.sign(parties, datetime(2021, 5, 3, tzinfo=UTC), credential)
        verified = xmlsec_verify(xml.replace(b"Timbre Sandbox PAC", b"Otro PAC"), cer, tmp_path)
        assert verified.returncode != 0


class TestSignManifest:
    def test_signs_stores_and_emits(self, client: TestClient, team: Account, team_fiel: testca.TestCertificate,
                                    tmp_path: Path) -> None:
        res = sign(client, team, fiel_body(team_fiel))
        assert res.status_code == 200, res.text
        assert res.json()["message"] == "Manifest signed successfully"
        data = res.json()["data"]
        assert data["mensajeResultado"] == "Firma exitosa"
        signed_at = datetime.strptime(data["fechaFirma"], "%Y-%m-%dT%H:%M:%S.%f%z")
        assert abs((datetime.now(UTC) - signed_at).total_seconds()) < 600
        xml, pdf = base64.b64decode(data["xmlBase64"]), base64.b64decode(data["pdfBase64"])
        verified = xmlsec_verify(xml, team_fiel.cer, tmp_path)
        assert verified.returncode == 0, verified.stderr
        root = etree.fromstring(xml)
        assert root.find(f"{{{manifest.NS}}}Contribuyente").get("Rfc") == RFC  # type: ignore[union-attr]
        assert root.find(f"{{{DS}}}Signature/{{{DS}}}KeyInfo/{{{DS}}}X509Data/{{{DS}}}X509Certificate")\
            .text == _b64(team_fiel.cer)  # type: ignore[union-attr]
        assert pdf.startswith(b"%PDF-")

        settings = get_settings()
        with session_scope(settings.db_url) as session:
            row = session.get(Team, team.team_id)
            assert row is not None
            stored = row.sat["manifest"]["test"]
            storage = get_storage(settings)
            assert storage.get(stored["xml"]) == xml and storage.get(stored["pdf"]) == pdf
            assert _b64(team_fiel.key) not in str(row.sat) and row.sat["fiel"]["test"]["rfc"] == RFC
            loaded = fiel.load(settings.secret(), row, livemode=False)
            assert loaded is not None and loaded.der == team_fiel.cer
            events = session.query(Event).filter(Event.team_id == team.team_id,
                                                 Event.type == "teams.sat.manifest.signed").all()
            assert [e.data["id"] for e in events] == [team.team_id]
        assert "fiel" not in client.get(f"/v2/teams/{team.team_id}", headers=team.headers()).json()["data"]["sat"]

    def test_multipart_files(self, client: TestClient, team: Account, team_fiel: testca.TestCertificate,
                             tmp_path: Path) -> None:
        res = client.post(f"/v2/teams/{team.team_id}/manifest/sign", headers=team.headers(),
                          files={"key": ("fiel.key", team_fiel.key), "cert": ("fiel.cer", team_fiel.cer)},
                          data={"password": team_fiel.password})
        assert res.status_code == 200, res.text
        assert xmlsec_verify(base64.b64decode(res.json()["data"]["xmlBase64"]), team_fiel.cer,
                             tmp_path).returncode == 0

    def test_unknown_team_is_404(self, client: TestClient, team: Account, team_fiel: testca.TestCertificate) -> None:
        res = client.post("/v2/teams/team_nope/manifest/sign", headers=team.headers(), json=fiel_body(team_fiel))
        assert res.status_code == 404 and res.json()["message"] == "Team not found"


class TestRefusals:
    @pytest.mark.parametrize(("absent", "message"), [
        ("key", "key (Base64 encoded .key file) is required"),
        ("cert", "cert (Base64 encoded .cert file) is required"),
        ("password", "password is required"),
    ])
    def test_missing_field(self, client: TestClient, team: Account, team_fiel: testca.TestCertificate,
                           absent: str, message: str) -> None:
        body = {k: v for k, v in fiel_body(team_fiel).items() if k != absent}
        refused(sign(client, team, body), message)

    def test_a_csd_is_not_a_fiel(self, client: TestClient, team: Account) -> None:
        body = refused(sign(client, team, fiel_body(testca.make_test_csd(RFC, NAME))), "Certificado FIEL invalido")
        assert body["error"]["code"] == "not_fiel"

    def test_wrong_password(self, client: TestClient, team: Account, team_fiel: testca.TestCertificate) -> None:
        body = refused(sign(client, team, {**fiel_body(team_fiel), "password": "not-it"}), "Certificado FIEL invalido")
        assert body["error"]["code"] == "wrong_password"

    def test_another_rfcs_fiel(self, client: TestClient, team: Account) -> None:
        other = testca.make_test_fiel("XIQB891116QE4", "BERENICE XIMO QUEZADA")
        refused(sign(client, team, fiel_body(other)), "El RFC del certificado no coincide con el RFC del equipo")

    def test_expired_fiel(self, client: TestClient, team: Account) -> None:
        sat_fiel = {"key": _b64(_sat_file("EKU9003173C9_fiel.key")), "cert": _b64(_sat_file("EKU9003173C9_fiel.cer")),
                    "password": PASSWORD}  # SAT's own test FIEL of the team's RFC, expired in 2023
        body = refused(sign(client, team, sat_fiel), "Certificado FIEL invalido")
        assert body["error"]["code"] == "expired"

    def test_not_base64(self, client: TestClient, team: Account, team_fiel: testca.TestCertificate) -> None:
        refused(sign(client, team, {**fiel_body(team_fiel), "cert": "%%%"}), "Certificado FIEL invalido")

    def test_sat_configuration_incomplete(self, client: TestClient, team_fiel: testca.TestCertificate) -> None:
        account = configured(client, create_account(NAME, tax_id=RFC), tax_system="601")  # no postal code
        body = refused(sign(client, account, fiel_body(team_fiel)), "SAT configuration is incomplete")
        assert body["error"]["code"] == "sat_configuration_incomplete" and "address.zip" in str(body)
        with session_scope(get_settings().db_url) as session:
            assert session.query(Event).filter(Event.team_id == account.team_id,
                                               Event.type == "teams.sat.manifest.signed").count() == 0
