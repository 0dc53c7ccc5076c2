"""An S3-compatible bucket as a `Storage`, over httpx with AWS Signature Version 4.

Only the four object calls are needed (PUT, GET, HEAD, DELETE) plus presigned GET URLs, so a
hundred lines of SigV4 replace an SDK. Signing is pure (`sign_headers`, `presign`) and checked
against the examples of AWS's documentation.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import hmac
from collections.abc import Mapping
from typing import Literal
from urllib.parse import parse_qsl, quote, urlsplit

import httpx

from timbre.kit.storage import DEFAULT_URL_TTL, ObjectNotFound, StorageError, StoredObject, validate_key

EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
_ALGORITHM = "AWS4-HMAC-SHA256"


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def _uri_encode(text: str, *, keep_slash: bool) -> str:
    return quote(text, safe="/-_.~" if keep_slash else "-_.~")


def _canonical_query(query: Mapping[str, str]) -> str:
    pairs = sorted((_uri_encode(k, keep_slash=False), _uri_encode(v, keep_slash=False)) for k, v in query.items())
    return "&".join(f"{k}={v}" for k, v in pairs)


class Signer:
    """SigV4 for one credential, region and service."""

    def __init__(self, access_key_id: str, secret_access_key: str, region: str, service: str = "s3") -> None:
        self.access_key_id = access_key_id
        self.secret_access_key = secret_access_key
        self.region = region
        self.service = service

    def _scope(self, stamp: str) -> str:
        return f"{stamp[:8]}/{self.region}/{self.service}/aws4_request"

    def _signature(self, stamp: str, canonical_request: str) -> str:
        to_sign = "\n".join([_ALGORITHM, stamp, self._scope(stamp),
                             hashlib.sha256(canonical_request.encode()).hexdigest()])
        key = _hmac(("AWS4" + self.secret_access_key).encode(), stamp[:8])
        for part in (self.region, self.service, "aws4_request"):
            key = _hmac(key, part)
        return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()

    def sign_headers(self, method: str, url: str, headers: Mapping[str, str], payload_sha256: str,
                     now: datetime.datetime) -> dict[str, str]:
        """`headers` plus `x-amz-date`, `x-amz-content-sha256` and `Authorization`."""
        parts = urlsplit(url)
        stamp = now.strftime("%Y%m%dT%H%M%SZ")
        signed = {k.lower(): " ".join(v.strip().split()) for k, v in headers.items()}
        signed.update({"host": parts.netloc, "x-amz-date": stamp, "x-amz-content-sha256": payload_sha256})
        names = sorted(signed)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        canonical = "\n".join([
            method, parts.path or "/", _canonical_query(query),
            "".join(f"{name}:{signed[name]}\n" for name in names), ";".join(names), payload_sha256,
        ])
        authorization = (f"{_ALGORITHM} Credential={self.access_key_id}/{self._scope(stamp)}, "
                         f"SignedHeaders={';'.join(names)}, Signature={self._signature(stamp, canonical)}")
        out = dict(headers)
        out.update({"x-amz-date": stamp, "x-amz-content-sha256": payload_sha256, "Authorization": authorization})
        return out

    def presign(self, method: str, url: str, expires_in: int, now: datetime.datetime,
                extra_query: Mapping[str, str] | None = None) -> str:
        """`url` with SigV4 query parameters (only `host` signed, payload unsigned)."""
        parts = urlsplit(url)
        stamp = now.strftime("%Y%m%dT%H%M%SZ")
        query = {
            "X-Amz-Algorithm": _ALGORITHM,
            "X-Amz-Credential": f"{self.access_key_id}/{self._scope(stamp)}",
            "X-Amz-Date": stamp,
            "X-Amz-Expires": str(expires_in),
            "X-Amz-SignedHeaders": "host",
            **(extra_query or {}),
        }
        canonical = "\n".join([method, parts.path or "/", _canonical_query(query), f"host:{parts.netloc}\n", "host",
                               UNSIGNED_PAYLOAD])
        query["X-Amz-Signature"] = self._signature(stamp, canonical)
        return f"{parts.scheme}://{parts.netloc}{parts.path}?{_canonical_query(query)}"


class S3Storage:
    """Objects in one bucket, under an optional key prefix."""

    def __init__(self, *, bucket: str, endpoint: str, region: str, access_key_id: str, secret_access_key: str,
                 prefix: str = "", addressing: Literal["path", "virtual"] = "path",
                 transport: httpx.BaseTransport | None = None, timeout: float = 30.0) -> None:
        self.bucket = bucket
        self.endpoint = endpoint.rstrip("/")
        self.prefix = prefix.strip("/")
        self.addressing = addressing
        self.signer = Signer(access_key_id, secret_access_key, region)
        self.client = httpx.Client(transport=transport, timeout=timeout)

    def _url(self, key: str) -> str:
        full = f"{self.prefix}/{validate_key(key)}" if self.prefix else validate_key(key)
        path = _uri_encode(full, keep_slash=True)
        if self.addressing == "virtual":
            scheme, host = self.endpoint.split("://", 1)
            return f"{scheme}://{self.bucket}.{host}/{path}"
        return f"{self.endpoint}/{self.bucket}/{path}"

    def _send(self, method: str, key: str, data: bytes = b"",
              headers: Mapping[str, str] | None = None) -> httpx.Response:
        url = self._url(key)
        now = datetime.datetime.now(datetime.UTC)
        signed = self.signer.sign_headers(method, url, headers or {}, hashlib.sha256(data).hexdigest(), now)
        try:
            response = self.client.request(method, url, content=data or None, headers=signed)
        except httpx.HTTPError as exc:
            raise StorageError(f"S3 {method} {key}: {exc}") from exc
        if response.status_code == 404:
            raise ObjectNotFound(key)
        if response.status_code >= 300:
            raise StorageError(f"S3 {method} {key}: HTTP {response.status_code} {response.text[:200]}")
        return response

    def put(self, key: str, data: bytes, content_type: str) -> StoredObject:
        self._send("PUT", key, data, {"Content-Type": content_type})
        return StoredObject(key, len(data), content_type, hashlib.sha256(data).hexdigest())

    def get(self, key: str) -> bytes:
        return self._send("GET", key).content

    def delete(self, key: str) -> None:
        with contextlib.suppress(ObjectNotFound):
            self._send("DELETE", key)

    def exists(self, key: str) -> bool:
        try:
            self._send("HEAD", key)
        except ObjectNotFound:
            return False
        return True

    def check(self) -> None:
        self.exists("_timbre/ready")  # a HEAD: StorageError unless the bucket answers

    def url(self, key: str, *, expires_in: int = DEFAULT_URL_TTL, filename: str | None = None) -> str:
        extra = None
        if filename:
            extra = {"response-content-disposition": f"attachment; filename*=UTF-8''{quote(filename)}"}
        now = datetime.datetime.now(datetime.UTC)
        return self.signer.presign("GET", self._url(key), expires_in, now, extra)
