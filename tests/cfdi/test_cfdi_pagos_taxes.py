"""Taxes in payment complements: withholdings, exempt and 0% IVA, invoices not subject to tax, and
the proration rules (rounding, SAT's accepted range, tiny payments, Cuota bases)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal as D
from typing import Any

import pytest

from tests.cfdi.cfdi_samples import (
    FECHA,
    FISICA,
    IVA16,
    TO_MORAL,
    consulting_items,
    invoice_input,
    professional_services_items,
)
from tests.cfdi.test_cfdi_pagos import UUID_A, attrs, doctos, issue, nodes, pago_nodes, payment, stamp_invoice, totales
from timbre.cfdi import build, taxes
from timbre.cfdi.certs import Credential
from timbre.cfdi.pagos import DocumentTax, PagosInputError, PaidDocument, prorate, taxes_of_amounts

PPD: dict[str, Any] = {"forma_pago": "99", "metodo_pago": "PPD"}


def iva16(base: str, importe: str) -> DocumentTax:
    return DocumentTax(impuesto="002", tipo_factor="Tasa", tasa_o_cuota=D("0.160000"), base=D(base), importe=D(importe))


class TestWithholdings:
    """A persona física's professional services: 10,000.00 + IVA 16% - ISR 10% - IVA 2/3 = 9,533.33."""

    # (BaseDR, IVA 16%, ISR 10% withheld, IVA 10.6667% withheld) per installment: each x paid / 9,533.33.
    INSTALLMENTS = (
        (D("9533.33"), D("5000.00"), ("5244.76", "839.16", "524.48", "559.44")),
        (D("4533.33"), D("4533.33"), ("4755.24", "760.84", "475.52", "507.23")),
    )

    def test_two_installments_prorate_every_tax(self, make_credential: Callable[[str, str], Credential]) -> None:
        issuer = make_credential("XIQB891116QE4", "BERENICE XIMO QUEZADA")
        invoice = stamp_invoice(
            invoice_input(professional_services_items(), fecha=FECHA, emisor=FISICA, receptor=TO_MORAL, **PPD), issuer
        )
        assert invoice.total == D("9533.33")
        sums = [D(0)] * 4
        for num, (saldo, pagado, (base, iva, isr, iva_ret)) in enumerate(self.INSTALLMENTS, start=1):
            root = issue([payment(invoice.paid(num, saldo, pagado))], issuer, emisor=FISICA, receptor=TO_MORAL)

            (pago,) = pago_nodes(root)
            (docto,) = doctos(pago)
            assert nodes(docto, "ImpuestosDR/TrasladosDR/TrasladoDR") == [
                {"BaseDR": base, "ImpuestoDR": "002", "TipoFactorDR": "Tasa", "TasaOCuotaDR": "0.160000",
                 "ImporteDR": iva},
            ]  # fmt: skip
            assert nodes(docto, "ImpuestosDR/RetencionesDR/RetencionDR") == [
                {"BaseDR": base, "ImpuestoDR": "001", "TipoFactorDR": "Tasa", "TasaOCuotaDR": "0.100000",
                 "ImporteDR": isr},
                {"BaseDR": base, "ImpuestoDR": "002", "TipoFactorDR": "Tasa", "TasaOCuotaDR": "0.106667",
                 "ImporteDR": iva_ret},
            ]  # fmt: skip
            assert nodes(pago, "ImpuestosP/RetencionesP/RetencionP") == [
                {"ImpuestoP": "001", "ImporteP": isr}, {"ImpuestoP": "002", "ImporteP": iva_ret},
            ]  # fmt: skip
            assert totales(root) == {
                "TotalRetencionesIVA": iva_ret, "TotalRetencionesISR": isr, "TotalTrasladosBaseIVA16": base,
                "TotalTrasladosImpuestoIVA16": iva, "MontoTotalPagos": str(pagado),
            }  # fmt: skip
            sums = [a + D(b) for a, b in zip(sums, (base, iva, isr, iva_ret), strict=True)]
        assert sums == [D("10000.00"), D("1600.00"), D("1000.00"), D("1066.67")]  # the invoice's own taxes


