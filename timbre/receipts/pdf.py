"""A receipt's PDF: a ticket in the team's colours (and logo), its items and totals, and the self-invoice
link with its QR code. It is not a fiscal document and says so."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from timbre.cfdi.pac.sandbox import MEXICO_TZ
from timbre.cfdi.pdf import Branding
from timbre.cfdi.pdf import logo as logos
from timbre.cfdi.pdf.branding import parse_color
from timbre.cfdi.pdf.canvas import Canvas
from timbre.cfdi.pdf.stamp import draw_qr
from timbre.models import Receipt

WIDTH = 90.0  # a wide ticket, centred on a letter page
WHITE = (255, 255, 255)
GREY = (90, 98, 115)


def _money(value: Decimal | str, currency: str) -> str:
    return f"${Decimal(value):,.2f} {currency}"


def render_receipt_pdf(receipt: Receipt, brand: Branding, url: str, *, test_mode: bool) -> bytes:
    c = Canvas()
    c.add_page()
    x0 = (c.w - WIDTH) / 2
    x1 = x0 + WIDTH
    primary = parse_color(brand.primary_color, "#1F3A5F")
    c.box(x0, 12, WIDTH, 16, primary)
    text_x = x0 + 4
    if brand.logo:
        text_x += logos.draw(c, brand.logo, x0 + 3, 14, max_w=22, max_h=12) + 3
    c.use(12, bold=True, color=WHITE)
    c.put(text_x, 15, c.fit(brand.display_name, x1 - text_x - 3))
    c.use(7, color=WHITE)
    c.put(text_x, 21.5, c.fit(brand.legal_name, x1 - text_x - 3))
    y = 33.0
    c.use(11, bold=True)
    c.put(x0, y, f"Recibo {receipt.series}-{receipt.folio_number}")
    y += 6
    c.use(8, color=GREY)
    created = datetime.fromtimestamp(receipt.created_at / 1000, MEXICO_TZ).strftime("%d/%m/%Y %H:%M")
    c.put(x0, y, f"Fecha: {created}   Forma de pago: {receipt.payment_form}")
    y += 6
    c.hline(x0, x1, y, GREY)
    y += 2
    for item in receipt.items or []:
        c.use(8)
        quantity = f"{Decimal(item['quantity']).normalize():f}"
        lines = c.wrap(f"{quantity} x {item['description']}", WIDTH - 30)
        c.put_right(x1, y, _money(item["subtotal"], receipt.currency))
        for line in lines:
            c.put(x0, y, line)
            y += c.line_height()
        y += 1
    c.hline(x0, x1, y, GREY)
    y += 2
    rows = [("Subtotal", receipt.subtotal)]
    if receipt.taxes:
        rows.append(("Impuestos", receipt.taxes))
    if receipt.taxes_withheld:
        rows.append(("Retenciones", -receipt.taxes_withheld))
    for label, value in rows:
        c.use(8)
        c.put(x0, y, label)
        c.put_right(x1, y, _money(value, receipt.currency))
        y += c.line_height()
    c.use(11, bold=True)
    c.put(x0, y + 1, "Total")
    c.put_right(x1, y + 1, _money(receipt.total, receipt.currency))
    y += 10
    c.use(9, bold=True)
    c.put(x0, y, "¿Necesitas factura?")
    y += 5
    c.use(8)
    valid = datetime.fromtimestamp(receipt.valid_until / 1000, MEXICO_TZ).strftime("%d/%m/%Y")
    y = c.paragraph(x0, y, WIDTH, f"Escanea el código o entra al enlace para generar tu factura (CFDI) hasta el "
                                  f"{valid}.")
    draw_qr(c, url, x0 + (WIDTH - 36) / 2, y + 2, 36)
    y += 41
    c.use(6, color=GREY)
    y = c.paragraph(x0, y, WIDTH, url)
    y += 3
    c.use(7, bold=True, color=GREY)
    c.paragraph(x0, y, WIDTH, "Este recibo no es un comprobante fiscal." + (" Documento de prueba." if test_mode
                                                                            else ""))
    return c.pdf_bytes()
