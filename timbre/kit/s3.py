"""An S3-compatible bucket (AWS, MinIO, R2, Ceph...) as a `Storage`, through boto3.

boto3 signs (SigV4), retries and pools connections; one client per configuration is kept per process
(`client_for`): building one costs tens of milliseconds, and boto3 clients are thread-safe.
Download links are presigned GET URLs, served by the bucket itself.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator
from functools import lru_cache
from typing import TYPE_CHECKING, Literal
from urllib.parse import quote

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from timbre.kit.storage_base import DEFAULT_URL_TTL, ObjectNotFound, StorageError, StoredObject, validate_key

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

_MISSING = {"404", "NoSuchKey", "NotFound"}


@lru_cache(maxsize=8)
def client_for(endpoint: str, region: str, access_key_id: str, secret_access_key: str,
               addressing: Literal["path", "virtual"], timeout: float) -> S3Client:
    # boto3 takes ~1 s to import: only deployments that store in S3 pay it (a third-party import, no cycle).
    import boto3

    config = Config(signature_version="s3v4", s3={"addressing_style": addressing}, connect_timeout=timeout,
                    read_timeout=timeout, retries={"max_attempts": 3, "mode": "standard"})
    return boto3.session.Session().client(
        "s3", endpoint_url=endpoint, region_name=region, aws_access_key_id=access_key_id,
        aws_secret_access_key=secret_access_key, config=config)


@contextlib.contextmanager
def _mapped(operation: str, key: str) -> Iterator[None]:
    """botocore's errors as ours: a missing object is ObjectNotFound, anything else StorageError."""
    try:
        yield
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", ""))
        if code in _MISSING:
            raise ObjectNotFound(key) from None
        raise StorageError(f"S3 {operation} {key}: {code or exc}") from exc
    except BotoCoreError as exc:
        raise StorageError(f"S3 {operation} {key}: {exc}") from exc


class S3Storage:
    """Objects in one bucket, under an optional key prefix."""

    def __init__(self, *, bucket: str, endpoint: str, region: str, access_key_id: str, secret_access_key: str,
                 prefix: str = "", addressing: Literal["path", "virtual"] = "path", timeout: float = 30.0) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.client = client_for(endpoint.rstrip("/"), region, access_key_id, secret_access_key, addressing,
                                 timeout)

    def _key(self, key: str) -> str:
        return f"{self.prefix}/{validate_key(key)}" if self.prefix else validate_key(key)

    def put(self, key: str, data: bytes, content_type: str) -> StoredObject:
        with _mapped("PUT", key):
            self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data, ContentType=content_type)
        return StoredObject(key, len(data), content_type, hashlib.sha256(data).hexdigest())

    def get(self, key: str) -> bytes:
        with _mapped("GET", key):
            return self.client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"].read()

    def delete(self, key: str) -> None:
        with contextlib.suppress(ObjectNotFound), _mapped("DELETE", key):
            self.client.delete_object(Bucket=self.bucket, Key=self._key(key))

    def exists(self, key: str) -> bool:
        try:
            with _mapped("HEAD", key):
                self.client.head_object(Bucket=self.bucket, Key=self._key(key))
        except ObjectNotFound:
            return False
        return True

    def check(self) -> None:
        with _mapped("HEAD bucket", self.bucket):
            self.client.head_bucket(Bucket=self.bucket)

    def url(self, key: str, *, expires_in: int = DEFAULT_URL_TTL, filename: str | None = None) -> str:
        params = {"Bucket": self.bucket, "Key": self._key(key)}
        if filename:
            params["ResponseContentDisposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
        with _mapped("presign", key):
            return self.client.generate_presigned_url("get_object", Params=params, ExpiresIn=expires_in)
