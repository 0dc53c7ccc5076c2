"""The sandbox PAC: what it accepts, what it refuses (with the codes real PACs use) and what it signs."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from satcfdi.cfdi import CFDI

from tests.cfdi.cfdi_samples import FECHA, INSTANT, consulting_items, invoice_input
from timbre.cfdi import build, testca, xmlsafe, xsd
from timbre.cfdi.certs import Credential
from timbre.cfdi.pac import PacRejected
from timbre.cfdi.pac.sandbox import SANDBOX_RFC, RulesRejected, SandboxPAC, sandbox_credential, verify_acuse, verify_tfd
from timbre.cfdi.seal import find_timbre, seal, verify_seal

SAT = Path(__file__).resolve().parents[2] / "fixtures" / "sat"
TESTCA = Path(testca.__file__).resolve().parent / "data" / "testca"
UUID = re.compile(r"^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$")


def invoice(credential: Credential, **fields: object) -> bytes:
    return seal(build.build(invoice_input(consulting_items(), fecha=FECHA, **fields)), credential)


def rejection(pac: SandboxPAC, xml: bytes) -> PacRejected:
    with pytest.raises(PacRejected) as caught:
        pac.stamp(xml)
    return caught.value


class TestStamp:
    def test_stamped_document_is_valid_sealed_and_timbrado(self, sandbox: SandboxPAC, credential: Credential) -> None:
        result = sandbox.stamp(invoice(credential))

        assert UUID.match(result.uuid)
        assert xsd.validate(result.xml) == []
        assert verify_seal(result.xml)
        assert verify_tfd(result.xml)
        assert sandbox.verify_tfd(result.xml)
        timbre = find_timbre(xmlsafe.parse(result.xml))
        assert timbre.get("UUID") == result.uuid
        assert timbre.get("RfcProvCertif") == SANDBOX_RFC == result.rfc_prov_certif
        assert timbre.get("NoCertificadoSAT") == sandbox_credential().no_certificado == result.no_certificado_sat
        assert timbre.get("FechaTimbrado") == "2026-06-15T12:00:00" == result.fecha_timbrado.isoformat()
        assert timbre.get("SelloCFD") == xmlsafe.parse(result.xml).get("Sello")

    def test_each_stamp_gets_its_own_uuid(self, sandbox: SandboxPAC, credential: Credential) -> None:
        xml = invoice(credential)
        assert sandbox.stamp(xml).uuid != sandbox.stamp(xml).uuid

    def test_changed_timbre_does_not_verify(self, sandbox: SandboxPAC, credential: Credential) -> None:
        stamped = sandbox.stamp(invoice(credential)).xml
        later = stamped.replace(b'FechaTimbrado="2026-06-15T12:00:00"', b'FechaTimbrado="2026-06-15T12:00:01"')
        assert not verify_tfd(later)
        assert not verify_tfd(invoice(credential))  # no timbre at all

    def test_sat_test_csd_stamps_at_an_instant_it_was_valid(self) -> None:
        sat_csd = Credential.load(
            (SAT / "EKU9003173C9_csd.cer").read_bytes(), (SAT / "EKU9003173C9_csd.key").read_bytes(), "12345678a"
        )
        then = datetime(2021, 3, 1, 18, 0, tzinfo=UTC)
        xml = seal(build.build(invoice_input(consulting_items(), fecha=datetime(2021, 3, 1, 11, 0))), sat_csd)
        assert verify_tfd(SandboxPAC(clock=lambda: then).stamp(xml).xml)

    def test_rules_hook_sees_the_document(self, credential: Credential) -> None:
        seen: list[str] = []

        def rules(cfdi: CFDI) -> list[Violation]:
            seen.append(cfdi["Emisor"]["Rfc"])
            return []

        SandboxPAC(clock=lambda: INSTANT, rules=rules).stamp(invoice(credential))
        assert seen == ["EKU9003173C9"]


@dataclass(frozen=True)
class Violation:
    code: str
    message_es: str
    message_en: str


class TestRefusals:
    def test_rule_violations(self, credential: Credential) -> None:
        broken = Violation("CFDI40105", 'El campo FormaPago no contiene el valor "99".', "PPD requires FormaPago 99")
        pac = SandboxPAC(clock=lambda: INSTANT, rules=lambda cfdi: [broken])
        with pytest.raises(RulesRejected) as caught:
            pac.stamp(invoice(credential))
        assert caught.value.code == "CFDI40105"
        assert caught.value.violations == [broken]
        assert caught.value.details == ["CFDI40105: PPD requires FormaPago 99"]

    def test_malformed(self, sandbox: SandboxPAC, credential: Credential) -> None:
        assert rejection(sandbox, invoice(credential)[:300]).code == "301"

    def test_schema_errors(self, sandbox: SandboxPAC, credential: Credential) -> None:
        error = rejection(sandbox, invoice(credential).replace(b' UsoCFDI="G03"', b""))
        assert error.code == "301"
        assert any("UsoCFDI" in d for d in error.details)

    def test_code_outside_sats_catalog(self, sandbox: SandboxPAC, credential: Credential) -> None:
        xml = seal(build.build(replace(
            invoice_input(consulting_items(), fecha=FECHA), lugar_expedicion="00001"
        )), credential)
        assert rejection(sandbox, xml).code == "CFDI40126"

    def test_tampered_after_sealing(self, sandbox: SandboxPAC, credential: Credential) -> None:
        assert rejection(sandbox, invoice(credential).replace(b'Folio="123"', b'Folio="124"')).code == "CFDI40102"

    def test_already_stamped(self, sandbox: SandboxPAC, credential: Credential) -> None:
        assert rejection(sandbox, sandbox.stamp(invoice(credential)).xml).code == "307"

    def test_certificate_of_another_rfc(
        self, sandbox: SandboxPAC, make_credential: Callable[[str, str], Credential]
    ) -> None:
        other = make_credential("XIQB891116QE4", "BERENICE XIMO QUEZADA")
        assert rejection(sandbox, invoice(other)).code == "303"

    def test_fiel_is_not_a_csd(self, sandbox: SandboxPAC) -> None:
        made = testca.make_test_fiel("EKU9003173C9", "ESCUELA KEMPER URGATE", now=INSTANT)
        error = rejection(sandbox, invoice(Credential.load(made.cer, made.key, made.password)))
        assert error.code == "306"

    def test_expired_certificate(self, sandbox: SandboxPAC) -> None:
        made = testca.make_test_csd("EKU9003173C9", "ESCUELA KEMPER URGATE", now=INSTANT - timedelta(days=30),
                                    valid_days=10)
        assert rejection(sandbox, invoice(Credential.load(made.cer, made.key, made.password))).code == "305"

    def test_sat_test_csd_expired_by_now(self) -> None:
        sat_csd = Credential.load(
            (SAT / "EKU9003173C9_csd.cer").read_bytes(), (SAT / "EKU9003173C9_csd.key").read_bytes(), "12345678a"
        )
        error = rejection(SandboxPAC(clock=lambda: INSTANT), invoice(sat_csd))
        assert error.code == "305"

    def test_certificate_not_issued_by_a_trusted_ca(self, sandbox: SandboxPAC) -> None:
        assert rejection(sandbox, invoice(rogue_csd("EKU9003173C9"))).code == "308"

    @pytest.mark.parametrize("offset", [timedelta(hours=-73), timedelta(hours=3)])
    def test_fecha_outside_the_stamping_window(self, credential: Credential, offset: timedelta) -> None:
        pac = SandboxPAC(clock=lambda: INSTANT - offset)
        assert rejection(pac, invoice(credential)).code == "401"

    def test_fecha_is_read_in_the_zone_of_lugar_expedicion(self, credential: Credential) -> None:
        """Mexico City's clock written by an issuer in Tijuana (22000) is two hours ahead there in winter: a
        PAC refuses it; Tijuana's own clock stamps."""
        winter = datetime(2026, 12, 3, 18, 0, tzinfo=UTC)
        pac = SandboxPAC(clock=lambda: winter)
        central = winter.astimezone(ZoneInfo("America/Mexico_City")).replace(tzinfo=None)
        tijuana = winter.astimezone(ZoneInfo("America/Tijuana")).replace(tzinfo=None)
        assert rejection(pac, seal(build.build(invoice_input(consulting_items(), fecha=central,
                                                             lugar_expedicion="22000")), credential)).code == "401"
        stamped = pac.stamp(seal(build.build(invoice_input(consulting_items(), fecha=tijuana,
                                                           lugar_expedicion="22000")), credential))
        assert xmlsafe.parse(stamped.xml).get("Fecha") == tijuana.isoformat()


