"""SAT certificates: load a CSD (or FIEL) and check it is fit to seal CFDI.

A `.cer` is a DER X.509 certificate, a `.key` a DER PKCS#8 private key encrypted with a
password. `Certificate` reads the public part (RFC, legal name, NoCertificado, validity, CSD or
FIEL); `Credential` adds the private key and signs.

Exception hierarchy (every class carries a stable `reason` code and an English message):

    CertificateError
    ├── UnreadableCertificate   reason "unreadable_certificate"  (not a DER X.509 certificate)
    ├── UnreadableKey           reason "unreadable_key"          (not a DER PKCS#8 key)
    ├── WrongPassword           reason "wrong_password"
    ├── KeyMismatch             reason "key_mismatch"            (key is not the certificate's)
    ├── NotACSD                 reason "not_csd"                 (a FIEL/e.firma, or other usage)
    ├── RfcMismatch             reason "rfc_mismatch"
    ├── CertificateNotValidAt
    │   ├── CertificateExpired      reason "expired"
    │   └── CertificateNotYetValid  reason "not_yet_valid"
    └── UntrustedCertificate    reason "untrusted"               (not issued by a trusted CA)
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from functools import cache, cached_property
from importlib import resources
from typing import Literal

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

__all__ = [
    "Certificate",
    "CertificateError",
    "CertificateExpired",
    "CertificateKind",
    "CertificateNotValidAt",
    "CertificateNotYetValid",
    "Credential",
    "KeyMismatch",
    "NotACSD",
    "RfcMismatch",
    "TrustStore",
    "UnreadableCertificate",
    "UnreadableKey",
    "UntrustedCertificate",
    "WrongPassword",
    "trust_store",
]


class CertificateError(Exception):
    """Base class: a certificate or key cannot be used."""

    reason = "certificate_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UnreadableCertificate(CertificateError):
    """The .cer is not a DER X.509 certificate."""

    reason = "unreadable_certificate"


class UnreadableKey(CertificateError):
    """The .key is not a DER PKCS#8 RSA private key."""

    reason = "unreadable_key"


class WrongPassword(CertificateError):
    """The password does not decrypt the .key."""

    reason = "wrong_password"


class KeyMismatch(CertificateError):
    """The private key does not belong to the certificate."""

    reason = "key_mismatch"


class NotACSD(CertificateError):
    """The certificate is not a CSD (sello digital), e.g. it is a FIEL (e.firma)."""

    reason = "not_csd"


class RfcMismatch(CertificateError):
    """The certificate belongs to another RFC."""

    reason = "rfc_mismatch"


class CertificateNotValidAt(CertificateError):
    """The certificate is not valid at the instant checked."""

    reason = "not_valid"


class CertificateExpired(CertificateNotValidAt):
    """The certificate expired before the instant checked."""

    reason = "expired"


class CertificateNotYetValid(CertificateNotValidAt):
    """The certificate's validity starts after the instant checked."""

    reason = "not_yet_valid"


class UntrustedCertificate(CertificateError):
    """The certificate was not issued by any of the trusted certificate authorities."""

    reason = "untrusted"


# Longest first, so "SA DE CV" wins over "SA".
_REGIMENES_SOCIETARIOS = sorted(
    (
        "SA", "SA DE CV", "SAB", "SAB DE CV", "SAPI", "SAPI DE CV", "SAPIB", "SAPIB DE CV", "SAS", "SAS DE CV",
        "S DE RL", "S DE RL DE CV", "SC", "SC DE CV", "AC", "S EN C", "S EN C DE CV", "S EN C POR A",
        "S EN C POR A DE CV", "S EN NC", "S EN NC DE CV", "SPR DE RL", "SPR DE RI", "S DE PR DE RL",
        "SOFOM ENR", "SA DE CV SOFOM ENR", "IAP", "ABP", "SCL", "SCP", "SC DE RL",
    ),
    key=len,
    reverse=True,
)


