"""A retention's PDF (our template) and XML links, and e-mailing it through a real local SMTP server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.factories import run_jobs
from tests.invoices.checks import download, pdf_text, reddish_pixels
from tests.invoices.conftest import Ready
from tests.mail import Inbox
from tests.mail import smtp_server as smtp_server_ctx
from tests.retentions.test_retentions_api import body
from timbre.cfdi.retenciones import xsd
from timbre.config import get_settings


@pytest.fixture
def smtp_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    with smtp_server_ctx() as inbox:
        monkeypatch.setattr(get_settings(), "smtp_url", inbox.url)
        yield inbox


def _created(ready: Ready, client: TestClient, key: str = "26") -> dict[str, object]:
    res = client.post("/v2/retentions", headers=ready.headers, json=body(ready, key))
    assert res.status_code == 201, res.text
    data: dict[str, object] = res.json()["data"]
    return data


class TestFiles:
    def test_pdf_and_xml_download_without_an_api_key(self, ready: Ready, client: TestClient,
                                                      tmp_path: Path) -> None:
        r = _created(ready, client)
        links = client.get(f"/v2/retentions/{r['id']}/files", headers=ready.headers).json()["data"]
        assert set(links) == {"pdf", "xml"}
        assert xsd.validate(download(client, links["xml"]).content) == []
        pdf = download(client, links["pdf"])
        assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
        text = pdf_text(pdf.content)
        assert str(r["uuid"]) in text.replace(" ", "")
        assert "Plataformas Tecnológicas" in text and "RET1" in text and "$90.00" in text
        assert reddish_pixels(pdf.content, tmp_path) > 50  # test mode watermark

    def test_unknown_retention_is_a_404(self, ready: Ready, client: TestClient) -> None:
        assert client.get("/v2/retentions/ret_missing/files", headers=ready.headers).status_code == 404


class TestSend:
    def test_email_arrives_with_the_links(self, ready: Ready, client: TestClient, smtp_server: Inbox) -> None:
        r = _created(ready, client, "01")
        res = client.post(f"/v2/retentions/{r['id']}/send", headers=ready.headers, json={})
        assert res.status_code == 200, res.text
        assert res.json()["data"]["recipients"] == ["berenice@example.com"]
        assert "sent" in run_jobs()
        assert len(smtp_server.messages) == 1
        assert "To: berenice@example.com" in smtp_server.messages[0]
        assert f"{r['uuid']}" in smtp_server.messages[0]

    def test_without_recipients_is_a_400(self, ready: Ready, client: TestClient) -> None:
        r = _created(ready, client, "18")  # the foreign client has no e-mail
        res = client.post(f"/v2/retentions/{r['id']}/send", headers=ready.headers, json={})
        assert res.status_code == 400
