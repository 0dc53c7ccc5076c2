"""Payment complements (Pagos 2.0): a PPD invoice paid in installments, the CFDI's fixed shape and
the input the builder refuses. Every complement is built, checked against SAT's rules, sealed,
validated against SAT's XSD and stamped by the sandbox PAC (which runs the rules again)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import Decimal as D
from typing import Any

import pytest
from lxml import etree
from satcfdi.cfdi import CFDI

from tests.cfdi.cfdi_samples import FECHA, INSTANT, MORAL, TO_FISICA, invoice_input, large_project_items
from timbre.cfdi import build, xmlsafe, xsd
from timbre.cfdi.build import Emisor, Receptor
from timbre.cfdi.certs import Credential
from timbre.cfdi.pac.sandbox import SandboxPAC, verify_tfd
from timbre.cfdi.pagos import (
    DocumentTax,
    Overpayment,
    PagosInputError,
    PaidDocument,
    Payment,
    build_pagos,
    comprobante_pago,
    taxes_of_cfdi,
)
from timbre.cfdi.rules import RelatedCfdi, RuleContext, validate
from timbre.cfdi.seal import seal, verify_seal

PAGOS = "{http://www.sat.gob.mx/Pagos20}"
CFDI4 = "{http://www.sat.gob.mx/cfd/4}"
CTX = RuleContext(now=INSTANT)
FECHA_PAGO = datetime(2026, 6, 14, 12, 0)
UUID_A = "12345678-1234-1234-1234-123456789012"
IVA16_ON_100 = DocumentTax(impuesto="002", tipo_factor="Tasa", tasa_o_cuota=D("0.16"), base=D("100.00"),
                           importe=D("16.00"))  # fmt: skip


@dataclass(frozen=True)
class Invoice:
    """A stamped invoice as the payment complements see it."""

    uuid: str
    moneda: str
    total: D
    taxes: Any

    def paid(self, num: int, saldo: D, pagado: D, **fields: Any) -> PaidDocument:
        return PaidDocument(
            uuid=self.uuid, moneda=self.moneda, num_parcialidad=num, imp_saldo_ant=saldo, imp_pagado=pagado,
            total=self.total, taxes=self.taxes, **fields,
        )  # fmt: skip


def stamp(xml: bytes, ctx: RuleContext = CTX) -> bytes:
    """The sandbox PAC's stamp, after SAT's schema, seal and business rules (CFDI40 + CRP20)."""
    return SandboxPAC(clock=lambda: INSTANT, rules=lambda cfdi: validate(cfdi, ctx)).stamp(xml).xml


def stamp_invoice(data: build.ComprobanteInput, credential: Credential) -> Invoice:
    """Stamp a PPD invoice and read back what a complement needs (the taxes from the stamped XML)."""
    stamped = stamp(seal(build.build(data), credential))
    root = xmlsafe.parse(stamped)
    uuid = root.find(f"{CFDI4}Complemento/{{*}}TimbreFiscalDigital").get("UUID")
    return Invoice(uuid, root.get("Moneda"), D(root.get("Total")), taxes_of_cfdi(CFDI.from_xml(root)))


def issue(
    payments: list[Payment],
    credential: Credential,
    *,
    emisor: Emisor = MORAL,
    receptor: Receptor = TO_FISICA,
    ctx: RuleContext = CTX,
) -> etree._Element:
    """Build, rule-check, seal, XSD-validate and stamp a payment complement; the stamped root."""
    comprobante = build.build(comprobante_pago(emisor, receptor, "42501", FECHA, "P", "1", payments))
    assert [(v.code, v.message_en) for v in validate(comprobante, ctx)] == []
    xml = seal(comprobante, credential)
    assert xsd.validate(xml) == []
    stamped = stamp(xml, ctx)
    assert verify_seal(stamped)
    assert verify_tfd(stamped)
    root = xmlsafe.parse(stamped)
    assert [(v.code, v.message_en) for v in validate(CFDI.from_xml(root), ctx)] == []
    return root


def pago_nodes(root: etree._Element) -> list[etree._Element]:
    return list(root.findall(f"{CFDI4}Complemento/{PAGOS}Pagos/{PAGOS}Pago"))


def totales(root: etree._Element) -> dict[str, str]:
    return dict(root.find(f"{CFDI4}Complemento/{PAGOS}Pagos/{PAGOS}Totales").attrib)


def doctos(pago: etree._Element) -> list[etree._Element]:
    return list(pago.findall(f"{PAGOS}DoctoRelacionado"))


def attrs(element: etree._Element, *names: str) -> tuple[str | None, ...]:
    return tuple(element.get(name) for name in names)


def nodes(element: etree._Element, path: str) -> list[dict[str, str]]:
    """Attributes of the Pagos20 elements at `path` (e.g. "ImpuestosDR/TrasladosDR/TrasladoDR")."""
    xpath = "/".join(PAGOS + step for step in path.split("/"))
    return [dict(node.attrib) for node in element.findall(xpath)]


def payment(*documents: PaidDocument, **fields: Any) -> Payment:
    values: dict[str, Any] = {"fecha_pago": FECHA_PAGO, "forma_de_pago_p": "03", "moneda_p": "MXN"}
    values.update(fields)
    return Payment(documents=list(documents), **values)


@pytest.fixture(scope="module")
def ppd_invoice(credential: Credential) -> Invoice:
    """The issue's scenario: a PPD invoice of 116,000.00 MXN (100,000.00 + IVA 16%)."""
    data = invoice_input(large_project_items(), fecha=FECHA, forma_pago="99", metodo_pago="PPD")
    return stamp_invoice(data, credential)


