"""The public part of a SAT certificate (CSD or FIEL): RFC, legal name, NoCertificado, validity, kind, and the
checks that it is fit to seal CFDI. A `.cer` is a DER X.509 certificate."""

from __future__ import annotations

import base64
from datetime import datetime
from enum import StrEnum
from functools import cached_property, lru_cache

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from .cert_errors import (
    CertificateExpired,
    CertificateNotYetValid,
    NotACSD,
    RfcMismatch,
    UnreadableCertificate,
)
from .trust import TrustStore, as_utc

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
        """The `Certificado` attribute of a CFDI (the same text gives the same, immutable certificate: the
        last ones read are kept, with what was derived from them)."""
        return _from_base64(text) if cls is Certificate else cls._read_base64(text)

    @classmethod
    def _read_base64(cls, text: str) -> Certificate:
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
        at = as_utc(at)
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


@lru_cache(maxsize=256)
def _from_base64(text: str) -> Certificate:
    """`Certificate.from_base64`, remembered (an unreadable text raises each time: errors are not kept)."""
    return Certificate._read_base64(text)
