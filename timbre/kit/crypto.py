"""Hashing, signed tokens and AES-GCM envelope encryption, all keyed from the server secret."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


def sha256_hex(data: str | bytes) -> str:
    raw = data.encode() if isinstance(data, str) else data
    return hashlib.sha256(raw).hexdigest()


def random_token(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)


@lru_cache(maxsize=64)
def derive_key(secret: str, purpose: str, length: int = 32) -> bytes:
    """A sub-key per purpose, so one leaked sub-key exposes nothing else (derived once per process)."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=length, salt=b"timbre", info=purpose.encode())
    return hkdf.derive(secret.encode())


def hmac_hex(key: bytes, data: str) -> str:
    return hmac.new(key, data.encode(), hashlib.sha256).hexdigest()


def encrypt(secret: str, purpose: str, plaintext: bytes) -> bytes:
    """AES-256-GCM; output is nonce ‖ ciphertext+tag. `purpose` is bound as associated data."""
    nonce = os.urandom(12)
    aes = AESGCM(derive_key(secret, "aesgcm:" + purpose))
    return nonce + aes.encrypt(nonce, plaintext, purpose.encode())


def decrypt(secret: str, purpose: str, blob: bytes) -> bytes:
    aes = AESGCM(derive_key(secret, "aesgcm:" + purpose))
    return aes.decrypt(blob[:12], blob[12:], purpose.encode())


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