class TestCancel:
    def test_acuse_is_signed_and_names_the_folio(self, sandbox: SandboxPAC) -> None:
        uuid = "a47d317f-780a-451e-85cf-9386521a6136"
        result = sandbox.cancel(uuid, "eku9003173c9", "02")

        assert (result.uuid, result.status) == (uuid.upper(), "201")
        assert result.acuse_xml is not None
        assert sandbox.verify_acuse(result.acuse_xml)
        acuse = xmlsafe.parse(result.acuse_xml)
        assert acuse.get("RfcEmisor") == "EKU9003173C9"
        assert acuse.get("Fecha") == "2026-06-15T12:00:00"
        assert acuse.findtext("{*}Folios/{*}UUID") == uuid.upper()
        assert acuse.findtext("{*}Folios/{*}EstatusUUID") == "201"
        assert not verify_acuse(result.acuse_xml.replace(b">201<", b">202<"))

    @pytest.mark.skipif(shutil.which("xmlsec1") is None, reason="xmlsec1 missing: run scripts/system-deps.sh")
    def test_acuse_signature_verifies_with_xmlsec1(self, sandbox: SandboxPAC, tmp_path: Path) -> None:
        """Debian's xmlsec1 checks the enveloped signature against the Timbre Test CA, as any xmldsig verifier
        would; a changed status fails it."""
        result = sandbox.cancel("a47d317f-780a-451e-85cf-9386521a6136", "EKU9003173C9", "02")
        assert result.acuse_xml is not None
        ca = x509.load_der_x509_certificate((TESTCA / "timbre_test_ca.cer").read_bytes())
        (tmp_path / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
        for name, xml, expected in (("acuse.xml", result.acuse_xml, 0),
                                    ("tampered.xml", result.acuse_xml.replace(b">201<", b">202<"), 1)):
            (tmp_path / name).write_bytes(xml)
            run = subprocess.run(["xmlsec1", "--verify", "--enabled-key-data", "x509", "--trusted-pem",
                                  str(tmp_path / "ca.pem"), str(tmp_path / name)], capture_output=True, timeout=60)
            assert run.returncode == expected, run.stderr.decode()
        assert sandbox.verify_acuse(result.acuse_xml)

    def test_motive_01_needs_the_substitute(self, sandbox: SandboxPAC) -> None:
        with pytest.raises(PacRejected, match="substituting"):
            sandbox.cancel("a47d317f-780a-451e-85cf-9386521a6136", "EKU9003173C9", "01")
        result = sandbox.cancel(
            "a47d317f-780a-451e-85cf-9386521a6136", "EKU9003173C9", "01", "12345678-1234-1234-1234-123456789012"
        )
        assert result.status == "201"

    def test_unknown_motive_and_bad_uuid(self, sandbox: SandboxPAC) -> None:
        with pytest.raises(PacRejected, match="motive"):
            sandbox.cancel("a47d317f-780a-451e-85cf-9386521a6136", "EKU9003173C9", "05")
        with pytest.raises(PacRejected) as caught:
            sandbox.cancel("not-a-uuid", "EKU9003173C9", "02")
        assert caught.value.code == "205"


def test_cancellations_are_handed_to_the_simulated_sat() -> None:
    # SAT's acceptance rules live with the simulated SAT (timbre.satws): the sandbox reports its answer.
    asked: list[tuple[str, str]] = []

    def sat(uuid: str, rfc: str) -> str | None:
        asked.append((uuid, rfc))
        return "En proceso"

    pac = SandboxPAC(cancellations=sat)
    result = pac.cancel("a47d317f-780a-451e-85cf-9386521a6136", "EKU9003173C9", "02")
    assert (result.status, result.cancellation_status) == ("201", "En proceso")
    assert asked == [("A47D317F-780A-451E-85CF-9386521A6136", "EKU9003173C9")]
    assert SandboxPAC().cancel("a47d317f-780a-451e-85cf-9386521a6136", "EKU9003173C9", "02").cancellation_status \
        is None


def rogue_csd(rfc: str) -> Credential:
    """A CSD-shaped certificate from a CA nobody trusts."""
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Rogue CA")])
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(testca.sat_subject(rfc, "ROGUE"))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(testca.ascii_digit_serial())
        .not_valid_before(INSTANT - timedelta(days=1))
        .not_valid_after(INSTANT + timedelta(days=365))
        .add_extension(testca.sat_key_usage(fiel=False), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    return Credential(certificate, key)
