"""The S3 backend (boto3) against a real S3-compatible server started here: moto in server mode, a separate
process speaking S3's wire protocol over HTTP. Download links are presigned and served by the bucket itself."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import boto3
import httpx
import pytest
from fastapi.testclient import TestClient

from tests.invoices.checks import assert_valid_cfdi
from tests.invoices.conftest import EMISOR_NAME, EMISOR_RFC, make_ready
from tests.procs import Started, free_port, stop, wait_up
from timbre.cfdi import testca
from timbre.config import get_settings
from timbre.kit.s3 import S3Storage
from timbre.kit.storage import ObjectNotFound, StorageError, get_storage

ACCESS, SECRET, REGION = "AKIDTIMBRETEST", "timbre-test-secret", "us-east-1"


@pytest.fixture(scope="module")
def s3_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    proc = Started([str(Path(sys.executable).with_name("moto_server")), "-H", "127.0.0.1", "-p", str(port)], None, log)
    endpoint = f"http://127.0.0.1:{port}"
    try:
        wait_up(proc, f"{endpoint}/moto-api/")
        yield endpoint
    finally:
        stop(proc)


@pytest.fixture
def bucket(s3_endpoint: str, request: pytest.FixtureRequest) -> str:
    name = "timbre-" + request.node.name.lower().replace("_", "-")[:40]
    raw = boto3.client("s3", endpoint_url=s3_endpoint, region_name=REGION, aws_access_key_id=ACCESS,
                       aws_secret_access_key=SECRET)
    raw.create_bucket(Bucket=name)
    return name


def storage(endpoint: str, bucket: str, prefix: str = "timbre") -> S3Storage:
    return S3Storage(bucket=bucket, endpoint=endpoint, region=REGION, access_key_id=ACCESS,
                     secret_access_key=SECRET, prefix=prefix, timeout=5)


class TestObjects:
    def test_put_get_exists_delete(self, s3_endpoint: str, bucket: str) -> None:
        s3 = storage(s3_endpoint, bucket)
        stored = s3.put("teams/t/test/a.pdf", b"%PDF-1", "application/pdf")
        assert stored.size == 6 and s3.get("teams/t/test/a.pdf") == b"%PDF-1" and s3.exists("teams/t/test/a.pdf")
        listed = s3.client.list_objects_v2(Bucket=bucket)["Contents"]
        assert [o["Key"] for o in listed] == ["timbre/teams/t/test/a.pdf"]  # under the prefix
        head = s3.client.head_object(Bucket=bucket, Key="timbre/teams/t/test/a.pdf")
        assert head["ContentType"] == "application/pdf"
        s3.delete("teams/t/test/a.pdf")
        s3.delete("teams/t/test/a.pdf")  # deleting twice is fine
        assert not s3.exists("teams/t/test/a.pdf")
        with pytest.raises(ObjectNotFound):
            s3.get("teams/t/test/a.pdf")

    def test_check_needs_the_bucket(self, s3_endpoint: str, bucket: str) -> None:
        storage(s3_endpoint, bucket).check()
        with pytest.raises(StorageError):
            storage(s3_endpoint, "no-such-bucket").check()

    def test_unreachable_server_is_a_storage_error(self) -> None:
        s3 = storage(f"http://127.0.0.1:{free_port()}", "docs")
        with pytest.raises(StorageError):
            s3.put("a.xml", b"<a/>", "application/xml")


class TestDownloadLinks:
    def test_presigned_link_is_served_by_the_bucket(self, s3_endpoint: str, bucket: str) -> None:
        s3 = storage(s3_endpoint, bucket)
        s3.put("teams/t/test/factura.xml", b"<cfdi/>", "application/xml")
        url = s3.url("teams/t/test/factura.xml", expires_in=600, filename="Factura A-1.xml")
        assert url.startswith(f"{s3_endpoint}/{bucket}/timbre/teams/t/test/factura.xml?")
        assert "X-Amz-Signature=" in url and "X-Amz-Expires=600" in url
        res = httpx.get(url)  # no credentials: the signature in the link is the authorization
        assert res.status_code == 200 and res.content == b"<cfdi/>"
        assert res.headers["content-disposition"] == "attachment; filename*=UTF-8''Factura%20A-1.xml"


class TestInvoiceFilesInTheBucket:
    def test_stamped_invoice_files_download_from_the_bucket(self, s3_endpoint: str, bucket: str, client: TestClient,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
        for name, value in {"TIMBRE_STORAGE": "s3", "TIMBRE_S3_BUCKET": bucket, "TIMBRE_S3_ENDPOINT": s3_endpoint,
                            "TIMBRE_S3_ACCESS_KEY_ID": ACCESS, "TIMBRE_S3_SECRET_ACCESS_KEY": SECRET}.items():
            monkeypatch.setenv(name, value)
        assert isinstance(get_storage(get_settings()), S3Storage)
        ready = make_ready(client, testca.make_test_csd(EMISOR_RFC, EMISOR_NAME))
        created = ready.create()
        assert created.status_code == 201, created.text
        uuid = created.json()["data"]["uuid"]
        links = client.get(f"/v2/invoices/{uuid}/files", headers=ready.headers).json()["data"]
        assert links["xml"].startswith(f"{s3_endpoint}/{bucket}/") and links["pdf"].startswith(s3_endpoint)
        xml = httpx.get(links["xml"])
        assert xml.status_code == 200
        assert_valid_cfdi(xml.content)
        pdf = httpx.get(links["pdf"])
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        assert client.get("/ready").json()["data"]["checks"]["storage"] == "ok"
