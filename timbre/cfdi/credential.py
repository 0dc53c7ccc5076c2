"""A SAT certificate with its private key (a `.key`: DER PKCS#8 encrypted with a password): what seals CFDI."""

from __future__ import annotations

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from .cert_errors import KeyMismatch, UnreadableKey, WrongPassword
from .certificate import Certificate


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


def _spki(key: rsa.RSAPublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def _rsa(key: object) -> rsa.RSAPrivateKey:
    if not isinstance(key, rsa.RSAPrivateKey):
        raise UnreadableKey("SAT keys are RSA keys")
    return key