class TestInstallments:
    """116,000.00 paid as 50,000 + 40,000 + 26,000: three complements, then a refused fourth."""

    PAYMENTS = (D("50000.00"), D("40000.00"), D("26000.00"))
    # IVA 16% prorated per installment: 100,000 x paid / 116,000 and 16,000 x paid / 116,000, rounded.
    EXPECTED_IVA = (("43103.45", "6896.55"), ("34482.76", "5517.24"), ("22413.79", "3586.21"))

    def test_three_installments_chain_the_balance_to_zero(self, ppd_invoice: Invoice, credential: Credential) -> None:
        saldo = ppd_invoice.total
        seen: list[tuple[str | None, ...]] = []
        bases, ivas = D(0), D(0)
        for num, (pagado, (base, iva)) in enumerate(zip(self.PAYMENTS, self.EXPECTED_IVA, strict=True), start=1):
            related = RelatedCfdi(exists=True, tipo="I", moneda="MXN", total=ppd_invoice.total, metodo_pago="PPD",
                                  saldo=saldo, ultima_parcialidad=num - 1)  # fmt: skip
            ctx = replace(CTX, related={ppd_invoice.uuid: related}.get)
            root = issue([payment(ppd_invoice.paid(num, saldo, pagado))], credential, ctx=ctx)

            (pago,) = pago_nodes(root)
            (docto,) = doctos(pago)
            seen.append(attrs(docto, "IdDocumento", "NumParcialidad", "ImpSaldoAnt", "ImpPagado", "ImpSaldoInsoluto"))
            assert attrs(pago, "MonedaP", "TipoCambioP", "Monto") == ("MXN", "1", str(pagado))
            assert nodes(docto, "ImpuestosDR/TrasladosDR/TrasladoDR") == [
                {"BaseDR": base, "ImpuestoDR": "002", "TipoFactorDR": "Tasa", "TasaOCuotaDR": "0.160000",
                 "ImporteDR": iva}
            ]  # fmt: skip
            assert nodes(pago, "ImpuestosP/TrasladosP/TrasladoP") == [
                {"BaseP": base, "ImpuestoP": "002", "TipoFactorP": "Tasa", "TasaOCuotaP": "0.160000", "ImporteP": iva}
            ]
            assert totales(root) == {
                "TotalTrasladosBaseIVA16": base, "TotalTrasladosImpuestoIVA16": iva, "MontoTotalPagos": str(pagado),
            }  # fmt: skip
            saldo -= pagado
            bases, ivas = bases + D(base), ivas + D(iva)

        uuid = ppd_invoice.uuid
        assert seen == [
            (uuid, "1", "116000.00", "50000.00", "66000.00"),
            (uuid, "2", "66000.00", "40000.00", "26000.00"),
            (uuid, "3", "26000.00", "26000.00", "0.00"),
        ]
        assert (bases, ivas) == (D("100000.00"), D("16000.00"))  # the installments add up to the invoice

    def test_a_fourth_payment_is_refused(self, ppd_invoice: Invoice) -> None:
        with pytest.raises(Overpayment, match="already paid in full"):
            build_pagos([payment(ppd_invoice.paid(4, D("0.00"), D("1000.00")))])

    def test_paying_more_than_the_balance_is_refused(self, ppd_invoice: Invoice) -> None:
        with pytest.raises(Overpayment, match=r"30000\.00 MXN exceeds its outstanding balance 26000\.00 MXN"):
            build_pagos([payment(ppd_invoice.paid(3, D("26000.00"), D("30000.00")))])

    def test_the_whole_invoice_in_one_payment_carries_its_exact_taxes(
        self, ppd_invoice: Invoice, credential: Credential
    ) -> None:
        root = issue([payment(ppd_invoice.paid(1, D("116000.00"), D("116000.00")))], credential)
        (docto,) = doctos(pago_nodes(root)[0])
        assert attrs(docto, "ImpSaldoInsoluto") == ("0.00",)
        assert nodes(docto, "ImpuestosDR/TrasladosDR/TrasladoDR")[0]["BaseDR"] == "100000.00"
        assert nodes(docto, "ImpuestosDR/TrasladosDR/TrasladoDR")[0]["ImporteDR"] == "16000.00"

    def test_the_new_balance_is_exposed_for_the_invoice_record(self, ppd_invoice: Invoice) -> None:
        assert ppd_invoice.paid(2, D("66000.00"), D("40000.00")).imp_saldo_insoluto == D("26000.00")


