"""Why a SAT certificate or key cannot be used (`certs` re-exports them).

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
