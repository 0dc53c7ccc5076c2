"""``render_cfdi_pdf``: a CFDI 4.0 as a branded, SAT-compliant printed representation."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from timbre.cfdi.pdf import payments, sections, stamp
from timbre.cfdi.pdf.branding import Branding
from timbre.cfdi.pdf.canvas import Canvas
from timbre.cfdi.pdf.labels import Lang
from timbre.cfdi.pdf.page import Page
from timbre.cfdi.pdf.read import read_document


def render_cfdi_pdf(
    cfdi: Mapping[str, Any],
    branding: Branding,
    *,
    watermark: str | None = None,
    notes: str | None = None,
    lang: Lang = "es",
) -> bytes:
    """Render ``cfdi`` (a satcfdi CFDI 4.0, built or parsed) as PDF bytes.

    ``watermark`` is printed diagonally on every page (e.g. ``"SIN VALIDEZ FISCAL - PRUEBA"``);
    ``notes`` is free text printed after the totals. Without a TimbreFiscalDigital complement the
    document is marked as not stamped and carries no QR code.
    """
    doc = read_document(cfdi)
    canvas = Canvas()
    canvas.set_title(" ".join(p for p in (doc.serie_folio, doc.stamp.uuid if doc.stamp else "") if p))
    canvas.set_author(doc.emisor.nombre)
    page = Page(canvas, doc, branding, lang, watermark)

    page.first_header()
    sections.receptor(page)
    sections.terms(page)
    sections.related_and_global(page)
    sections.items(page)
    if doc.payments is not None:
        payments.payments(page, doc.payments)
    if doc.tipo != "P":
        sections.totals(page)
    if notes and notes.strip():
        sections.notes(page, notes.strip())
    stamp.stamp(page)
    page.close_page()
    return canvas.pdf_bytes()
