"""The certificate authorities trusted to issue CSDs: SAT's production CAs, and in test mode also SAT's test CAs
and the Timbre Test CA."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Literal

from cryptography import x509
from cryptography.exceptions import InvalidSignature

from .cert_errors import UntrustedCertificate

if TYPE_CHECKING:
    from .certificate import Certificate


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
        if at is not None and not (issuer.not_valid_before_utc <= as_utc(at) <= issuer.not_valid_after_utc):
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


def as_utc(at: datetime) -> datetime:
    """`at`, a naive datetime taken as UTC."""
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)
