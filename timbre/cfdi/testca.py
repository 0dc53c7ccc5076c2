"""The project's own test certificate authority, "Timbre Test CA".

Test mode needs CSDs that are valid *today* (SAT's public test CSDs expired in 2023), so Timbre
ships a small CA of its own and issues CSDs shaped like SAT's: subject with
x500UniqueIdentifier "RFC / REPRESENTATIVE-RFC", serialNumber (CURP), O/CN = name, keyUsage
digitalSignature + nonRepudiation (critical), a 20-digit ASCII-digit serial (NoCertificado),
RSA 2048, and a DER PKCS#8 key encrypted with PBES2.

The CA's key and certificate are committed under `data/testca/`: like SAT's public test
certificates they are test-only material, trusted only by the sandbox PAC in test mode, never
in live mode.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from functools import cache
from importlib import resources
from pathlib import Path
from typing import NamedTuple

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from .certs import Credential

TEST_CA_NAME = "Timbre Test CA"
DEFAULT_PASSWORD = "12345678a"  # noqa: S105  # SAT's password for its public test keys
_DATA = resources.files("timbre.cfdi") / "data" / "testca"
_UNIQUE_IDENTIFIER = NameOID.X500_UNIQUE_IDENTIFIER
_NAME = x509.ObjectIdentifier("2.5.4.41")  # "name", present in SAT's subjects


class TestCertificate(NamedTuple):
    """A generated certificate: `cer` (DER), `key` (DER PKCS#8, encrypted) and its `password`."""

    cer: bytes
    key: bytes
    password: str


@cache
def authority() -> Credential:
    """The committed Timbre Test CA (certificate and key)."""
    cer = (_DATA / "timbre_test_ca.cer").read_bytes()
    key = (_DATA / "timbre_test_ca.key").read_bytes()
    return Credential.from_pkcs8(cer, key)


def authority_der() -> bytes:
    return (_DATA / "timbre_test_ca.cer").read_bytes()


def make_test_csd(
    rfc: str,
    name: str,
    out_dir: Path | str | None = None,
    *,
    valid_days: int = 4 * 365,
    password: str = DEFAULT_PASSWORD,
    representative_rfc: str | None = None,
    curp: str | None = None,
    branch: str | None = None,
    now: datetime | None = None,
) -> TestCertificate:
    """A CSD for `rfc`, valid from yesterday for `valid_days` days, issued by the Timbre Test CA.

    With `out_dir`, also writes `<RFC>.cer` and `<RFC>.key` there.
    """
    usage = sat_key_usage(fiel=False)
    result = _issue(rfc, name, usage, valid_days, password, representative_rfc, curp, branch, now)
    if out_dir is not None:
        _write(Path(out_dir), rfc.upper(), result)
    return result


def make_test_fiel(
    rfc: str,
    name: str,
    *,
    valid_days: int = 4 * 365,
    password: str = DEFAULT_PASSWORD,
    representative_rfc: str | None = None,
    curp: str | None = None,
    now: datetime | None = None,
) -> TestCertificate:
    """A FIEL (e.firma) look-alike: keyUsage adds keyAgreement and dataEncipherment. For tests."""
    usage = sat_key_usage(fiel=True)
    return _issue(rfc, name, usage, valid_days, password, representative_rfc, curp, None, now)


def issue_certificate(
    subject: x509.Name,
    *,
    key: rsa.RSAPrivateKey,
    key_usage: x509.KeyUsage,
    not_before: datetime,
    not_after: datetime,
) -> x509.Certificate:
    """Issue a certificate for `key` signed by the Timbre Test CA."""
    ca = authority()
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca.x509.subject)
        .public_key(key.public_key())
        .serial_number(ascii_digit_serial())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(key_usage, critical=True)
        .sign(ca.private_key, hashes.SHA256())
    )


def sat_subject(
    rfc: str,
    name: str,
    *,
    representative_rfc: str | None = None,
    curp: str | None = None,
    branch: str | None = None,
) -> x509.Name:
    """A subject laid out like SAT's CSD subjects."""
    unique = f"{rfc.upper()} / {representative_rfc.upper()}" if representative_rfc else rfc.upper()
    attributes = [
        x509.NameAttribute(NameOID.COMMON_NAME, name),
        x509.NameAttribute(_NAME, name),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, name),
        x509.NameAttribute(_UNIQUE_IDENTIFIER, unique),
    ]
    if curp:
        attributes.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, curp.upper()))
    if branch:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, branch))
    return x509.Name(attributes)


def ascii_digit_serial() -> int:
    """A serial whose 20 bytes are ASCII digits, like SAT's ("30001000000400002434").

    Starting with "9" keeps it clear of SAT's ranges, and the top bit clear keeps it positive.
    """
    digits = "9" + "".join(secrets.choice("0123456789") for _ in range(19))
    return int.from_bytes(digits.encode("ascii"), "big")


def generate_authority(*, years: int = 30) -> tuple[bytes, bytes]:
    """A fresh self-signed CA: (certificate DER, unencrypted PKCS#8 DER key). Used once to create
    the committed files; regenerating invalidates every certificate issued before."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, TEST_CA_NAME),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Timbre (test only, not SAT)"),
        x509.NameAttribute(NameOID.COUNTRY_NAME, "MX"),
    ])
    start = datetime(2025, 1, 1, tzinfo=UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start.replace(year=start.year + years))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False, content_commitment=False, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    pkcs8 = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return certificate.public_bytes(serialization.Encoding.DER), pkcs8


def sat_key_usage(*, fiel: bool) -> x509.KeyUsage:
    """SAT's keyUsage: a CSD signs (digitalSignature + nonRepudiation); a FIEL also enciphers."""
    return x509.KeyUsage(
        digital_signature=True, content_commitment=True, key_encipherment=False,
        data_encipherment=fiel, key_agreement=fiel, key_cert_sign=False, crl_sign=False,
        encipher_only=False, decipher_only=False,
    )


def _issue(
    rfc: str,
    name: str,
    usage: x509.KeyUsage,
    valid_days: int,
    password: str,
    representative_rfc: str | None,
    curp: str | None,
    branch: str | None,
    now: datetime | None,
) -> TestCertificate:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    start = (now or datetime.now(UTC)) - timedelta(days=1)
    certificate = issue_certificate(
        sat_subject(rfc, name, representative_rfc=representative_rfc, curp=curp, branch=branch),
        key=key,
        key_usage=usage,
        not_before=start,
        not_after=start + timedelta(days=valid_days),
    )
    encrypted = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(password.encode()),
    )
    return TestCertificate(certificate.public_bytes(serialization.Encoding.DER), encrypted, password)


def _write(directory: Path, stem: str, result: TestCertificate) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{stem}.cer").write_bytes(result.cer)
    (directory / f"{stem}.key").write_bytes(result.key)
