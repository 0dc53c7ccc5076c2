"""Support documents of clients: type sniffed from the bytes, 10 MiB limit, storage, signed downloads."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from fastapi.testclient import TestClient

from tests.factories import Account, bearer, create_account, create_key, run_jobs
from timbre.config import get_settings
from timbre.kit.storage import get_storage

MIB = 1024 * 1024
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 32
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


def _client_id(client: TestClient, acct: Account) -> str:
    return str(client.post("/v2/clients", json={"name": "Docs"}, headers=acct.headers()).json()["data"]["id"])


def _upload(client: TestClient, acct: Account, client_id: str, content: bytes, filename: str = "contrato.pdf",
            content_type: str = "application/pdf", **fields: str) -> Any:
    data = {"documentType": "contract", **fields}
    return client.post(f"/v2/clients/{client_id}/support-documents", headers=acct.headers(), data=data,
                       files={"file": (filename, content, content_type)})


class TestUpload:
    def test_pdf_is_stored_listed_and_downloadable(self, client: TestClient) -> None:
        acct = create_account()
        cid = _client_id(client, acct)
        res = _upload(client, acct, cid, PDF, name="Contrato 2026", description="Firmado")
        assert res.status_code == 201, res.text
        doc = res.json()["data"]
        assert doc["id"].startswith("doc_") and doc["documentType"] == "contract"
        assert (doc["name"], doc["description"], doc["fileName"]) == ("Contrato 2026", "Firmado", "contrato.pdf")
        assert (doc["mimeType"], doc["fileSize"]) == ("application/pdf", len(PDF))
        assert doc["storagePath"].startswith(f"teams/{acct.team_id}/test/support-documents/")
        assert doc["linkedEntities"] == [{"entityType": "client", "entityId": cid}]
        assert get_storage(get_settings()).get(doc["storagePath"]) == PDF
        listed = client.get(f"/v2/clients/{cid}/support-documents", headers=acct.headers()).json()
        assert [d["id"] for d in listed["data"]] == [doc["id"]] and listed["next"] is None
        url = urlsplit(doc["fileUrl"])
        download = client.get(f"{url.path}?{url.query}")  # no API key: the link is signed
        assert download.status_code == 200 and download.content == PDF
        assert download.headers["content-type"] == "application/pdf"
        assert 'filename="contrato.pdf"' in download.headers["content-disposition"]

    def test_images_by_their_bytes(self, client: TestClient) -> None:
        acct = create_account()
        cid = _client_id(client, acct)
        for content, mime in ((PNG, "image/png"), (JPEG, "image/jpeg"), (WEBP, "image/webp")):
            res = _upload(client, acct, cid, content, filename="foto.bin", content_type="application/octet-stream")
            assert res.status_code == 201, res.text
            assert res.json()["data"]["mimeType"] == mime
        # the name is kept, with the extension the bytes call for
        assert res.json()["data"]["fileName"] == "foto.bin.webp"

    def test_renamed_executable_is_415(self, client: TestClient) -> None:
        acct = create_account()
        cid = _client_id(client, acct)
        res = _upload(client, acct, cid, EXE, filename="factura.pdf", content_type="application/pdf")
        assert res.status_code == 415
        assert res.json()["error"]["code"] == "unsupported_media_type"
        assert client.get(f"/v2/clients/{cid}/support-documents", headers=acct.headers()).json()["data"] == []

    def test_11_mib_is_413(self, client: TestClient) -> None:
        acct = create_account()
        cid = _client_id(client, acct)
        res = _upload(client, acct, cid, PDF + b"\x00" * (11 * MIB))
        assert res.status_code == 413
        assert res.json()["error"]["code"] == "payload_too_large"

    def test_limit_holds_without_content_length(self, client: TestClient) -> None:
        acct = create_account()
        cid = _client_id(client, acct)
        boundary = "xYzBoundary"

        def body() -> Iterator[bytes]:  # a chunked request: no Content-Length to trust
            yield (f"--{boundary}\r\nContent-Disposition: form-data; name=\"documentType\"\r\n\r\ncontract\r\n"
                   f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n"
                   "Content-Type: application/pdf\r\n\r\n").encode() + PDF
            for _ in range(11):
                yield b"\x00" * MIB
            yield f"\r\n--{boundary}--\r\n".encode()

        res = client.post(f"/v2/clients/{cid}/support-documents", content=body(),
                          headers={**acct.headers(), "Content-Type": f"multipart/form-data; boundary={boundary}"})
        assert res.status_code == 413

    def test_exactly_10_mib_is_accepted(self, client: TestClient) -> None:
        acct = create_account()
        cid = _client_id(client, acct)
        res = _upload(client, acct, cid, PDF + b"\x00" * (10 * MIB - len(PDF)))
        assert res.status_code == 201 and res.json()["data"]["fileSize"] == 10 * MIB


class TestRefusals:
    def test_payload_problems(self, client: TestClient) -> None:
        acct = create_account()
        cid = _client_id(client, acct)
        url = f"/v2/clients/{cid}/support-documents"
        no_type = client.post(url, headers=acct.headers(), files={"file": ("a.pdf", PDF, "application/pdf")})
        assert no_type.status_code == 422 and no_type.json()["error"]["details"][0]["field"] == "documentType"
        no_file = client.post(url, headers=acct.headers(), data={"documentType": "contract"},
                              files={"other": ("a.pdf", PDF, "application/pdf")})
        assert no_file.status_code == 422 and no_file.json()["error"]["details"][0]["field"] == "file"
        bad_type = _upload(client, acct, cid, PDF, documentType="selfie")
        assert bad_type.status_code == 422
        json_body = client.post(url, headers=acct.headers(), json={"documentType": "contract"})
        assert json_body.status_code == 415
        broken = client.post(url, content=b"--x\r\nnot a part", headers={
            **acct.headers(), "Content-Type": "multipart/form-data; boundary=x"})
        assert broken.status_code in (400, 422)

    def test_unknown_client_viewer_and_other_mode(self, client: TestClient) -> None:
        acct = create_account()
        assert _upload(client, acct, "client_nope", PDF).status_code == 404
        cid = _client_id(client, acct)
        viewer = client.post(f"/v2/clients/{cid}/support-documents", data={"documentType": "contract"},
                             files={"file": ("a.pdf", PDF, "application/pdf")},
                             headers=bearer(create_key(acct.team_id, role="viewer")))
        assert viewer.status_code == 403
        assert client.get(f"/v2/clients/{cid}/support-documents", headers=acct.headers(live=True)).status_code == 404

    def test_tampered_link_is_refused(self, client: TestClient) -> None:
        acct = create_account()
        cid = _client_id(client, acct)
        doc = _upload(client, acct, cid, PDF).json()["data"]
        url = urlsplit(doc["fileUrl"])
        other_key = url.path.replace(doc["id"], "doc_other")
        assert client.get(f"{other_key}?{url.query}").status_code == 403
        later = url.query.replace("expires=", "expires=1")  # a longer life is not granted either
        assert client.get(f"{url.path}?{later}").status_code == 403


def test_deleting_the_client_deletes_its_documents(client: TestClient) -> None:
    acct = create_account()
    cid = _client_id(client, acct)
    key = _upload(client, acct, cid, PDF).json()["data"]["storagePath"]
    assert client.delete(f"/v2/clients/{cid}", headers=acct.headers()).status_code == 200
    assert get_storage(get_settings()).exists(key)  # until the job runs, after the commit
    run_jobs()
    assert not get_storage(get_settings()).exists(key)
