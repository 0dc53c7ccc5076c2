"""Object ids: a type prefix and 16 random base62 characters (`team_3fQ9...`)."""

import secrets
import string

_ALPHABET = string.ascii_letters + string.digits
_UNBIASED = 256 - 256 % len(_ALPHABET)  # bytes at or above it would favour the first characters: skipped


def new_id(prefix: str, length: int = 16) -> str:
    # One read of the system's random source for the lot (a `secrets.choice` per character reads it each time).
    chars: list[str] = []
    while len(chars) < length:
        chars += [_ALPHABET[b % len(_ALPHABET)] for b in secrets.token_bytes(length + 8) if b < _UNBIASED]
    return f"{prefix}_" + "".join(chars[:length])
