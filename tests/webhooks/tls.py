"""A throw-away certificate authority and server certificate for HTTPS receivers in tests."""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


@dataclass
class Tls:
    ca_pem: bytes
    server: ssl.SSLContext  # serves a certificate for the names given, signed by the CA
    server_names: list[str]  # the SNI names the server was asked for, in order

    def client(self) -> ssl.SSLContext:
        """A client context that trusts only the CA (host names checked as usual)."""
        return ssl.create_default_context(cadata=self.ca_pem.decode())


def _cert(subject: str, key: ec.EllipticCurvePrivateKey, issuer: x509.Name, signer: ec.EllipticCurvePrivateKey,
          *, ca: bool, names: list[str]) -> x509.Certificate:
    now = datetime.now(UTC)
    builder = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
               .issuer_name(issuer).public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days=1))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if names:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), critical=False)
    return builder.sign(signer, hashes.SHA256())


def server_tls(names: list[str], folder: Path) -> Tls:
    """A CA and a server context whose certificate is valid for `names` only."""
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = _cert("Timbre test webhook CA", ca_key, x509.Name([x509.NameAttribute(NameOID.COMMON_NAME,
                                                                                "Timbre test webhook CA")]),
               ca_key, ca=True, names=[])
    leaf = _cert(names[0], key, ca.subject, ca_key, ca=False, names=names)
    cert_file, key_file = folder / "server.pem", folder / "server.key"
    cert_file.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(cert_file, key_file)
    seen: list[str] = []

    def remember(_socket: ssl.SSLObject, name: str | None, _context: ssl.SSLContext) -> None:
        seen.append(name or "")

    server.sni_callback = remember  # type: ignore[assignment]  # typeshed wants an SSLSocket; SSLObject works
    return Tls(ca.public_bytes(serialization.Encoding.PEM), server, seen)
