"""`GET /invoices/{uuid}/files`: signed, expiring links that download without an API key."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlparse

from tests.invoices.checks import assert_valid_cfdi, download, pdf_text, reddish_pixels
from tests.invoices.conftest import Ready
from timbre.cfdi.pac.sandbox import verify_acuse


def _stamped(ready: Ready) -> dict[str, object]:
    res = ready.create()
    assert res.status_code == 201, res.text
    data: dict[str, object] = res.json()["data"]
    return data


def test_both_links_download_without_an_api_key(ready: Ready, tmp_path: Path) -> None:
    invoice = _stamped(ready)
    res = ready.client.get(f"/v2/invoices/{invoice['uuid']}/files", headers=ready.headers)
    assert res.status_code == 200
    assert res.json()["message"] == "Invoice files retrieved successfully"
    links = res.json()["data"]
    assert set(links) == {"pdf", "xml"}

    xml = download(ready.client, links["xml"])
    assert xml.headers["content-type"].startswith("application/xml")
    root = assert_valid_cfdi(xml.content)
    assert root.get("Total") == "2320.00"
    assert f"{invoice['uuid']}" in xml.headers["content-disposition"]

    pdf = download(ready.client, links["pdf"])
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    text = pdf_text(pdf.content)
    assert str(invoice["uuid"]) in text.replace(" ", "") and "A-1" in text
    assert reddish_pixels(pdf.content, tmp_path) > 50  # test mode: the "SIN VALIDEZ FISCAL" watermark
    assert download(ready.client, links["pdf"]).content == pdf.content  # rendered once, then cached


def test_one_file_type(ready: Ready) -> None:
    invoice = _stamped(ready)
    for file_type in ("pdf", "xml"):
        res = ready.client.get(f"/v2/invoices/{invoice['uuid']}/files", headers=ready.headers,
                               params={"file_type": file_type})
        assert list(res.json()["data"]) == [file_type]
    res = ready.client.get(f"/v2/invoices/{invoice['uuid']}/files", headers=ready.headers,
                           params={"file_type": "zip"})
    assert res.status_code == 422


def test_tampered_or_expired_links_are_refused(ready: Ready) -> None:
    invoice = _stamped(ready)
    link = ready.client.get(f"/v2/invoices/{invoice['uuid']}/files", headers=ready.headers,
                            params={"file_type": "xml"}).json()["data"]["xml"]
    url = urlparse(link)
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    other = url._replace(path=url.path.replace(".xml", "-valid.pdf"), query=urlencode(query)).geturl()
    assert ready.client.get(other).status_code == 403
    expired = url._replace(query=urlencode({**query, "expires": "1000"})).geturl()
    assert ready.client.get(expired).status_code == 403


def test_links_need_an_api_key_and_the_right_team(ready: Ready) -> None:
    invoice = _stamped(ready)
    assert ready.client.get(f"/v2/invoices/{invoice['uuid']}/files").status_code == 401
    assert ready.client.get(f"/v2/invoices/{invoice['uuid']}/files",
                            headers=ready.account.headers(live=True)).status_code == 404


def test_a_cancelled_invoice_has_its_acuse_and_a_cancelled_pdf(ready: Ready, tmp_path: Path) -> None:
    invoice = _stamped(ready)
    before = download(ready.client, ready.client.get(f"/v2/invoices/{invoice['uuid']}/files", headers=ready.headers,
                                                     params={"file_type": "pdf"}).json()["data"]["pdf"]).content
    cancelled = ready.client.request("DELETE", f"/v2/invoices/{invoice['uuid']}", headers=ready.headers,
                                     json={"motive": "03"}).json()["data"]
    links = ready.client.get(f"/v2/invoices/{invoice['uuid']}/files", headers=ready.headers).json()["data"]
    assert set(links) == {"pdf", "xml", "acuse"}
    acuse = download(ready.client, links["acuse"]).content
    assert verify_acuse(acuse)
    assert download(ready.client, cancelled["cancellation_receipt"]).content == acuse
    after = download(ready.client, links["pdf"]).content
    # "CANCELADO - SIN VALIDEZ FISCAL - PRUEBA" instead of "SIN VALIDEZ FISCAL - PRUEBA"
    marked = reddish_pixels(after, tmp_path)
    assert after != before and marked > 50 and marked != reddish_pixels(before, tmp_path)
