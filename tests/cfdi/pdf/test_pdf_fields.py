"""What the PDF prints beyond the basics: every attribute of a Pagos 2.0 Pago and DoctoRelacionado
(EquivalenciaDR, ObjetoImpDR, ImpuestosDR/ImpuestosP, bank accounts, the SPEI chain), a concept's
ACuentaTerceros, and quantities with SAT's six decimals on one line of their column."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from satcfdi.create.cfd import cfdi40, pago20

from tests.cfdi.pdf import pdf_samples
from tests.cfdi.pdf.test_pdf_render import describe, pdf_pages, pdf_text, render

D = Decimal
CERT_PAGO = "MIIC" + "QUJD" * 40
CAD_PAGO = "||1|20261119|120000|40012|SPEI-778812|1160.00|" + "9" * 40 + "||"
SELLO_PAGO = "c2VsbG8" * 30 + "=="


def full_pago() -> pago20.Pago:
    return pago20.Pago(
        fecha_pago=datetime(2026, 11, 19, 12, 0, 0), forma_de_pago_p="03", moneda_p="USD", tipo_cambio_p=D("17.2345"),
        num_operacion="SPEI-778812", rfc_emisor_cta_ord="BSM970519DU8", cta_ordenante="012180001234567897",
        rfc_emisor_cta_ben="BBA830831LJ2", cta_beneficiario="002180000123456789", tipo_cad_pago="01",
        cert_pago=CERT_PAGO, cad_pago=CAD_PAGO, sello_pago=SELLO_PAGO,
        docto_relacionado=[pago20.DoctoRelacionado(
            id_documento="6E3F5A2B-1C2D-4E5F-8A9B-0C1D2E3F4A5B", moneda_dr="MXN", num_parcialidad=2,
            imp_saldo_ant=D("1160.00"), imp_pagado=D("1160.00"), objeto_imp_dr="02", serie="F", folio="1001",
            equivalencia_dr=D("17.2345"),
            impuestos_dr=pago20.ImpuestosDR(traslados_dr=[pago20.TrasladoDR(
                base_dr=D("1000.00"), impuesto_dr="002", tipo_factor_dr="Tasa", tasa_o_cuota_dr=D("0.160000"),
                importe_dr=D("160.00"))]))])


def pago_document() -> cfdi40.Comprobante:
    pagos = pago20.Pagos(pago=[full_pago()])
    comprobante = cfdi40.Comprobante.pago(emisor=pdf_samples.emisor(), lugar_expedicion="42501",
                                          receptor=pdf_samples.receptor(), complemento_pago=pagos, serie="P",
                                          folio="78", fecha=datetime(2026, 11, 20, 10, 0, 0))
    comprobante["Sello"] = pdf_samples.SELLO
    comprobante["Complemento"] = {"Pagos": pagos, "TimbreFiscalDigital": pdf_samples.tfd()}
    return comprobante


class TestPaymentComplement:
    def test_every_attribute_of_the_pago_is_printed(self) -> None:
        cfdi = pdf_samples.parsed(pago_document())
        pago = cfdi["Complemento"]["Pagos"]["Pago"][0]
        text = pdf_text(render(cfdi))
        joined = "".join(text.split())  # seals and chains wrap anywhere
        for value in ("SPEI-778812", "BSM970519DU8", "012180001234567897", "BBA830831LJ2", "002180000123456789",
                      describe("c_TipoCadenaPago", "01"), "17.2345", "USD", "2026-11-19"):
            assert value in text, value
        for value in (CERT_PAGO, CAD_PAGO, SELLO_PAGO):
            assert "".join(value.split()) in joined
        # ImpuestosP as satcfdi computed it from the document's ImpuestosDR.
        (traslado_p,) = pago["ImpuestosP"]["TrasladosP"].values()
        assert (f"Impuestos del pago: Traslado IVA 16%: {traslado_p['ImporteP']:,f} (base {traslado_p['BaseP']:,f})"
                in text)

    def test_every_attribute_of_the_paid_document_is_printed(self) -> None:
        text = pdf_text(render(pdf_samples.parsed(pago_document())))
        for value in ("Equivalencia", "17.2345", "Objeto imp.: 02", "Traslado IVA 16%: 160.00", "base 1,000.00",
                      "F-1001", "1,160.00", "6E3F5A2B-1C2D-4E5F-8A9B-0C1D2E3F4A5B"):
            assert value in text, value

    def test_same_currency_equivalence_prints_as_one(self) -> None:
        text = pdf_text(render(pdf_samples.parsed(pdf_samples.pago())), layout=True)
        assert "Equivalencia" in text and " 1 " in text


class TestConcepts:
    def test_a_cuenta_terceros_is_printed(self) -> None:
        concepto = pdf_samples.concepto()
        concepto["ACuentaTerceros"] = cfdi40.ACuentaTerceros(
            rfc_a_cuenta_terceros="XIA190128J61", nombre_a_cuenta_terceros="XENON INDUSTRIAL ARTICLES",
            regimen_fiscal_a_cuenta_terceros="601", domicilio_fiscal_a_cuenta_terceros="76343")
        text = pdf_text(render(pdf_samples.parsed(pdf_samples.ingreso([concepto]))))
        for value in ("A cuenta de terceros", "XIA190128J61", "XENON INDUSTRIAL ARTICLES",
                      describe("c_RegimenFiscal", "601"), "76343"):
            assert value in text, value

    def test_quantities_with_six_decimals_stay_on_one_line(self) -> None:
        lines = [pdf_samples.concepto(cantidad="1234.123456", valor_unitario="1.00"),
                 pdf_samples.concepto("Otro", cantidad="0.000001", valor_unitario="1000.00")]
        pages = pdf_pages(render(pdf_samples.parsed(pdf_samples.ingreso(lines))), layout=True)
        words = " ".join(pages).split()
        assert "1,234.123456" in words and "0.000001" in words
