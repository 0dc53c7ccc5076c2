"""Rendered PDFs, read back with poppler's pdftotext (Debian package poppler-utils)."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
from PIL import Image
from satcfdi.create.cfd import cfdi40

from tests.cfdi.pdf import pdf_samples
from timbre.catalogs import store
from timbre.cfdi.pdf import Branding, amount_to_words, render_cfdi_pdf
from timbre.cfdi.pdf.fields import format_money
from timbre.cfdi.pdf.labels import labels_for

BRANDING = Branding(legal_name="Escuela Kemper Urgate SA de CV", alias="Kemper Academy", primary_color="#0B5D4B")


def pdf_pages(pdf: bytes, *, layout: bool = False) -> list[str]:
    """Text of each page, whitespace collapsed (wrapped lines become single spaces).

    ``layout`` keeps each printed row together (label and value of a totals row) instead of
    poppler's reading order, which reads a column at a time.
    """
    assert shutil.which("pdftotext"), "install poppler-utils (pdftotext) to run the PDF tests"
    args = ["pdftotext", "-enc", "UTF-8", *(["-layout"] if layout else []), "-", "-"]
    out = subprocess.run(args, input=pdf, capture_output=True, check=True)
    pages = out.stdout.decode().split("\f")[:-1]  # every page ends with a form feed
    return [" ".join(page.split()) for page in pages]


def pdf_text(pdf: bytes, *, layout: bool = False) -> str:
    return " ".join(pdf_pages(pdf, layout=layout))


def reddish_pixels_per_page(pdf: bytes, tmp_path: Any) -> list[int]:
    """Pixels where red clearly dominates, per page rendered at 30 dpi."""
    (tmp_path / "doc.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "30", str(tmp_path / "doc.pdf"), str(tmp_path / "page")], check=True)
    counts = []
    for path in sorted(tmp_path.glob("page-*.ppm")):
        with Image.open(path) as image:
            rgb = image.convert("RGB").tobytes()
        counts.append(sum(1 for i in range(0, len(rgb), 3) if rgb[i] - rgb[i + 1] > 12 and rgb[i] - rgb[i + 2] > 12))
    return counts


def describe(catalog: str, code: str) -> str:
    row = store.get(catalog, code)
    assert row is not None
    return f"{code} - {row['description']}"


def render(cfdi: Mapping[str, Any], **kwargs: Any) -> bytes:
    pdf = render_cfdi_pdf(cfdi, kwargs.pop("branding", BRANDING), **kwargs)
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    return pdf


class TestIncome:
    def test_prints_what_sat_requires(self) -> None:
        cfdi = pdf_samples.parsed(
            pdf_samples.ingreso([pdf_samples.concepto(retencion_isr=True), pdf_samples.concepto(iva=False)])
        )
        text = pdf_text(render(cfdi))
        total = cfdi["Total"]
        assert "FACTURA" in text
        assert "F-1024" in text
        assert pdf_samples.UUID in text
        assert pdf_samples.EMISOR_RFC in text
        assert pdf_samples.RECEPTOR_RFC in text
        assert f"${format_money(total)}" in text
        assert amount_to_words(total, "MXN") in text
        assert describe("c_RegimenFiscal", "601") in text
        assert describe("c_RegimenFiscal", "612") in text
        assert describe("c_UsoCFDI", "G03") in text
        assert describe("c_FormaPago", "03") in text
        assert describe("c_MetodoPago", "PUE") in text
        assert "Retención ISR" in text
        assert f"-{format_money(cfdi['Impuestos']['TotalImpuestosRetenidos'])}" in text
        assert "IVA 16%" in text
        assert f"||1.1|{pdf_samples.UUID}|2026-11-20T10:05:03|SPR190613I52|" in text
        assert "Sello digital del SAT" in text
        assert "Página 1 de 1" in text

    def test_built_and_parsed_documents_print_the_same_text(self) -> None:
        built = pdf_samples.ingreso([pdf_samples.concepto(descuento="100.00")])
        assert pdf_text(render(built)) == pdf_text(render(pdf_samples.parsed(built)))

    def test_discount_column_and_total(self) -> None:
        cfdi = pdf_samples.ingreso([pdf_samples.concepto(descuento="100.00")])
        text = pdf_text(render(cfdi))
        assert "Descuento" in text
        assert f"-{format_money(cfdi['Descuento'])}" in text

    def test_usd_with_exchange_rate(self) -> None:
        cfdi = pdf_samples.ingreso(moneda="USD", tipo_cambio=Decimal("17.2512"))
        text = pdf_text(render(cfdi))
        assert "Tipo de cambio: 17.2512" in text
        assert "Total USD" in text
        words = amount_to_words(cfdi["Total"], "USD")
        assert "DÓLARES" in words
        assert words in text

    def test_related_cfdi_and_global_information(self) -> None:
        related = "6E3F5A2B-1C2D-4E5F-8A9B-0C1D2E3F4A5B"
        cfdi = pdf_samples.ingreso(
            cfdi_relacionados=[cfdi40.CfdiRelacionados(tipo_relacion="04", cfdi_relacionado=[related])],
            informacion_global=cfdi40.InformacionGlobal(periodicidad="04", meses="11", ano=2026),
        )
        text = pdf_text(render(pdf_samples.parsed(cfdi)))
        assert related in text
        assert describe("c_TipoRelacion", "04") in text
        assert describe("c_Periodicidad", "04") in text
        assert describe("c_Meses", "11") in text
        assert "Año: 2026" in text


class TestEgress:
    def test_credit_note_title(self) -> None:
        cfdi = pdf_samples.ingreso(tipo="E")
        text = pdf_text(render(pdf_samples.parsed(cfdi)))
        assert "NOTA DE CRÉDITO" in text
        assert "NC-1024" in text
        assert describe("c_TipoDeComprobante", "E") in text
        assert amount_to_words(cfdi["Total"], "MXN") in text


class TestPayment:
    def test_pagos_summary(self) -> None:
        cfdi = pdf_samples.parsed(pdf_samples.pago())
        pdf = render(cfdi)
        text = pdf_text(pdf)
        pago = cfdi["Complemento"]["Pagos"]["Pago"][0]
        docto = pago["DoctoRelacionado"][0]
        assert "COMPLEMENTO DE PAGO" in text
        assert labels_for("es")["pagos"].upper() in text
        assert docto["IdDocumento"] in text
        assert "F-1001" in text
        assert f"Monto: {format_money(pago['Monto'])}" in text
        totales = cfdi["Complemento"]["Pagos"]["Totales"]
        rows = pdf_text(pdf, layout=True)
        assert f"Monto total de pagos {format_money(totales['MontoTotalPagos'])}" in rows
        assert f"IVA 16% {format_money(totales['TotalTrasladosImpuestoIVA16'])}" in rows
        assert "Núm. de operación: SPEI-778812" in text
        assert "IMPORTE CON LETRA" not in text  # a payment CFDI's own total is zero


class TestPagination:
    def test_many_items_flow_over_pages_with_repeated_headers(self) -> None:
        descriptions = [f"Artículo de inventario número {i:03d} con descripción extendida" for i in range(70)]
        cfdi = pdf_samples.ingreso([pdf_samples.concepto(d, cantidad="1", valor_unitario="10") for d in descriptions])
        pages = pdf_pages(render(cfdi))
        assert len(pages) >= 3
        for number, page in enumerate(pages, start=1):
            assert "Descripción" in page
            assert "Valor unitario" in page
            assert f"Página {number} de {len(pages)}" in page
            if number > 1:
                assert pdf_samples.UUID in page  # continuation header identifies the document
        text = " ".join(pages)
        for description in descriptions:
            assert text.count(description) == 1
        assert amount_to_words(cfdi["Total"], "MXN") in pages[-1]

    def test_a_description_longer_than_a_page_is_split_not_lost(self) -> None:
        words = [f"palabra{i:04d}" for i in range(1400)]
        cfdi = pdf_samples.ingreso([pdf_samples.concepto(" ".join(words))])
        pages = pdf_pages(render(cfdi))
        assert len(pages) >= 2
        text = " ".join(pages)
        assert all(word in text for word in words[::50] + words[-3:])


class TestBranding:
    def test_logo_is_embedded(self) -> None:
        with_logo = render(pdf_samples.ingreso(), branding=Branding(legal_name="X", logo=pdf_samples.png()))
        without = render(pdf_samples.ingreso(), branding=Branding(legal_name="X"))
        assert re.search(rb"/Subtype\s*/Image", with_logo)
        assert not re.search(rb"/Subtype\s*/Image", without)

    def test_without_logo_the_trade_name_is_printed(self) -> None:
        text = pdf_text(render(pdf_samples.ingreso(), branding=Branding(legal_name="Legal SA", alias="Marca Bonita")))
        assert "Marca Bonita" in text

    @pytest.mark.parametrize("logo", [b"not an image", b"<svg xmlns='http://www.w3.org/2000/svg'/>", b""])
    def test_an_unusable_logo_does_not_stop_the_invoice(self, logo: bytes) -> None:
        pdf = render(pdf_samples.ingreso(), branding=Branding(legal_name="X", logo=logo))
        assert pdf_samples.UUID in pdf_text(pdf)
        assert not re.search(rb"/Subtype\s*/Image", pdf)

    @pytest.mark.parametrize("color", ["red", "#12", "", "#GGGGGG"])
    def test_a_malformed_colour_falls_back_to_the_default(self, color: str) -> None:
        pdf = render(pdf_samples.ingreso(), branding=Branding(legal_name="X", primary_color=color))
        assert pdf_samples.UUID in pdf_text(pdf)


class TestWatermarkNotesLanguage:
    # pdftotext scrambles diagonal text, so the watermark is checked on the rendered pages: its
    # translucent red must tint the middle of every page, and nothing else on the page is red.
    @pytest.mark.parametrize("mark", ["SIN VALIDEZ FISCAL - PRUEBA", "PREFACTURA-0000-0000-0000-SINVALIDEZ"])
    def test_watermark_on_every_page(self, mark: str, tmp_path: Any) -> None:
        many = [pdf_samples.concepto(f"Renglón {i}") for i in range(40)]
        pages = reddish_pixels_per_page(render(pdf_samples.ingreso(many), watermark=mark), tmp_path)
        assert len(pages) >= 2
        assert all(count > 500 for count in pages)

    def test_no_watermark_unless_asked(self, tmp_path: Any) -> None:
        assert reddish_pixels_per_page(render(pdf_samples.ingreso()), tmp_path) == [0]

    def test_notes(self) -> None:
        text = pdf_text(render(pdf_samples.ingreso(), notes="Pague a la CLABE 012345678901234567.\nGracias."))
        assert labels_for("es")["notes"].upper() in text
        assert "Pague a la CLABE 012345678901234567. Gracias." in text

    def test_english_labels_keep_sat_descriptions(self) -> None:
        cfdi = pdf_samples.ingreso()
        text = pdf_text(render(cfdi, lang="en"))
        en = labels_for("en")
        assert en["title.I"].upper() in text
        assert en["in_words"].upper() in text
        assert "Page 1 of 1" in text
        assert describe("c_UsoCFDI", "G03") in text
        assert amount_to_words(cfdi["Total"], "MXN") in text


class TestRobustness:
    def test_unstamped_document_says_so_and_has_no_qr(self) -> None:
        text = pdf_text(render(pdf_samples.ingreso(stamped=False), watermark="PREFACTURA"))
        assert labels_for("es")["not_stamped"] in text
        assert "Sello digital del SAT" not in text

    def test_characters_outside_the_font_do_not_break_rendering(self) -> None:
        cfdi = pdf_samples.ingreso([pdf_samples.concepto("Té verde 抹茶 – “premium” ½ kg\tÑandú")])
        text = pdf_text(render(cfdi))
        assert "Té verde ?? – “premium” ½ kg Ñandú" in text

    def test_concurrent_renders_agree(self) -> None:
        cfdis = [pdf_samples.ingreso(), pdf_samples.pago(), pdf_samples.ingreso(tipo="E")]
        expected = [pdf_text(render(c)) for c in cfdis]
        with ThreadPoolExecutor(max_workers=6) as pool:
            results = list(pool.map(lambda c: pdf_text(render(c)), cfdis * 4))
        assert results == expected * 4

    def test_hundreds_of_related_uuids_flow_over_pages(self) -> None:
        uuids = [f"{i:08X}-1C2D-4E5F-8A9B-0C1D2E3F4A5B" for i in range(400)]
        cfdi = pdf_samples.ingreso(
            cfdi_relacionados=[cfdi40.CfdiRelacionados(tipo_relacion="04", cfdi_relacionado=uuids)]
        )
        pages = pdf_pages(render(cfdi))
        assert len(pages) >= 2
        text = " ".join(pages)
        assert all(uuid in text for uuid in uuids)

    def test_dates_given_as_text(self) -> None:
        cfdi = dict(pdf_samples.ingreso())
        cfdi["Fecha"] = "2026-11-20T10:00:00"
        tfd = dict(cfdi["Complemento"]["TimbreFiscalDigital"])
        tfd["FechaTimbrado"] = datetime(2026, 11, 20, 10, 5, 3).isoformat()
        cfdi["Complemento"] = {"TimbreFiscalDigital": tfd}
        text = pdf_text(render(cfdi))
        assert "2026-11-20 10:00:00" in text
        assert f"||1.1|{pdf_samples.UUID}|2026-11-20T10:05:03|" in text


@pytest.mark.skipif(shutil.which("zbarimg") is None or shutil.which("pdftoppm") is None, reason="needs zbar-tools")
def test_qr_code_decodes_to_the_sat_verification_url(tmp_path: Any) -> None:
    cfdi = pdf_samples.parsed(pdf_samples.ingreso())
    (tmp_path / "doc.pdf").write_bytes(render(cfdi))
    subprocess.run(["pdftoppm", "-png", "-r", "150", str(tmp_path / "doc.pdf"), str(tmp_path / "page")], check=True)
    decoded = subprocess.run(
        ["zbarimg", "-q", "--raw", str(tmp_path / "page-1.png")], capture_output=True, check=True
    ).stdout.decode()
    assert decoded.strip() == (
        "https://verificacfdi.facturaelectronica.sat.gob.mx/default.aspx"
        f"?id={pdf_samples.UUID}&re={pdf_samples.EMISOR_RFC}&rr={pdf_samples.RECEPTOR_RFC}"
        f"&tt={cfdi['Total'].normalize():f}{'.0' if cfdi['Total'] == cfdi['Total'].to_integral() else ''}"
        f"&fe={pdf_samples.SELLO[-8:]}"
    )