class TestComprobante:
    def test_the_fixed_shape_of_a_payment_cfdi(self, ppd_invoice: Invoice, credential: Credential) -> None:
        root = issue([payment(ppd_invoice.paid(1, D("116000.00"), D("50000.00")), num_operacion="SPEI-1")], credential)

        assert attrs(root, "TipoDeComprobante", "Moneda", "SubTotal", "Total", "Exportacion") == (
            "P", "XXX", "0", "0", "01",
        )  # fmt: skip
        assert attrs(root, "FormaPago", "MetodoPago", "TipoCambio") == (None, None, None)
        assert root.find(f"{CFDI4}Receptor").get("UsoCFDI") == "CP01"
        (concepto,) = root.findall(f"{CFDI4}Conceptos/{CFDI4}Concepto")
        assert attrs(concepto, "ClaveProdServ", "Cantidad", "ClaveUnidad", "Descripcion", "ValorUnitario", "Importe",
                     "ObjetoImp") == ("84111506", "1", "ACT", "Pago", "0", "0", "01")  # fmt: skip
        assert root.find(f"{CFDI4}Impuestos") is None
        assert attrs(pago_nodes(root)[0], "FechaPago", "FormaDePagoP", "NumOperacion") == (
            "2026-06-14T12:00:00", "03", "SPEI-1",
        )  # fmt: skip

    def test_bank_accounts_are_written(self, ppd_invoice: Invoice, credential: Credential) -> None:
        banks = {"rfc_emisor_cta_ord": "BBA830831LJ2", "cta_ordenante": "012180001234567897",
                 "rfc_emisor_cta_ben": "BNM840515VB1", "cta_beneficiario": "0123456789"}  # fmt: skip
        root = issue([payment(ppd_invoice.paid(1, D("116000.00"), D("50000.00")), **banks)], credential)
        pago = pago_nodes(root)[0]
        assert attrs(pago, "RfcEmisorCtaOrd", "CtaOrdenante", "RfcEmisorCtaBen", "CtaBeneficiario") == tuple(
            banks.values()
        )

    def test_a_given_monto_larger_than_the_invoices_paid_is_kept(
        self, ppd_invoice: Invoice, credential: Credential
    ) -> None:
        root = issue([payment(ppd_invoice.paid(1, D("116000.00"), D("50000.00")), monto=D("50500"))], credential)
        assert pago_nodes(root)[0].get("Monto") == "50500.00"
        assert totales(root)["MontoTotalPagos"] == "50500.00"


