"""Certificates from the Timbre Test CA have the shape of SAT's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from timbre.cfdi import certs, testca
from timbre.cfdi.certs import Credential

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
PBES2_OID = bytes.fromhex("2a864886f70d01050d")  # 1.2.840.113549.1.5.13


def test_csd_has_sats_shape(tmp_path: Path) -> None:
    made = testca.make_test_csd(
        "EKU9003173C9", "ESCUELA KEMPER URGATE", tmp_path, representative_rfc="XIQB891116QE4",
        curp="XIQB891116MGRMZR05", now=NOW, valid_days=365,
    )
    certificate = x509.load_der_x509_certificate(made.cer)
    subject = certificate.subject
    assert subject.get_attributes_for_oid(NameOID.X500_UNIQUE_IDENTIFIER)[0].value == "EKU9003173C9 / XIQB891116QE4"
    assert subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)[0].value == "XIQB891116MGRMZR05"
    assert subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == "ESCUELA KEMPER URGATE"
    usage = certificate.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical
    assert (usage.value.digital_signature, usage.value.content_commitment) == (True, True)
    assert not (usage.value.key_agreement or usage.value.data_encipherment or usage.value.key_encipherment)
    serial = certificate.serial_number.to_bytes(20, "big")
    assert serial.isdigit() and len(serial) == 20
    public_key = certificate.public_key()
    assert isinstance(public_key, rsa.RSAPublicKey) and public_key.key_size == 2048
    assert PBES2_OID in made.key[:40]  # encrypted PKCS#8 with PBES2, like SAT's .key
    assert certificate.not_valid_before_utc == NOW - timedelta(days=1)
    assert certificate.not_valid_after_utc == NOW - timedelta(days=1) + timedelta(days=365)
    assert (tmp_path / "EKU9003173C9.cer").read_bytes() == made.cer
    assert (tmp_path / "EKU9003173C9.key").read_bytes() == made.key

    credential = Credential.load(made.cer, made.key, made.password)
    assert credential.no_certificado == serial.decode()
    credential.check(rfc="EKU9003173C9", at=NOW, trust=certs.trust_store("test"))


def test_fiel_is_told_apart() -> None:
    made = testca.make_test_fiel("EKU9003173C9", "ESCUELA KEMPER URGATE", now=NOW)
    credential = Credential.load(made.cer, made.key, made.password)
    assert credential.kind is certs.CertificateKind.FIEL
    assert not credential.is_csd


def test_serials_differ() -> None:
    assert len({testca.ascii_digit_serial() for _ in range(20)}) == 20
