"""The storage protocol: local directory and signed download links (the S3 backend: test_s3.py)."""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from timbre.config import get_settings
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
