"""The fiscal stamp block: SAT's QR code, both digital seals and the TFD cadena original."""

from __future__ import annotations

import segno

from timbre.cfdi.pdf.canvas import Canvas
from timbre.cfdi.pdf.page import INK, MUTED, WIDTH, X0, Page

QR_SIZE = 30.0  # mm; Anexo 20 asks for a square no smaller than 2.75 cm
VALUE_SIZE = 5.6
LABEL_SIZE = 6.3


def stamp(page: Page) -> None:
    doc = page.doc
    if doc.stamp is None:
        _not_stamped(page)
        return
    c, t, s = page.c, page.t, doc.stamp
    text_x = X0 + QR_SIZE + 5
    text_w = WIDTH - QR_SIZE - 5
    blocks = [
        (t["sello_cfdi"], s.sello_cfd or doc.sello),
        (t["sello_sat"], s.sello_sat),
        (t["cadena_tfd"], s.cadena_original),
    ]
    facts = " · ".join(
        f"{label}: {value}"
        for label, value in (
            (t["sat_cert_number"], s.no_certificado_sat),
            (t["pac_rfc"], s.rfc_prov_certif),
            (t["stamped_at"], s.fecha_timbrado),
        )
        if value
    )
    c.use(VALUE_SIZE)
    wrapped = [(label, c.wrap(value, text_w)) for label, value in blocks]
    facts_lines = c.wrap(facts, text_w)
    label_h = c.line_height(LABEL_SIZE) + 0.2
    value_h = c.line_height(VALUE_SIZE)
    text_h = sum(label_h + len(lines) * value_h + 1.2 for _, lines in wrapped)
    text_h += len(facts_lines) * value_h
    page.ensure(max(QR_SIZE, text_h) + 4)

    y0 = page.y + 2  # with the 5 mm to the text, more than the QR's 4-module quiet zone
    draw_qr(c, s.qr_url, X0, y0, QR_SIZE)
    y = y0
    for label, lines in wrapped:
        c.use(LABEL_SIZE, bold=True, color=page.theme.accent)
        c.put(text_x, y, label)
        y += label_h
        c.use(VALUE_SIZE, color=INK)
        for line in lines:
            c.put(text_x, y, line)
            y += value_h
        y += 1.2
    c.use(VALUE_SIZE, color=MUTED)
    for line in facts_lines:
        c.put(text_x, y, line)
        y += value_h
    page.y = max(y0 + QR_SIZE, y) + 2


def draw_qr(c: Canvas, content: str, x: float, y: float, size: float) -> None:
    """Vector QR code: one filled rectangle per horizontal run of dark modules, so it stays
    sharp at any zoom or printer resolution (a scaled bitmap gets smoothed by some viewers)."""
    qr = segno.make_qr(content, error="m")
    rows = [list(row) for row in qr.matrix_iter(border=0)]
    k = c.k  # points per mm
    module = size / len(rows) * k
    left = x * k
    top = (c.h - y) * k  # PDF space grows upwards from the bottom of the page
    ops = ["q 0 g"]
    for r, row in enumerate(rows):
        # A hair of overlap hides the seams some rasterizers leave between rows.
        bottom = top - (r + 1) * module - 0.05
        start = -1
        for i, dark in enumerate([*row, 0]):
            if dark and start < 0:
                start = i
            elif not dark and start >= 0:
                width = (i - start) * module
                ops.append(f"{left + start * module:.2f} {bottom:.2f} {width:.2f} {module + 0.05:.2f} re")
                start = -1
    ops.append("f Q")
    # One path for the whole symbol: fpdf2's rect() costs ~8 µs per call and a CFDI QR has
    # about 700 runs. _out() is fpdf2's documented low-level content-stream writer.
    c._out("\n".join(ops))


def _not_stamped(page: Page) -> None:
    c = page.c
    page.ensure(8)
    c.frame(X0, page.y, WIDTH, 7, (200, 30, 30), 0.3)
    c.use(8, bold=True, color=(200, 30, 30))
    c.put_center(X0 + WIDTH / 2, page.y + 2, page.t["not_stamped"])
    page.y += 9