class CertificateKind(StrEnum):
    CSD = "csd"
    FIEL = "fiel"
    OTHER = "other"


class Certificate:
    """The public part of a SAT certificate (immutable: what is derived from it is computed once)."""

    def __init__(self, certificate: x509.Certificate) -> None:
        self.x509 = certificate

    @classmethod
    def from_der(cls, der: bytes) -> Certificate:
        try:
            return cls(x509.load_der_x509_certificate(der))
        except (ValueError, TypeError):
            raise UnreadableCertificate("the certificate is not a DER X.509 (.cer) file") from None

    @classmethod
    def from_base64(cls, text: str) -> Certificate:
        """The `Certificado` attribute of a CFDI."""
        try:
            der = base64.b64decode(text, validate=True)
        except ValueError:
            raise UnreadableCertificate("the certificate is not valid base64") from None
        return cls.from_der(der)

    @cached_property
    def der(self) -> bytes:
        return self.x509.public_bytes(serialization.Encoding.DER)

    @cached_property
    def base64(self) -> str:
        """The certificate as a CFDI's `Certificado` attribute."""
        return base64.b64encode(self.der).decode("ascii")

    @cached_property
    def no_certificado(self) -> str:
        """SAT's NoCertificado: the serial number's bytes read as ASCII digits."""
        serial = self.x509.serial_number
        raw = serial.to_bytes((serial.bit_length() + 7) // 8, "big")
        text = raw.decode("latin-1")
        return text if text.isdigit() else format(serial, "d")

    @property
    def not_before(self) -> datetime:
        return self.x509.not_valid_before_utc

    @property
    def not_after(self) -> datetime:
        return self.x509.not_valid_after_utc

    @cached_property
    def _unique_identifier(self) -> tuple[str, ...]:
        attributes = self.x509.subject.get_attributes_for_oid(NameOID.X500_UNIQUE_IDENTIFIER)
        if not attributes:
            return ()
        value = attributes[0].value
        text = value.decode("latin-1") if isinstance(value, bytes) else value
        return tuple(part.strip() for part in text.split("/"))

    @property
    def rfc(self) -> str:
        """The taxpayer's RFC: first token of x500UniqueIdentifier ("EKU9003173C9 / XIQB891116QE4")."""
        parts = self._unique_identifier
        return parts[0].upper() if parts else ""

    @property
    def rfc_representante(self) -> str | None:
        """The legal representative's RFC of a persona moral's certificate, if any."""
        parts = self._unique_identifier
        return parts[1].upper() if len(parts) > 1 and parts[1] else None

    def _subject(self, oid: x509.ObjectIdentifier) -> str | None:
        attributes = self.x509.subject.get_attributes_for_oid(oid)
        if not attributes:
            return None
        value = attributes[0].value
        return value.decode("latin-1") if isinstance(value, bytes) else value

    @property
    def legal_name(self) -> str:
        """The subject's name (O, else CN) exactly as SAT wrote it, e.g. "ESCUELA KEMPER URGATE SA DE CV"."""
        return self._subject(NameOID.ORGANIZATION_NAME) or self._subject(NameOID.COMMON_NAME) or ""

    @property
    def razon_social(self) -> str:
        """The legal name as CFDI 4.0 wants it in Emisor/Nombre: a persona moral's name without its
        régimen societario ("ESCUELA KEMPER URGATE SA DE CV" -> "ESCUELA KEMPER URGATE")."""
        name = " ".join(self.legal_name.split())
        if len(self.rfc) != 12:  # personas físicas have 13-character RFCs and no such suffix
            return name
        for suffix in _REGIMENES_SOCIETARIOS:
            if name.upper().endswith(" " + suffix):
                return name[: -len(suffix) - 1].rstrip(" ,")
        return name

    @property
    def branch_name(self) -> str | None:
        """The OU: a CSD's branch name (SAT writes the PAC's RFC here in its own certificates)."""
        return self._subject(NameOID.ORGANIZATIONAL_UNIT_NAME)

    @cached_property
    def kind(self) -> CertificateKind:
        """CSD: keyUsage digitalSignature + nonRepudiation only; FIEL also allows key agreement or
        data encipherment (how SAT's own certificates differ)."""
        try:
            usage = self.x509.extensions.get_extension_for_class(x509.KeyUsage).value
        except x509.ExtensionNotFound:
            return CertificateKind.OTHER
        if not (usage.digital_signature and usage.content_commitment):
            return CertificateKind.OTHER
        if usage.key_agreement or usage.data_encipherment or usage.key_encipherment:
            return CertificateKind.FIEL
        if usage.key_cert_sign or usage.crl_sign:
            return CertificateKind.OTHER
        return CertificateKind.CSD

    @property
    def is_csd(self) -> bool:
        return self.kind is CertificateKind.CSD

    def public_key(self) -> rsa.RSAPublicKey:
        key = self.x509.public_key()
        if not isinstance(key, rsa.RSAPublicKey):
            raise UnreadableCertificate("SAT certificates carry RSA keys")
        return key

    def verify_sha256(self, data: bytes, signature: bytes) -> bool:
        """Whether `signature` is this certificate's RSA PKCS#1 v1.5 SHA-256 signature of `data`."""
        try:
            self.public_key().verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            return False
        return True

    # --- checks ---------------------------------------------------------------------------

    def check_csd(self) -> None:
        kind = self.kind
        if kind is CertificateKind.FIEL:
            raise NotACSD("this is a FIEL (e.firma), not a CSD (certificado de sello digital)")
        if kind is not CertificateKind.CSD:
            raise NotACSD("this certificate is not a CSD (certificado de sello digital)")

    def check_rfc(self, rfc: str) -> None:
        if self.rfc != rfc.strip().upper():
            raise RfcMismatch(f"the certificate belongs to RFC {self.rfc or '(none)'}, not {rfc}")

    def check_valid_at(self, at: datetime) -> None:
        """Raise unless valid at `at` (a naive `at` is taken as UTC)."""
        at = _aware(at)
        if at < self.not_before:
            raise CertificateNotYetValid(f"the certificate is valid from {self.not_before.isoformat()}")
        if at > self.not_after:
            raise CertificateExpired(f"the certificate expired on {self.not_after.isoformat()}")

    def check(
        self,
        *,
        rfc: str | None = None,
        at: datetime | None = None,
        trust: TrustStore | None = None,
        require_csd: bool = True,
    ) -> None:
        """Raise the first `CertificateError` that applies; the order matches what a user fixes first."""
        if require_csd:
            self.check_csd()
        if rfc is not None:
            self.check_rfc(rfc)
        if at is not None:
            self.check_valid_at(at)
        if trust is not None:
            trust.check(self, at=at)


class Credential(Certificate):
    """A certificate with its private key: what seals CFDI."""

    def __init__(self, certificate: x509.Certificate, private_key: rsa.RSAPrivateKey) -> None:
        super().__init__(certificate)
        self.private_key = private_key
        if _spki(private_key.public_key()) != _spki(self.public_key()):
            raise KeyMismatch("the private key (.key) does not belong to this certificate (.cer)")

    @classmethod
    def load(cls, cer: bytes, key: bytes, password: str | bytes) -> Credential:
        """From a SAT `.cer` (DER) and `.key` (DER PKCS#8, encrypted) and the key's password."""
        certificate = Certificate.from_der(cer).x509
        secret = password.encode() if isinstance(password, str) else password
        try:
            private_key = serialization.load_der_private_key(key, password=secret)
        except TypeError:  # the key is not encrypted but a password was given, or vice versa
            raise UnreadableKey("the key (.key) is not an encrypted PKCS#8 file") from None
        except ValueError as exc:
            if "password" in str(exc).lower() or "decrypt" in str(exc).lower():
                raise WrongPassword("the password does not open the private key (.key)") from None
            raise UnreadableKey("the key (.key) is not a DER PKCS#8 private key") from None
        return cls(certificate, _rsa(private_key))

    @classmethod
    def from_pkcs8(cls, cer: bytes, key_pkcs8: bytes) -> Credential:
        """Reload from `export_pkcs8()` output (an unencrypted key the caller stored encrypted)."""
        certificate = Certificate.from_der(cer).x509
        try:
            private_key = serialization.load_der_private_key(key_pkcs8, password=None)
        except (TypeError, ValueError):
            raise UnreadableKey("the stored key is not an unencrypted DER PKCS#8 private key") from None
        return cls(certificate, _rsa(private_key))

    def export_pkcs8(self) -> bytes:
        """The private key as unencrypted DER PKCS#8, for the caller's envelope encryption."""
        return self.private_key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )

    def export_encrypted_pkcs8(self, password: str | bytes) -> bytes:
        """The private key as SAT ships it: DER PKCS#8 encrypted (PBES2) with `password`."""
        secret = password.encode() if isinstance(password, str) else password
        return self.private_key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(secret),
        )

    def sign_sha256(self, data: bytes) -> bytes:
        """RSA PKCS#1 v1.5 over SHA-256: the CFDI 4.0 Sello (before base64)."""
        return self.private_key.sign(data, padding.PKCS1v15(), hashes.SHA256())


