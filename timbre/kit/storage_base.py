"""What every file storage shares (`storage` for the protocol's backends and the configured one): the
protocol, its errors, what a stored object is, and which keys are valid. The S3 backend (`s3`) builds on this
module, not on `storage`, which chooses between the backends."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

DEFAULT_URL_TTL = 3600
_KEY = re.compile(r"^[A-Za-z0-9_\-][A-Za-z0-9_.\-/]{0,499}$")


class StorageError(Exception):
    """The storage failed (disk, network, bucket)."""


class ObjectNotFound(StorageError):
    """No object under that key."""


class InvalidKey(StorageError, ValueError):
    """The key has characters or segments a storage key may not have."""


@dataclass(frozen=True, slots=True)
class StoredObject:
    key: str
    size: int
    content_type: str
    sha256: str


class Storage(Protocol):
    def put(self, key: str, data: bytes, content_type: str) -> StoredObject:
        """Store `data` under `key` (replacing it)."""
        ...

    def get(self, key: str) -> bytes:
        """The bytes under `key`; ObjectNotFound if none."""
        ...

    def delete(self, key: str) -> None:
        """Remove `key`; no error if it does not exist."""
        ...

    def exists(self, key: str) -> bool: ...

    def check(self) -> None:
        """Raise StorageError unless the storage can be reached and written to (readiness probes)."""
        ...

    def url(self, key: str, *, expires_in: int = DEFAULT_URL_TTL, filename: str | None = None) -> str:
        """A link that downloads `key` without an API key until it expires (`filename`: download name)."""
        ...


def validate_key(key: str) -> str:
    if not _KEY.match(key) or any(part in ("", ".", "..") for part in key.split("/")):
        raise InvalidKey(f"invalid storage key: {key!r}")
    return key
