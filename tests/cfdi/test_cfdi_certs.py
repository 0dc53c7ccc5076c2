"""Loading and checking SAT certificates: SAT's public test CSD/FIEL (expired in 2023, so every
check here names its instant) and fresh Timbre Test CA certificates."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from timbre.cfdi import certs, testca
from timbre.cfdi.certs import Certificate, CertificateKind, Credential

SAT = Path(__file__).resolve().parents[1] / "fixtures" / "sat"
PASSWORD = "12345678a"
WHILE_VALID = datetime(2021, 1, 1, tzinfo=UTC)  # inside the SAT test certificates' validity


def sat_file(name: str) -> bytes:
    return (SAT / name).read_bytes()


def load(stem: str, password: str = PASSWORD, key_stem: str | None = None) -> Credential:
    return Credential.load(sat_file(f"{stem}.cer"), sat_file(f"{key_stem or stem}.key"), password)


class TestSatCsd:
    def test_reads_what_sat_wrote(self) -> None:
        csd = load("EKU9003173C9_csd")
        assert csd.rfc == "EKU9003173C9"
        assert csd.rfc_representante == "XIQB891116QE4"
        assert csd.no_certificado == "30001000000400002434"
        assert csd.legal_name == "ESCUELA KEMPER URGATE SA DE CV"
        assert csd.razon_social == "ESCUELA KEMPER URGATE"  # CFDI 4.0's Nombre drops the régimen societario
        assert csd.kind is CertificateKind.CSD
        assert (csd.not_before.date().isoformat(), csd.not_after.date().isoformat()) == ("2019-06-17", "2023-06-17")

    def test_persona_fisica_has_no_representative(self) -> None:
        csd = load("XIQB891116QE4_csd")
        assert (csd.rfc, csd.rfc_representante, csd.legal_name) == ("XIQB891116QE4", None, "BERENICE XIMO QUEZADA")
        assert csd.razon_social == "BERENICE XIMO QUEZADA"

    def test_passes_every_check_while_valid(self) -> None:
        load("EKU9003173C9_csd").check(rfc="EKU9003173C9", at=WHILE_VALID, trust=certs.trust_store("test"))

    def test_base64_round_trips(self) -> None:
        csd = load("EKU9003173C9_csd")
        assert Certificate.from_base64(csd.base64).der == sat_file("EKU9003173C9_csd.cer")
        # the same Certificado text is read once: the same immutable certificate (a CFDI's is read at each check)
        assert Certificate.from_base64(csd.base64) is Certificate.from_base64(csd.base64)


class TestErrors:
    def test_expired(self) -> None:
        with pytest.raises(certs.CertificateExpired) as caught:
            load("EKU9003173C9_csd").check(at=datetime(2024, 1, 1, tzinfo=UTC))
        assert caught.value.reason == "expired"
        assert "2023-06-17" in caught.value.message

    def test_not_yet_valid(self) -> None:
        with pytest.raises(certs.CertificateNotYetValid) as caught:
            load("EKU9003173C9_csd").check(at=datetime(2019, 1, 1, tzinfo=UTC))
        assert caught.value.reason == "not_yet_valid"

    def test_fiel_is_not_a_csd(self) -> None:
        fiel = load("EKU9003173C9_fiel")
        assert fiel.kind is CertificateKind.FIEL
        with pytest.raises(certs.NotACSD, match="FIEL") as caught:
            fiel.check(at=WHILE_VALID)
        assert caught.value.reason == "not_csd"

    def test_fiel_is_accepted_when_a_csd_is_not_required(self) -> None:
        load("EKU9003173C9_fiel").check(require_csd=False, at=WHILE_VALID)

    def test_rfc_mismatch(self) -> None:
        with pytest.raises(certs.RfcMismatch, match="EKU9003173C9") as caught:
            load("EKU9003173C9_csd").check(rfc="XIQB891116QE4")
        assert caught.value.reason == "rfc_mismatch"

    def test_wrong_password(self) -> None:
        with pytest.raises(certs.WrongPassword) as caught:
            load("EKU9003173C9_csd", password="not-the-password")
        assert caught.value.reason == "wrong_password"

    def test_key_of_another_certificate(self) -> None:
        with pytest.raises(certs.KeyMismatch) as caught:
            load("EKU9003173C9_csd", key_stem="XIQB891116QE4_csd")
        assert caught.value.reason == "key_mismatch"

    def test_unreadable_files(self) -> None:
        with pytest.raises(certs.UnreadableCertificate):
            Credential.load(b"not a certificate", sat_file("EKU9003173C9_csd.key"), PASSWORD)
        with pytest.raises(certs.UnreadableKey):
            Credential.load(sat_file("EKU9003173C9_csd.cer"), b"not a key", PASSWORD)

    def test_an_unreadable_certificado_is_refused_every_time_it_is_read(self) -> None:
        for _ in range(2):  # the certificates read are remembered; a refusal is not
            with pytest.raises(certs.UnreadableCertificate):
                Certificate.from_base64("bm90IGEgY2VydGlmaWNhdGU=")
            with pytest.raises(certs.UnreadableCertificate):
                Certificate.from_base64("not base64!")

    def test_sat_test_certificates_are_not_trusted_in_live_mode(self) -> None:
        with pytest.raises(certs.UntrustedCertificate) as caught:
            load("EKU9003173C9_csd").check(at=WHILE_VALID, trust=certs.trust_store("live"))
        assert caught.value.reason == "untrusted"

    def test_every_error_has_its_own_reason(self) -> None:
        classes = [
            certs.UnreadableCertificate, certs.UnreadableKey, certs.WrongPassword, certs.KeyMismatch,
            certs.NotACSD, certs.RfcMismatch, certs.CertificateExpired, certs.CertificateNotYetValid,
            certs.UntrustedCertificate,
        ]
        assert all(issubclass(cls, certs.CertificateError) for cls in classes)
        assert len({cls.reason for cls in classes}) == len(classes)


class TestTimbreTestCa:
    def test_fresh_csd_is_trusted_in_test_mode_only(self, credential: Credential) -> None:
        at = credential.not_before.replace(year=credential.not_before.year + 1)
        credential.check(rfc="EKU9003173C9", at=at, trust=certs.trust_store("test"))
        with pytest.raises(certs.UntrustedCertificate):
            credential.check(at=at, trust=certs.trust_store("live"))

    def test_issuer_must_be_valid_at_the_instant(self, credential: Credential) -> None:
        with pytest.raises(certs.UntrustedCertificate, match="not valid at that time"):
            certs.trust_store("test").check(credential, at=datetime(2024, 6, 1, tzinfo=UTC))


class TestPrivateKey:
    def test_signature_verifies_with_the_certificate(self, credential: Credential) -> None:
        signature = credential.sign_sha256(b"||4.0|A|1||")
        assert credential.verify_sha256(b"||4.0|A|1||", signature)
        assert not credential.verify_sha256(b"||4.0|A|2||", signature)

    def test_pkcs8_export_reloads_the_same_key(self, credential: Credential) -> None:
        again = Credential.from_pkcs8(credential.der, credential.export_pkcs8())
        assert again.verify_sha256(b"data", credential.sign_sha256(b"data"))
        assert again.no_certificado == credential.no_certificado

    def test_encrypted_export_needs_its_password(self, credential: Credential) -> None:
        encrypted = credential.export_encrypted_pkcs8("s3cret")
        assert Credential.load(credential.der, encrypted, "s3cret").rfc == "EKU9003173C9"
        with pytest.raises(certs.WrongPassword):
            Credential.load(credential.der, encrypted, "other")

    def test_reload_refuses_a_key_of_another_certificate(
        self, credential: Credential, make_credential: Callable[[str, str], Credential]
    ) -> None:
        other = make_credential("XIQB891116QE4", "BERENICE XIMO QUEZADA")
        with pytest.raises(certs.KeyMismatch):
            Credential.from_pkcs8(credential.der, other.export_pkcs8())


def test_test_ca_is_committed_and_self_signed() -> None:
    authority = testca.authority()
    assert authority.x509.subject == authority.x509.issuer
    assert authority.legal_name.startswith("Timbre")