def _doc(**fields: Any) -> PaidDocument:
    values: dict[str, Any] = {"uuid": UUID_A, "moneda": "MXN", "num_parcialidad": 1, "imp_saldo_ant": D("116.00"),
                              "imp_pagado": D("58.00"), "total": D("116.00"), "taxes": [IVA16_ON_100]}  # fmt: skip
    values.update(fields)
    return PaidDocument(**values)


class TestRefusedInput:
    @pytest.mark.parametrize(
        ("payments", "message"),
        [
            pytest.param([], "at least one payment", id="no-payments"),
            pytest.param([payment()], "at least one invoice", id="no-invoices"),
            pytest.param([payment(_doc(), _doc())], "only once", id="same-invoice-twice"),
            pytest.param([payment(_doc(moneda="USD"))], "give the equivalence", id="foreign-invoice-no-equivalence"),
            pytest.param([payment(_doc(equivalencia=D("2")))], "equivalence must be 1", id="same-currency-not-1"),
            pytest.param([payment(_doc(moneda="USD", equivalencia=D("0")))], "greater than 0", id="equivalence-0"),
            pytest.param([payment(_doc(), tipo_cambio_p=D("17"))], "MXN has an exchange rate of 1", id="mxn-rate"),
            pytest.param([payment(_doc(), moneda_p="USD")], "needs its exchange rate", id="usd-no-rate"),
            pytest.param([payment(_doc(), moneda_p="USD", tipo_cambio_p=D("17.1234567"))], "at most 6", id="rate-7"),
            pytest.param([payment(_doc(), moneda_p="XXX")], "not a c_Moneda", id="xxx-payment"),
            pytest.param([payment(_doc(moneda="ABC"))], "not a c_Moneda", id="unknown-currency"),
            pytest.param([payment(_doc(imp_pagado=D("58.001")))], "more than the 2 decimals", id="3-decimals"),
            pytest.param([payment(_doc(imp_pagado=D("0")))], "greater than 0", id="nothing-paid"),
            pytest.param([payment(_doc(imp_saldo_ant=D("117.00")))], "exceeds the invoice total", id="balance>total"),
            pytest.param([payment(_doc(num_parcialidad=0))], "1-999", id="installment-0"),
            pytest.param([payment(_doc(), monto=D("57.99"))], "more than the payment's 57.99", id="monto-short"),
            pytest.param([payment(_doc(taxes=(), objeto_imp="02"))], "ObjetoImpDR 02 needs", id="02-without-taxes"),
            pytest.param([payment(_doc(objeto_imp="01"))], "ObjetoImpDR 01 carries no taxes", id="01-with-taxes"),
            pytest.param([payment(_doc(), fecha_pago=datetime(2026, 6, 14, tzinfo=UTC))], "naive", id="aware-date"),
        ],
    )
    def test_is_refused_with_a_clear_error(self, payments: list[Payment], message: str) -> None:
        with pytest.raises(PagosInputError, match=message):
            build_pagos(payments)