class TestIvaRates:
    def test_an_exempt_invoice(self, credential: Credential) -> None:
        item = taxes.Item(D(1), D(5000), taxes=[taxes.Tax("IVA", factor="Exento")])
        invoice = stamp_invoice(invoice_input([("80141503", "E48", "Curso", item)], fecha=FECHA, **PPD), credential)
        root = issue([payment(invoice.paid(1, D("5000.00"), D("2000.00")))], credential)

        (pago,) = pago_nodes(root)
        (docto,) = doctos(pago)
        assert attrs(docto, "ObjetoImpDR", "ImpSaldoInsoluto") == ("02", "3000.00")
        assert nodes(docto, "ImpuestosDR/TrasladosDR/TrasladoDR") == [
            {"BaseDR": "2000.00", "ImpuestoDR": "002", "TipoFactorDR": "Exento"}
        ]
        assert nodes(pago, "ImpuestosP/TrasladosP/TrasladoP") == [
            {"BaseP": "2000.00", "ImpuestoP": "002", "TipoFactorP": "Exento"}
        ]
        assert totales(root) == {"TotalTrasladosBaseIVAExento": "2000.00", "MontoTotalPagos": "2000.00"}

    def test_iva_16_and_0_on_one_invoice(self, credential: Credential) -> None:
        items = [
            ("80141503", "E48", "Consultoría", taxes.Item(D(1), D(1000), taxes=[IVA16])),
            ("50131700", "H87", "Leche", taxes.Item(D(1), D(500), taxes=[taxes.Tax("IVA", D(0))])),
        ]
        invoice = stamp_invoice(invoice_input(items, fecha=FECHA, **PPD), credential)
        assert invoice.total == D("1660.00")
        root = issue([payment(invoice.paid(1, D("1660.00"), D("830.00")))], credential)

        (pago,) = pago_nodes(root)
        traslados = nodes(pago, "ImpuestosP/TrasladosP/TrasladoP")
        assert [(t["BaseP"], t["TasaOCuotaP"], t["ImporteP"]) for t in traslados] == [
            ("500.00", "0.160000", "80.00"), ("250.00", "0.000000", "0.00"),
        ]  # fmt: skip
        assert totales(root) == {
            "TotalTrasladosBaseIVA16": "500.00", "TotalTrasladosImpuestoIVA16": "80.00",
            "TotalTrasladosBaseIVA0": "250.00", "TotalTrasladosImpuestoIVA0": "0.00", "MontoTotalPagos": "830.00",
        }  # fmt: skip

    def test_an_invoice_not_subject_to_tax(self, credential: Credential) -> None:
        item = taxes.Item(D(1), D(3000))  # no taxes: ObjetoImp 01
        invoice = stamp_invoice(invoice_input([("80141503", "E48", "Asesoría", item)], fecha=FECHA, **PPD), credential)
        assert invoice.taxes == ()
        root = issue([payment(invoice.paid(1, D("3000.00"), D("1000.00")))], credential)

        (pago,) = pago_nodes(root)
        (docto,) = doctos(pago)
        assert attrs(docto, "ObjetoImpDR", "ImpSaldoInsoluto") == ("01", "2000.00")
        assert docto.find("{*}ImpuestosDR") is None
        assert pago.find("{*}ImpuestosP") is None
        assert totales(root) == {"MontoTotalPagos": "1000.00"}


class TestProrate:
    def test_importe_is_moved_into_sats_range_around_base_x_rate(self, credential: Credential) -> None:
        """An invoice of many tiny concepts whose IVA rounded up (5.00 of base, 1.00 of IVA): SAT
        accepts 0.79-0.81 for ImporteDR on BaseDR 5.00, so the payment carries 0.81."""
        assert prorate(iva16("5.00", "1.00"), D(1), 2).importe == D("0.81")
        document = PaidDocument(uuid=UUID_A, moneda="MXN", num_parcialidad=1, imp_saldo_ant=D("6.00"),
                                imp_pagado=D("6.00"), total=D("6.00"), taxes=[iva16("5.00", "1.00")])  # fmt: skip
        root = issue([payment(document)], credential)
        assert nodes(doctos(pago_nodes(root)[0])[0], "ImpuestosDR/TrasladosDR/TrasladoDR")[0]["ImporteDR"] == "0.81"

    def test_a_tiny_payment_keeps_a_positive_base_with_six_decimals(self) -> None:
        share = prorate(iva16("100.00", "16.00"), D("0.01") / D("116000"), 2)
        assert (share.base, share.importe) == (D("0.000009"), D("0.00"))

    def test_a_payment_too_small_for_any_base_is_refused(self) -> None:
        with pytest.raises(PagosInputError, match="too small"):
            prorate(iva16("100.00", "16.00"), D("1E-9"), 2)

    def test_a_cuota_base_is_a_quantity_with_six_decimals(self) -> None:
        ieps = DocumentTax(impuesto="003", tipo_factor="Cuota", tasa_o_cuota=D("0.5"), base=D(10), importe=D("5.00"))
        share = prorate(ieps, D(1) / D(3), 2)
        assert (share.base, share.tasa_o_cuota, share.importe) == (D("3.333333"), D("0.500000"), D("1.67"))

    @pytest.mark.parametrize(
        ("tax", "message"),
        [
            pytest.param(DocumentTax(impuesto="IVA", tipo_factor="Tasa", tasa_o_cuota=D("0.16"), base=D(1),
                                     importe=D("0.16")), "is not 001", id="name-not-code"),
            pytest.param(iva16("0", "0"), "base greater than 0", id="zero-base"),
            pytest.param(DocumentTax(impuesto="002", tipo_factor="Tasa", tasa_o_cuota=None, base=D(1), importe=None),
                         "rate and amount", id="tasa-without-rate"),
            pytest.param(DocumentTax(impuesto="002", tipo_factor="Exento", tasa_o_cuota=None, base=D(1),
                                     importe=None, retencion=True), "cannot be Exento", id="exempt-withholding"),
        ],
    )
    def test_malformed_taxes_are_refused(self, tax: DocumentTax, message: str) -> None:
        with pytest.raises(PagosInputError, match=message):
            prorate(tax, D("0.5"), 2)


class TestInvoiceTaxes:
    def test_read_from_the_stamped_xml_as_from_the_tax_engine(self, credential: Credential) -> None:
        data = invoice_input(consulting_items(), fecha=FECHA, **PPD)
        invoice = stamp_invoice(data, credential)
        from_engine = taxes_of_amounts(build.document_amounts(data).conceptos)
        assert invoice.taxes == from_engine == (iva16("15000.00", "2400.00"),)

    def test_withholdings_are_grouped_by_tax_and_rate(self) -> None:
        data = invoice_input(professional_services_items(), fecha=FECHA, emisor=FISICA, receptor=TO_MORAL, **PPD)
        found = taxes_of_amounts(build.document_amounts(data).conceptos)
        assert [(t.impuesto, t.tasa_o_cuota, t.base, t.importe, t.retencion) for t in found] == [
            ("002", D("0.16"), D("10000.00"), D("1600.00"), False),
            ("001", D("0.10"), D("10000.00"), D("1000.00"), True),
            ("002", D("0.106667"), D("10000.00"), D("1066.67"), True),
        ]
