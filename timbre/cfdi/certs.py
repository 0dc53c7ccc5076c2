"""SAT certificates: load a CSD (or FIEL) and check it is fit to seal CFDI.

A `.cer` is a DER X.509 certificate, a `.key` a DER PKCS#8 private key encrypted with a
password. `Certificate` (in `certificate`) reads the public part (RFC, legal name, NoCertificado, validity, CSD or
FIEL); `Credential` (in `credential`) adds the private key and signs.

The errors are in `cert_errors`, the trusted authorities in `trust`: all re-exported here, where callers import them.
"""

from __future__ import annotations

from .cert_errors import (
    CertificateError,
    CertificateExpired,
    CertificateNotValidAt,
    CertificateNotYetValid,
    KeyMismatch,
    NotACSD,
    RfcMismatch,
    UnreadableCertificate,
    UnreadableKey,
    UntrustedCertificate,
    WrongPassword,
)
from .certificate import Certificate, CertificateKind
from .credential import Credential
from .trust import TrustStore, trust_store

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
