"""The storage protocol: local directory, signed download links, S3 signing and calls."""

from __future__ import annotations

import datetime
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient

from timbre.config import get_settings
from timbre.kit.s3 import EMPTY_SHA256, S3Storage, Signer
from timbre.kit.storage import (
    InvalidKey,
    LocalStorage,
    ObjectNotFound,
    get_storage,
    sign_local,
    storage_signing_key,
    verify_signature,
)

KEY = b"k" * 32


class TestLocalStorage:
    def test_put_get_exists_delete(self, tmp_path: Path) -> None:
        storage = LocalStorage(tmp_path, base_url="http://h", signing_key=KEY)
        stored = storage.put("teams/t1/test/a.xml", b"<a/>", "application/xml")
        assert (stored.size, stored.content_type) == (4, "application/xml")
        assert storage.get("teams/t1/test/a.xml") == b"<a/>" and storage.exists("teams/t1/test/a.xml")
        storage.put("teams/t1/test/a.xml", b"<b/>", "application/xml")
        assert storage.get("teams/t1/test/a.xml") == b"<b/>"
        assert not list(tmp_path.rglob(".tmp-*"))  # no temporary file left behind
        storage.delete("teams/t1/test/a.xml")
        storage.delete("teams/t1/test/a.xml")
        assert not storage.exists("teams/t1/test/a.xml")
        with pytest.raises(ObjectNotFound):
            storage.get("teams/t1/test/a.xml")

    @pytest.mark.parametrize("key", ["../etc/passwd", "/abs", "a//b", "a/../b", "a/./b", "sp ace", "", "a\\b"])
    def test_unsafe_keys_are_refused(self, tmp_path: Path, key: str) -> None:
        storage = LocalStorage(tmp_path, base_url="http://h", signing_key=KEY)
        with pytest.raises(InvalidKey):
            storage.put(key, b"x", "text/plain")

    def test_signed_links(self) -> None:
        future = int(time.time()) + 60
        url = urlsplit(sign_local(KEY, "http://h/", "a/b.pdf", future, "b.pdf"))
        assert url.path == "/v2/files/a/b.pdf"
        signature = dict(p.split("=", 1) for p in url.query.split("&"))["signature"]
        assert verify_signature(KEY, "a/b.pdf", future, signature, "b.pdf")
        assert not verify_signature(KEY, "a/c.pdf", future, signature, "b.pdf")
        assert not verify_signature(KEY, "a/b.pdf", future, signature, "other.pdf")
        assert not verify_signature(b"x" * 32, "a/b.pdf", future, signature, "b.pdf")
        assert not verify_signature(KEY, "a/b.pdf", future, signature, "b.pdf", now=future + 1)
        assert not verify_signature(KEY, "a/b.pdf", future, "é" * 64, "b.pdf")


class TestFilesRoute:
    def test_download_expired_and_missing(self, client: TestClient) -> None:
        settings = get_settings()
        storage = get_storage(settings)
        storage.put("tests/route/hello.txt", "hola ñ".encode(), "text/plain")
        key = storage_signing_key(settings)
        fresh = urlsplit(sign_local(key, "", "tests/route/hello.txt", int(time.time()) + 60, "día.txt"))
        res = client.get(f"{fresh.path}?{fresh.query}")
        assert res.status_code == 200 and res.content == "hola ñ".encode()
        assert res.headers["content-disposition"] == "attachment; filename=\"da.txt\"; filename*=UTF-8''d%C3%ADa.txt"
        old = urlsplit(sign_local(key, "", "tests/route/hello.txt", int(time.time()) - 1))
        expired = client.get(f"{old.path}?{old.query}")
        assert expired.status_code == 403 and expired.json()["message"] == "Invalid or expired link"
        gone = urlsplit(sign_local(key, "", "tests/route/gone.txt", int(time.time()) + 60))
        assert client.get(f"{gone.path}?{gone.query}").status_code == 404
        assert client.get("/v2/files/tests/route/hello.txt").status_code == 422  # no signature at all


# AWS's documented SigV4 examples (S3 API reference, "Authenticating Requests"), same credentials.
AWS = Signer("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "us-east-1")
AWS_DATE = datetime.datetime(2013, 5, 24, tzinfo=datetime.UTC)


class TestS3:
    def test_presigned_url_matches_aws_example(self) -> None:
        url = AWS.presign("GET", "https://examplebucket.s3.amazonaws.com/test.txt", 86400, AWS_DATE)
        assert url.endswith("X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
                            "&X-Amz-SignedHeaders=host")
        assert "X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request" in url

    def test_header_signature_matches_aws_get_object_example(self) -> None:
        headers = AWS.sign_headers("GET", "https://examplebucket.s3.amazonaws.com/test.txt",
                                   {"Range": "bytes=0-9"}, EMPTY_SHA256, AWS_DATE)
        assert headers["Authorization"] == (
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")

    def test_object_calls(self) -> None:
        # The bucket is outside the machine: an in-memory stand-in answers like S3 and checks the requests.
        objects: dict[str, bytes] = {}
        seen: list[httpx.Request] = []

        def bucket(request: httpx.Request) -> httpx.Response:
            seen.append(request)
            assert request.headers["authorization"].startswith("AWS4-HMAC-SHA256 Credential=AK/")
            path = request.url.path
            if request.method == "PUT":
                objects[path] = request.content
                return httpx.Response(200)
            if path not in objects:
                return httpx.Response(404)
            if request.method == "DELETE":
                del objects[path]
                return httpx.Response(204)
            return httpx.Response(200, content=objects[path] if request.method == "GET" else b"")

        storage = S3Storage(bucket="docs", endpoint="https://minio.local:9000", region="us-east-1",
                            access_key_id="AK", secret_access_key="SK", prefix="timbre",
                            transport=httpx.MockTransport(bucket))
        stored = storage.put("teams/t/test/a.pdf", b"%PDF-1", "application/pdf")
        assert stored.size == 6 and objects == {"/docs/timbre/teams/t/test/a.pdf": b"%PDF-1"}
        assert seen[0].headers["content-type"] == "application/pdf"
        assert storage.get("teams/t/test/a.pdf") == b"%PDF-1" and storage.exists("teams/t/test/a.pdf")
        storage.delete("teams/t/test/a.pdf")
        storage.delete("teams/t/test/a.pdf")
        assert not storage.exists("teams/t/test/a.pdf")
        with pytest.raises(ObjectNotFound):
            storage.get("teams/t/test/a.pdf")
        url = storage.url("teams/t/test/a.pdf", filename="a.pdf")
        assert url.startswith("https://minio.local:9000/docs/timbre/teams/t/test/a.pdf?")
        assert "X-Amz-Expires=3600" in url and "response-content-disposition=attachment" in url
