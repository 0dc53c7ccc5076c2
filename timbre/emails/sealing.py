"""E-mail bodies sealed at rest: a queued body may hold a single-use link, so it is stored AES-GCM encrypted
until it is sent (then emptied)."""

from __future__ import annotations

from timbre.kit.crypto import b64url, b64url_decode, decrypt, encrypt

_PURPOSE = "email-body"
_SEALED = "aesgcm:"


def seal_body(secret: str, body: str) -> str:
    return _SEALED + b64url(encrypt(secret, _PURPOSE, body.encode()))


def open_body(secret: str, stored: str) -> str:
    if not stored.startswith(_SEALED):
        return stored  # written before bodies were sealed
    return decrypt(secret, _PURPOSE, b64url_decode(stored[len(_SEALED):])).decode()