@dataclass(frozen=True)
class TrustStore:
    """Certificate authorities trusted to issue CSDs (all treated as trust anchors)."""

    authorities: tuple[x509.Certificate, ...]
    # Issuer found per certificate (DER): the same few CSDs are checked on every stamp.
    _issuers: dict[bytes, x509.Certificate | None] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_der(cls, ders: Iterable[bytes]) -> TrustStore:
        return cls(tuple(x509.load_der_x509_certificate(der) for der in ders))

    def issuer_of(self, certificate: Certificate) -> x509.Certificate | None:
        key = certificate.der
        if key not in self._issuers:
            if len(self._issuers) >= 4096:
                self._issuers.clear()
            self._issuers[key] = self._find_issuer(certificate)
        return self._issuers[key]

    def _find_issuer(self, certificate: Certificate) -> x509.Certificate | None:
        for authority in self.authorities:
            if authority.subject != certificate.x509.issuer:
                continue
            try:
                certificate.x509.verify_directly_issued_by(authority)
            except (ValueError, TypeError, InvalidSignature):
                continue
            return authority
        return None

    def check(self, certificate: Certificate, *, at: datetime | None = None) -> None:
        """Raise `UntrustedCertificate` unless a trusted authority (valid at `at`) issued it."""
        issuer = self.issuer_of(certificate)
        if issuer is None:
            raise UntrustedCertificate("the certificate was not issued by a trusted certificate authority")
        if at is not None and not (issuer.not_valid_before_utc <= _aware(at) <= issuer.not_valid_after_utc):
            raise UntrustedCertificate("the issuing certificate authority was not valid at that time")

    def __add__(self, other: TrustStore) -> TrustStore:
        return TrustStore(self.authorities + other.authorities)


@cache
def trust_store(mode: Literal["test", "live"]) -> TrustStore:
    """The authorities trusted to issue CSDs.

    live: SAT's production CAs. test: those too (a taxpayer may try Timbre with its real CSD),
    plus SAT's test CAs and the Timbre Test CA, which live mode never trusts.
    """
    data = resources.files("timbre.cfdi") / "data"
    folders = ["live"] if mode == "live" else ["live", "test"]
    ders = [
        entry.read_bytes()
        for folder in folders
        for entry in (data / "ca" / folder).iterdir()
        if entry.name.endswith(".cer")
    ]
    if mode == "test":
        ders.append((data / "testca" / "timbre_test_ca.cer").read_bytes())
    return TrustStore.from_der(ders)


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def _spki(key: rsa.RSAPublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def _rsa(key: object) -> rsa.RSAPrivateKey:
    if not isinstance(key, rsa.RSAPrivateKey):
        raise UnreadableKey("SAT keys are RSA keys")
    return key
