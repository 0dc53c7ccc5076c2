"""The hosted payment page of a payment link, in a real headless Chromium (Debian's `chromium`, driven by
Playwright) against a real `timbre serve`."""

from __future__ import annotations

from pathlib import Path

import httpx
from playwright.sync_api import Browser

from tests.portal.test_pages_browser import browser, server

__all__ = ["browser", "server"]
BANK = {"bank_name": "BBVA México", "account_holder": "ESCUELA KEMPER URGATE", "clabe": "012180001234567899",
        "instructions": "Envía tu comprobante a pagos@example.com"}
ITEMS = [{"description": "Diseño de logotipo", "quantity": 2, "unit_price": 1500, "product_key": "82141502",
          "unit_key": "E48", "taxes": [{"type": "IVA", "rate": 0.16}]},
         {"description": "Hosting anual", "quantity": 1, "unit_price": 1200, "taxes": []}]


def test_payment_link_page(browser: Browser, server: tuple[str, dict[str, str]], tmp_path: Path) -> None:
    url, info = server
    headers = {"Authorization": info["Authorization"]}
    team = f"{url}/v2/teams/{info['team']}"
    httpx.put(team, headers=headers, json={"legal_name": "ESCUELA KEMPER URGATE",
                                           "brand": {"alias": "Kemper", "primary_color": "#123456"}}).raise_for_status()
    httpx.patch(f"{team}/integrations/bank/settings", headers=headers, json=BANK).raise_for_status()
    httpx.patch(f"{team}/integrations/stripe/settings", headers=headers,
                json={"checkout_url": "https://buy.stripe.com/test_kemper"}).raise_for_status()
    res = httpx.post(f"{url}/v2/payments/request", headers=headers, json={
        "client": {"name": "Ana Pérez", "email": "ana@example.com"}, "items": ITEMS,
        "allowed_payment_methods": ["card", "bank"], "automation_type": "none", "send_email": False})
    assert res.status_code == 201, res.text
    payment = res.json()["data"]
    assert payment["short_url"].startswith(f"{url}/pay/")

    context = browser.new_context()  # its own connections, closed at the end so the server stops at once
    page = context.new_page()
    page.goto(payment["short_url"])
    assert page.inner_text("#heading") == "Pago a ESCUELA KEMPER URGATE"
    assert page.inner_text("header") == "Kemper"
    assert page.eval_on_selector("header", "el => getComputedStyle(el).backgroundColor") == "rgb(18, 52, 86)"
    rows = page.locator("#items tbody tr")
    assert rows.count() == 2 and rows.nth(0).inner_text().split("\t")[:2] == ["Diseño de logotipo", "2"]
    assert "$3,480.00 MXN" in rows.nth(0).inner_text() and "$1,200.00 MXN" in rows.nth(1).inner_text()
    assert page.inner_text("#total") == "$4,680.00 MXN"
    assert page.inner_text("#bank-clabe") == BANK["clabe"] and page.inner_text("#bank-name") == "BBVA México"
    assert page.inner_text("#bank-reference") == payment["id"].removeprefix("payment_")
    assert page.get_attribute("#card-checkout", "href") == "https://buy.stripe.com/test_kemper"
    assert page.inner_text("#status") == "Pendiente de pago"
    page.screenshot(path=str(tmp_path / "payment.png"), full_page=True)

    page.fill("#reference", "MBAN01002511210001")
    page.click("#transfer-sent")
    page.wait_for_url(payment["short_url"])
    assert "Recibimos tu aviso" in page.inner_text("#status")
    assert page.locator("#bank").count() == 0
    got = httpx.get(f"{url}/v2/payments/{payment['id']}", headers=headers).json()["data"]
    assert got["status"] == "processing" and got["payer_notice"]["reference"] == "MBAN01002511210001"

    httpx.post(f"{url}/v2/payments/{payment['id']}/paid", headers=headers,
               json={"payment_form": "03"}).raise_for_status()
    page.reload()
    assert page.inner_text("#status") == "Pagado"

    response = page.goto(f"{url}/pay/not-a-real-token")
    assert response is not None and response.status == 404
    assert page.inner_text("#heading") == "Enlace no válido"
    context.close()
