"""File storage (XML, PDF, support documents): one protocol, two backends.

    Storage (protocol)        put(key, data, content_type) / get(key) / delete(key) / exists(key) / url(key)
    ├── LocalStorage          files under `<TIMBRE_DATA_DIR>/files` (the default)
    └── S3Storage             an S3-compatible bucket (AWS, MinIO, R2, ...), chosen by `TIMBRE_STORAGE=s3`

Keys are relative paths of safe characters (`teams/<team>/<mode>/support-documents/<id>.pdf`); the
extension tells the content type when the file is served. `url()` returns a link that works without
an API key until it expires: for S3 a presigned URL, locally a URL of `GET /v2/files/{key}` signed
with a key derived from the server secret (`verify_signature`). Several API processes share one
storage, so nothing here is cached per process except the configuration.
"""

from __future__ import annotations

import hashlib
import hmac
import mimetypes
import os
import tempfile
import time
from pathlib import Path
from typing import Literal
from urllib.parse import quote, urlencode

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from timbre.config import Settings
from timbre.kit.crypto import derive_key
from timbre.kit.private import private_dir
from timbre.kit.s3 import S3Storage
from timbre.kit.storage_base import (
    DEFAULT_URL_TTL,
    InvalidKey,
    ObjectNotFound,
    Storage,
    StorageError,
    StoredObject,
    validate_key,
)

__all__ = [
    "DEFAULT_URL_TTL",
    "InvalidKey",
    "LocalStorage",
    "ObjectNotFound",
    "S3Settings",
    "Storage",
    "StorageError",
    "StoredObject",
    "content_type_for",
    "get_storage",
    "sign_local",
    "storage_signing_key",
    "validate_key",
    "verify_signature",
]

_URL_PURPOSE = "storage-url"


def content_type_for(key: str) -> str:
    guessed, _ = mimetypes.guess_type(key)
    return guessed or "application/octet-stream"


def _described(key: str, data: bytes, content_type: str) -> StoredObject:
    return StoredObject(key, len(data), content_type, hashlib.sha256(data).hexdigest())


# -- local directory --------------------------------------------------------------------------------------
def _signature(signing_key: bytes, key: str, expires: int, filename: str) -> str:
    message = f"{key}\n{expires}\n{filename}".encode()
    return hmac.new(signing_key, message, hashlib.sha256).hexdigest()


def sign_local(signing_key: bytes, base_url: str, key: str, expires: int, filename: str | None = None) -> str:
    query = {"expires": str(expires), "signature": _signature(signing_key, key, expires, filename or "")}
    if filename:
        query["filename"] = filename
    return f"{base_url.rstrip('/')}/v2/files/{quote(key)}?{urlencode(query)}"


def verify_signature(signing_key: bytes, key: str, expires: int, signature: str, filename: str | None,
                     *, now: float | None = None) -> bool:
    """A `GET /v2/files/{key}` link is authentic and not expired."""
    if expires < (now if now is not None else time.time()):
        return False
    expected = _signature(signing_key, key, expires, filename or "")
    return hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace"))


class LocalStorage:
    """Files in a directory (any number of processes on one machine, or a shared volume)."""

    def __init__(self, root: Path, *, base_url: str, signing_key: bytes) -> None:
        self.root = root
        self.base_url = base_url
        self.signing_key = signing_key

    def _path(self, key: str) -> Path:
        return self.root / validate_key(key)

    def put(self, key: str, data: bytes, content_type: str) -> StoredObject:
        path = self._path(key)
        private_dir(path.parent)
        # Write then rename: a reader never sees a half-written file, even from another process.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return _described(key, data, content_type)

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise ObjectNotFound(key) from None

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def check(self) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"{self.root}: {exc}") from exc
        if not os.access(self.root, os.W_OK | os.X_OK):
            raise StorageError(f"{self.root} is not writable")

    def url(self, key: str, *, expires_in: int = DEFAULT_URL_TTL, filename: str | None = None) -> str:
        validate_key(key)
        return sign_local(self.signing_key, self.base_url, key, int(time.time()) + expires_in, filename)


# -- configuration ----------------------------------------------------------------------------------------
class S3Settings(BaseSettings):
    """`TIMBRE_STORAGE=s3` plus `TIMBRE_S3_*`: bucket, endpoint (e.g. `https://s3.us-east-1.amazonaws.com` or
    a MinIO URL), region, access key id and secret, an optional key prefix and the addressing style."""

    model_config = SettingsConfigDict(env_prefix="TIMBRE_S3_", extra="ignore")

    bucket: str = ""
    endpoint: str = "https://s3.amazonaws.com"
    region: str = "us-east-1"
    access_key_id: str = Field("", repr=False)
    secret_access_key: str = Field("", repr=False)
    prefix: str = ""
    addressing: Literal["path", "virtual"] = "path"


def storage_signing_key(settings: Settings) -> bytes:
    return derive_key(settings.secret(), _URL_PURPOSE)


def get_storage(settings: Settings) -> Storage:
    """The storage configured for this deployment."""
    if os.environ.get("TIMBRE_STORAGE", "local").lower() == "s3":
        s3 = S3Settings()
        if not (s3.bucket and s3.access_key_id and s3.secret_access_key):
            raise StorageError("TIMBRE_STORAGE=s3 needs TIMBRE_S3_BUCKET, TIMBRE_S3_ACCESS_KEY_ID and "
                               "TIMBRE_S3_SECRET_ACCESS_KEY")
        return S3Storage(bucket=s3.bucket, endpoint=s3.endpoint, region=s3.region, access_key_id=s3.access_key_id,
                         secret_access_key=s3.secret_access_key, prefix=s3.prefix, addressing=s3.addressing)
    return LocalStorage(settings.data_dir / "files", base_url=settings.public_url,
                        signing_key=storage_signing_key(settings))
