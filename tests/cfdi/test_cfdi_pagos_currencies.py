"""Payment complements that pay several invoices, hold several payments, or cross currencies
(EquivalenciaDR, TipoCambioP, ImpuestosP in the payment's currency, Totales in MXN)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from tests.cfdi.cfdi_samples import FECHA, IVA16, consulting_items, invoice_input, large_project_items
from tests.cfdi.test_cfdi_pagos import Invoice, attrs, doctos, issue, nodes, pago_nodes, payment, stamp_invoice, totales
from timbre.cfdi import taxes
from timbre.cfdi.certs import Credential


@pytest.fixture(scope="module")
def ppd_invoice(credential: Credential) -> Invoice:
    """116,000.00 MXN: 100,000.00 + IVA 16%."""
    return stamp_invoice(
        invoice_input(large_project_items(), fecha=FECHA, forma_pago="99", metodo_pago="PPD"), credential
    )


@pytest.fixture(scope="module")
def consulting_invoice(credential: Credential) -> Invoice:
    """17,400.00 MXN: 15,000.00 + IVA 16%."""
    return stamp_invoice(
        invoice_input(consulting_items(), fecha=FECHA, forma_pago="99", metodo_pago="PPD", folio="124"), credential
    )


@pytest.fixture(scope="module")
def usd_invoice(credential: Credential) -> Invoice:
    """1,160.00 USD: 1,000.00 + IVA 16%, issued at 17.50 MXN per USD."""
    item = taxes.Item(D(1), D(1000), taxes=[IVA16])
    data = invoice_input(
        [("80141503", "E48", "Project billed in dollars", item)], fecha=FECHA, forma_pago="99", metodo_pago="PPD",
        moneda="USD", tipo_cambio=D("17.50"), folio="125",
    )  # fmt: skip
    return stamp_invoice(data, credential)


class TestSeveralInvoices:
    def test_one_payment_settles_two_invoices(
        self, ppd_invoice: Invoice, consulting_invoice: Invoice, credential: Credential
    ) -> None:
        paid = payment(ppd_invoice.paid(2, D("66000.00"), D("40000.00")), consulting_invoice.paid(1, D("17400.00"),
                                                                                                 D("17400.00")))
        root = issue([paid], credential)

        (pago,) = pago_nodes(root)
        assert pago.get("Monto") == "57400.00"  # the sum of the amounts paid
        first, second = doctos(pago)
        assert attrs(first, "NumParcialidad", "ImpSaldoInsoluto", "EquivalenciaDR") == ("2", "26000.00", "1")
        assert attrs(second, "NumParcialidad", "ImpSaldoInsoluto", "EquivalenciaDR") == ("1", "0.00", "1")
        # 34,482.76 + 15,000.00 and 5,517.24 + 2,400.00: one TrasladoP per rate, summed over invoices.
        assert nodes(pago, "ImpuestosP/TrasladosP/TrasladoP") == [
            {"BaseP": "49482.76", "ImpuestoP": "002", "TipoFactorP": "Tasa", "TasaOCuotaP": "0.160000",
             "ImporteP": "7917.24"}
        ]  # fmt: skip
        assert totales(root) == {
            "TotalTrasladosBaseIVA16": "49482.76", "TotalTrasladosImpuestoIVA16": "7917.24",
            "MontoTotalPagos": "57400.00",
        }  # fmt: skip

    def test_two_payments_in_one_complement_add_up_in_mxn(
        self, ppd_invoice: Invoice, consulting_invoice: Invoice, credential: Credential
    ) -> None:
        in_pesos = payment(consulting_invoice.paid(1, D("17400.00"), D("17400.00")))
        in_dollars = payment(ppd_invoice.paid(1, D("116000.00"), D("35000.00"), equivalencia=D("17.50")),
                             moneda_p="USD", tipo_cambio_p=D("17.50"), forma_de_pago_p="02")  # fmt: skip
        root = issue([in_pesos, in_dollars], credential)

        assert [p.get("Monto") for p in pago_nodes(root)] == ["17400.00", "2000.00"]
        # Totales: 17,400 x 1 + 2,000 x 17.50; 15,000 + 1,724.14 x 17.50; 2,400 + 275.86 x 17.50.
        assert totales(root) == {
            "TotalTrasladosBaseIVA16": "45172.45", "TotalTrasladosImpuestoIVA16": "7227.55",
            "MontoTotalPagos": "52400.00",
        }  # fmt: skip


class TestForeignCurrency:
    def test_a_usd_payment_of_an_mxn_invoice(self, ppd_invoice: Invoice, credential: Credential) -> None:
        """2,000.00 USD at 17.50 pay 35,000.00 MXN of the invoice (EquivalenciaDR 17.50 MXN per USD)."""
        paid = payment(ppd_invoice.paid(1, D("116000.00"), D("35000.00"), equivalencia=D("17.50")),
                       moneda_p="USD", tipo_cambio_p=D("17.50"))  # fmt: skip
        root = issue([paid], credential)

        (pago,) = pago_nodes(root)
        assert attrs(pago, "MonedaP", "TipoCambioP", "Monto") == ("USD", "17.50", "2000.00")
        (docto,) = doctos(pago)
        assert attrs(docto, "MonedaDR", "EquivalenciaDR", "ImpPagado", "ImpSaldoInsoluto") == (
            "MXN", "17.50", "35000.00", "81000.00",
        )  # fmt: skip
        # In MXN, the invoice's currency: 100,000 x 35,000 / 116,000 and 16,000 x 35,000 / 116,000.
        traslado_dr = nodes(docto, "ImpuestosDR/TrasladosDR/TrasladoDR")[0]
        assert (traslado_dr["BaseDR"], traslado_dr["ImporteDR"]) == ("30172.41", "4827.59")
        # In USD, the payment's currency: 30,172.41 / 17.50 and 4,827.59 / 17.50.
        traslado_p = nodes(pago, "ImpuestosP/TrasladosP/TrasladoP")[0]
        assert (traslado_p["BaseP"], traslado_p["ImporteP"]) == ("1724.14", "275.86")
        # Back in MXN: each USD amount times TipoCambioP.
        assert totales(root) == {
            "TotalTrasladosBaseIVA16": "30172.45", "TotalTrasladosImpuestoIVA16": "4827.55",
            "MontoTotalPagos": "35000.00",
        }  # fmt: skip

    def test_an_mxn_payment_of_a_usd_invoice(self, usd_invoice: Invoice, credential: Credential) -> None:
        """The whole 1,160.00 USD paid in pesos, at 0.057143 USD per MXN."""
        assert (usd_invoice.moneda, usd_invoice.total) == ("USD", D("1160.00"))
        paid = payment(usd_invoice.paid(1, D("1160.00"), D("1160.00"), equivalencia=D("0.057143")))
        root = issue([paid], credential)

        (pago,) = pago_nodes(root)
        assert attrs(pago, "MonedaP", "TipoCambioP", "Monto") == ("MXN", "1", "20299.95")  # 1,160 / 0.057143
        (docto,) = doctos(pago)
        assert attrs(docto, "MonedaDR", "EquivalenciaDR", "ImpSaldoInsoluto") == ("USD", "0.057143", "0.00")
        traslado_dr = nodes(docto, "ImpuestosDR/TrasladosDR/TrasladoDR")[0]
        assert (traslado_dr["BaseDR"], traslado_dr["ImporteDR"]) == ("1000.00", "160.00")  # USD
        traslado_p = nodes(pago, "ImpuestosP/TrasladosP/TrasladoP")[0]
        assert (traslado_p["BaseP"], traslado_p["ImporteP"]) == ("17499.96", "2799.99")  # MXN
        assert totales(root) == {
            "TotalTrasladosBaseIVA16": "17499.96", "TotalTrasladosImpuestoIVA16": "2799.99",
            "MontoTotalPagos": "20299.95",
        }  # fmt: skip

    def test_a_given_monto_within_sats_margin_is_kept(self, usd_invoice: Invoice, credential: Credential) -> None:
        """The bank credited 20,300.00 MXN: inside the variation margin of 1,160.00 USD / 0.057143."""
        paid = payment(usd_invoice.paid(1, D("1160.00"), D("1160.00"), equivalencia=D("0.057143")), monto=D("20300"))
        root = issue([paid], credential)
        assert pago_nodes(root)[0].get("Monto") == "20300.00"
        assert totales(root)["MontoTotalPagos"] == "20300.00"

    def test_mixed_currencies_in_one_payment(
        self, usd_invoice: Invoice, consulting_invoice: Invoice, credential: Credential
    ) -> None:
        """A peso payment of a peso invoice and a dollar invoice: the peso one's EquivalenciaDR is
        exactly 1 (CRP20238); SAT's variation margin reads it as 1.0000000000 (CRP20277)."""
        paid = payment(
            consulting_invoice.paid(1, D("17400.00"), D("17400.00")),
            usd_invoice.paid(1, D("1160.00"), D("580.00"), equivalencia=D("0.057143")),
        )
        root = issue([paid], credential)

        (pago,) = pago_nodes(root)
        assert pago.get("Monto") == "27549.97"  # 17,400 + 580 / 0.057143 (10,149.974...)
        assert [d.get("EquivalenciaDR") for d in doctos(pago)] == ["1", "0.057143"]
        # 15,000 + 500 / 0.057143 and 2,400 + 80 / 0.057143, each summed exactly then rounded.
        traslado_p = nodes(pago, "ImpuestosP/TrasladosP/TrasladoP")[0]
        assert (traslado_p["BaseP"], traslado_p["ImporteP"]) == ("23749.98", "3800.00")
