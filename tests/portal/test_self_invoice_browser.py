"""The self-invoice portal and the customer portal, in a real headless Chromium (Debian's `chromium`,
driven by Playwright) against a real `timbre serve`: a customer invoices their receipt on a phone-sized
screen (wrong data refused on the page first), the stamped XML passes SAT's XSD and its seals verify, and
the customer portal lists the invoice and downloads its PDF."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page

from tests.invoices.checks import assert_valid_cfdi
from tests.portal.test_pages_browser import browser, server
from timbre.cfdi import testca

__all__ = ["browser", "server"]
PHONE = {"width": 390, "height": 844}
ITEM = {"description": "Comida del día", "quantity": 1, "unit_price": 180, "product_key": "90101501",
        "unit_key": "E48", "taxes": [{"type": "IVA", "rate": 0.16}]}
CFDI = "{http://www.sat.gob.mx/cfd/4}"


@pytest.fixture(scope="module")
def csd() -> testca.TestCertificate:
    return testca.make_test_csd("EKU9003173C9", "ESCUELA KEMPER URGATE")


def _ready_team(url: str, headers: dict[str, str], team: str, csd: testca.TestCertificate) -> None:
    httpx.put(f"{url}/v2/teams/{team}", headers=headers, json={
        "legal_name": "ESCUELA KEMPER URGATE", "tax_id": "EKU9003173C9", "tax_system": "601",
        "address": {"zip": "42501", "country": "MEX"}, "brand": {"alias": "Fonda Kemper", "primary_color": "#123456"},
    }).raise_for_status()
    httpx.post(f"{url}/v2/teams/{team}/sat-connection", headers=headers,
               files={"cert": ("csd.cer", csd.cer), "key": ("csd.key", csd.key)},
               data={"keyPass": csd.password}).raise_for_status()
    httpx.put(f"{url}/v2/teams/{team}/settings", headers=headers, json={
        "uses_on_self_invoice_portal": ["G03", "S01"], "allow_notes_on_self_invoice": True,
        "allow_product_code_on_self_invoice": True,
        "allowed_product_codes": [{"key": "90101500", "description": "Establecimientos para comer y beber"}],
    }).raise_for_status()


def _fill(page: Page, **values: str) -> None:
    for name, value in values.items():
        if name in ("tax_system", "use", "product_key"):
            page.select_option(f"#{name}", value)
        else:
            page.fill(f"#{name}", value)


def _fits_the_phone(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_self_invoice_then_customer_portal(browser: Browser, server: tuple[str, dict[str, str]], tmp_path: Path,
                                           csd: testca.TestCertificate) -> None:
    url, info = server
    headers = {"Authorization": info["Authorization"]}
    _ready_team(url, headers, info["team"], csd)
    res = httpx.post(f"{url}/v2/receipts", headers=headers, json={"items": [ITEM], "payment_form": "01"})
    assert res.status_code == 201, res.text
    receipt = res.json()["data"]
    assert receipt["url"].startswith(f"{url}/autofactura?id={receipt['id']}&sig=")

    context = browser.new_context(viewport=PHONE, is_mobile=True)
    page = context.new_page()
    page.goto(receipt["url"])
    assert page.inner_text("#heading") == "Factura tu compra" and page.inner_text("header") == "Fonda Kemper"
    assert page.inner_text("#total") == "$208.80 MXN" and _fits_the_phone(page)
    assert [o for o in page.eval_on_selector_all("#use option", "els => els.map(e => e.value)") if o] == ["G03", "S01"]
    page.screenshot(path=str(tmp_path / "self-invoice.png"), full_page=True)

    # A wrong RFC (check digit) and a CFDI use the team does not offer (a tampered form): refused on the page.
    _fill(page, tax_id="XIQB891116QE5", legal_name="Berenice Ximo Quezada", tax_system="612", zip="36257",
          email="berenice@example.com")
    page.evaluate("() => { const o = new Option('G01', 'G01'); document.querySelector('#use').add(o); }")
    page.select_option("#use", "G01")
    page.click("#submit")
    page.wait_for_selector("#error-tax_id")
    assert "dígito verificador" in page.inner_text("#error-tax_id")
    assert "no permite ese uso" in page.inner_text("#error-use")
    assert page.input_value("#legal_name") == "BERENICE XIMO QUEZADA" and _fits_the_phone(page)
    assert httpx.get(f"{url}/v2/invoices/income", headers=headers).json()["total_results"] == 0

    _fill(page, tax_id="XIQB891116QE4", use="G03", product_key="90101500", notes="Mesa 4")
    page.click("#submit")
    page.wait_for_selector("#download-xml")
    assert page.inner_text("#heading") == "¡Tu factura está lista!"
    xml = httpx.get(page.get_attribute("#download-xml", "href") or "").content
    root = assert_valid_cfdi(xml)
    receptor = root.find(f"{CFDI}Receptor")
    assert (receptor.get("Rfc"), receptor.get("Nombre"), receptor.get("UsoCFDI")) == (
        "XIQB891116QE4", "BERENICE XIMO QUEZADA", "G03")
    assert root.find(f"{CFDI}Conceptos/{CFDI}Concepto").get("ClaveProdServ") == "90101500"
    assert root.get("Total") == "208.80" and root.get("FormaPago") == "01"
    uuid = root.find(f"{CFDI}Complemento/*").get("UUID")

    page.go_back()  # submitting the same form again shows the same invoice, never a second one
    page.wait_for_selector("#submit")
    page.click("#submit")
    page.wait_for_selector("#heading")
    assert page.inner_text("#heading") == "Este recibo ya fue facturado" and uuid in page.inner_text("#message")
    invoices = httpx.get(f"{url}/v2/invoices/income", headers=headers).json()["data"]
    assert [i["uuid"] for i in invoices] == [uuid]
    got = httpx.get(f"{url}/v2/receipts/{receipt['id']}", headers=headers).json()["data"]
    assert got["status"] == "invoiced" and got["invoice"]["uuid"] == uuid
    clients = httpx.get(f"{url}/v2/clients", headers=headers, params={"limit": 100}).json()["data"]
    assert [c["tax_id"] for c in clients] == ["XIQB891116QE4"] and clients[0]["email"] == "berenice@example.com"

    # The customer portal lists the invoice and downloads its PDF.
    res = httpx.post(f"{url}/v2/clients/customerportal", headers=headers, json={"email": "berenice@example.com"})
    assert res.status_code == 200, res.text
    portal = res.json()["data"]
    page.goto(portal["url"])
    assert "BERENICE XIMO QUEZADA" in page.inner_text("#heading") and _fits_the_phone(page)
    row = page.locator(f"#invoices tr[data-id='{invoices[0]['id']}']")
    assert uuid in row.inner_text() and "Vigente" in row.inner_text()
    with page.expect_download() as download:
        row.locator("a.pdf").click()
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF")
    assert page.locator(f"#receipts tr[data-id='{receipt['id']}']").count() == 1
    context.close()
