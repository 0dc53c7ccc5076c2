"""API keys are HS256 JWTs with the claims gigstack's CLI reads: `team`, `livemode`, `key_id`.

The token is never stored: the server keeps the key's id, claims and a SHA-256 hash, and can
re-sign the same token from its claims (that is how `timbre bootstrap` prints existing keys).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import jwt

from timbre.kit.crypto import derive_key

_ALG = "HS256"


@dataclass(frozen=True)
class KeyClaims:
    team: str
    livemode: bool
    key_id: str
    iat: int


def _signing_key(secret: str) -> bytes:
    return derive_key(secret, "api-keys")


def sign(secret: str, claims: KeyClaims) -> str:
    payload: dict[str, Any] = {
        "team": claims.team,
        "livemode": claims.livemode,
        "key_id": claims.key_id,
        "iat": claims.iat,
        "typ": "api_key",
    }
    return jwt.encode(payload, _signing_key(secret), algorithm=_ALG)


def verify(secret: str, token: str) -> KeyClaims | None:
    """The claims of a genuine token, or None for anything else (malformed, forged, wrong type)."""
    if token.count(".") != 2 or len(token) > 2000:
        return None
    return _decode(_signing_key(secret), token)


@lru_cache(maxsize=4096)
def _decode(signing_key: bytes, token: str) -> KeyClaims | None:
    """Decoding is a pure function of the key and the token: each key's claims are checked once per process
    (revocation is not a claim; the caller looks the key up on every request)."""
    try:
        payload = jwt.decode(
            token, signing_key, algorithms=[_ALG], options={"require": ["team", "key_id", "iat"]}
        )
    except jwt.PyJWTError:
        return None
    if payload.get("typ") != "api_key" or not isinstance(payload.get("livemode"), bool):
        return None
    team, key_id, iat = payload["team"], payload["key_id"], payload["iat"]
    if not (isinstance(team, str) and isinstance(key_id, str) and isinstance(iat, int)):
        return None
    return KeyClaims(team=team, livemode=payload["livemode"], key_id=key_id, iat=iat)


def bearer(authorization: str | None) -> str | None:
    """The key from `Authorization: Bearer <key>` or a bare `Authorization: <key>`."""
    if not authorization:
        return None
    value = authorization.strip()
    if value[:7].lower() == "bearer ":
        value = value[7:].strip()
    return value or None
