"""Pagos 2.0 rules: the valid payment complement passes, and for every CRP20 code a minimal
mutation of it triggers that code."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from satcfdi.cfdi import CFDI

from timbre.cfdi.rules import RelatedCfdi, RuleContext, Violation, implemented_codes, validate, validate_pagos

D = Decimal
Doc = dict[str, Any]
Mutation = Callable[[Doc], dict[str, Any] | None]
UUID_A = "5FB2822E-396D-4725-8521-CDC4BDD20CCF"
PEDIMENTO = "26  47  3807  6001234"


def pagos(doc: Doc) -> Doc:
    complemento: Doc = doc["Complemento"]
    return complemento if "Pago" in complemento else complemento["Pagos"]


def pago(doc: Doc) -> Doc:
    node: Doc = pagos(doc)["Pago"][0]
    return node


def docto(doc: Doc) -> Doc:
    node: Doc = pago(doc)["DoctoRelacionado"][0]
    return node


def totales(doc: Doc) -> Doc:
    node: Doc = pagos(doc)["Totales"]
    return node


def concepto(doc: Doc) -> Doc:
    node: Doc = doc["Conceptos"][0]
    return node


def root(doc: Doc) -> Doc:
    return doc


def traslado_dr(doc: Doc) -> Doc:
    node: Doc = docto(doc)["ImpuestosDR"]["TrasladosDR"][0]
    return node


def retencion_dr(doc: Doc) -> Doc:
    node: Doc = docto(doc)["ImpuestosDR"]["RetencionesDR"][0]
    return node


def traslado_p(doc: Doc) -> Doc:
    node: Doc = pago(doc)["ImpuestosP"]["TrasladosP"][0]
    return node


def retencion_p(doc: Doc) -> Doc:
    node: Doc = pago(doc)["ImpuestosP"]["RetencionesP"][0]
    return node


def set_(path: Callable[[Doc], Doc], key: str, value: Any) -> Mutation:
    def mutate(doc: Doc) -> None:
        path(doc)[key] = value

    return mutate


def add(path: Callable[[Doc], Doc], key: str, delta: Decimal) -> Mutation:
    def mutate(doc: Doc) -> None:
        path(doc)[key] = path(doc)[key] + delta

    return mutate


def steps(*mutations: Mutation) -> Mutation:
    def mutate(doc: Doc) -> dict[str, Any]:
        overrides: dict[str, Any] = {}
        for m in mutations:
            overrides.update(m(doc) or {})
        return overrides

    return mutate


def context(**overrides: Any) -> Mutation:
    return lambda doc: overrides


def duplicate(kind: str) -> Mutation:
    def mutate(doc: Doc) -> None:
        nodes: list[Doc] = pago(doc)["ImpuestosP"][kind]
        nodes.append(dict(nodes[0]))

    return mutate


def paid_in_dollars(doc: Doc) -> None:
    """The invoice is in USD (0.05 USD per peso): 1,060.00 USD is far more than 1,060.00 MXN."""
    docto(doc).update({"MonedaDR": "USD", "EquivalenciaDR": D("0.05")})


def second_invoice_in_dollars(doc: Doc) -> None:
    extra = dict(docto(doc))
    extra.update(
        {"IdDocumento": "0C5F4F4C-9C1F-4C8B-8E5B-6B8E7E2A9D11", "MonedaDR": "USD", "EquivalenciaDR": D("0.057143"),
         "ImpSaldoAnt": D("10.00"), "ImpPagado": D("10.00"), "ImpSaldoInsoluto": D("0.00"),
         "ObjetoImpDR": "01", "ImpuestosDR": None}
    )  # fmt: skip
    pago(doc)["DoctoRelacionado"].append(extra)
    pago(doc)["Monto"] = D("1235.00")


def one_spelled_1_00_in_a_mixed_payment(doc: Doc) -> None:
    second_invoice_in_dollars(doc)
    docto(doc)["EquivalenciaDR"] = D("1.00")


def exento_only(doc: Doc) -> None:
    traslado_dr(doc).update({"TipoFactorDR": "Exento", "TasaOCuotaDR": None, "ImporteDR": None})
    traslado_p(doc).update({"TipoFactorP": "Exento", "TasaOCuotaP": None, "ImporteP": None, "BaseP": D("999.00")})


MUTATIONS: dict[str, Mutation] = {
    "CRP20101": set_(root, "TipoDeComprobante", "I"),
    "CRP20102": set_(root, "Exportacion", "02"),
    "CRP20103": set_(root, "SubTotal", D("1")),
    "CRP20104": set_(root, "Moneda", "MXN"),
    "CRP20105": set_(root, "FormaPago", "03"),
    "CRP20106": set_(root, "MetodoPago", "PUE"),
    "CRP20107": set_(root, "CondicionesDePago", "Contado"),
    "CRP20108": set_(root, "Descuento", D("0")),
    "CRP20109": set_(root, "TipoCambio", D("1")),
    "CRP20110": set_(root, "Total", D("1")),
    "CRP20111": lambda doc: doc["Conceptos"].append(dict(concepto(doc))),
    "CRP20112": set_(concepto, "InformacionAduanera", [PEDIMENTO]),
    "CRP20113": set_(concepto, "ClaveProdServ", "84111505"),
    "CRP20114": set_(concepto, "NoIdentificacion", "X-1"),
    "CRP20115": set_(concepto, "Cantidad", D("2")),
    "CRP20116": set_(concepto, "ClaveUnidad", "E48"),
    "CRP20117": set_(concepto, "Unidad", "Pago"),
    "CRP20118": set_(concepto, "Descripcion", "Abono"),
    "CRP20119": set_(concepto, "ValorUnitario", D("1")),
    "CRP20120": set_(concepto, "Importe", D("1")),
    "CRP20121": set_(concepto, "Descuento", D("0")),
    "CRP20122": set_(concepto, "ObjetoImp", "02"),
    "CRP20123": set_(concepto, "Impuestos", {"Traslados": [{"Base": D(1), "Impuesto": "002", "TipoFactor": "Exento"}]}),
    "CRP20201": set_(totales, "TotalRetencionesIVA", D("5.00")),
    "CRP20202": add(totales, "TotalRetencionesISR", D("1")),
    "CRP20203": set_(totales, "TotalRetencionesIEPS", D("1.00")),
    "CRP20204": add(totales, "TotalTrasladosBaseIVA16", D("1")),
    "CRP20205": add(totales, "TotalTrasladosImpuestoIVA16", D("1")),
    "CRP20206": set_(totales, "TotalTrasladosBaseIVA8", D("1.00")),
    "CRP20207": set_(totales, "TotalTrasladosImpuestoIVA8", D("1.00")),
    "CRP20208": set_(totales, "TotalTrasladosBaseIVA0", D("1.00")),
    "CRP20209": set_(totales, "TotalTrasladosImpuestoIVA0", D("1.00")),
    "CRP20210": set_(totales, "TotalTrasladosBaseIVAExento", D("1.00")),
    "CRP20211": add(totales, "MontoTotalPagos", D("1")),
    "CRP20212": set_(pago, "FormaDePagoP", "99"),
    "CRP20213": set_(pago, "MonedaP", "XXX"),
    "CRP20214": steps(set_(pago, "MonedaP", "USD"), set_(pago, "TipoCambioP", None)),
    "CRP20215": set_(pago, "TipoCambioP", D("2")),
    "CRP20216": steps(
        set_(pago, "MonedaP", "USD"),
        set_(pago, "TipoCambioP", D("30")),
        context(exchange_rate_limits={"USD": (D(15), D(20))}),
    ),
    "CRP20217": set_(pago, "Monto", D("1000.00")),
    "CRP20218": set_(pago, "Monto", D("0")),
    "CRP20219": set_(pago, "Monto", D("1060.001")),
    "CRP20220": set_(pago, "Monto", D("1000000000000000000")),
    "CRP20221": set_(pago, "FormaDePagoP", "01"),
    "CRP20222": set_(pago, "RfcEmisorCtaOrd", "BBA830831LJ"),
    "CRP20223": set_(pago, "RfcEmisorCtaOrd", "XEXX010101000"),
    "CRP20224": set_(pago, "FormaDePagoP", "01"),
    "CRP20225": set_(pago, "CtaOrdenante", "123"),
    "CRP20226": set_(pago, "CtaBeneficiario", "12"),
    "CRP20227": set_(pago, "FormaDePagoP", "06"),
    "CRP20228": set_(pago, "FormaDePagoP", "06"),
    "CRP20229": steps(set_(pago, "FormaDePagoP", "02"), set_(pago, "TipoCadPago", "01")),
    "CRP20230": set_(pago, "TipoCadPago", "01"),
    "CRP20231": set_(pago, "CertPago", "MIIF"),
    "CRP20232": set_(pago, "TipoCadPago", "01"),
    "CRP20233": set_(pago, "CadPago", "||1|"),
    "CRP20234": set_(pago, "TipoCadPago", "01"),
    "CRP20235": set_(pago, "SelloPago", "c2VsbG8="),
    "CRP20236": set_(docto, "MonedaDR", "XXX"),
    "CRP20237": steps(set_(docto, "MonedaDR", "USD"), set_(docto, "EquivalenciaDR", None)),
    "CRP20238": set_(docto, "EquivalenciaDR", D("2")),
    "CRP20239": set_(docto, "ImpSaldoAnt", D("0")),
    "CRP20240": set_(docto, "ImpSaldoAnt", D("2120.001")),
    "CRP20241": set_(docto, "ImpPagado", D("0")),
    "CRP20242": set_(docto, "ImpPagado", D("1060.001")),
    "CRP20243": set_(docto, "ImpSaldoInsoluto", D("1060.001")),
    "CRP20244": set_(docto, "ImpSaldoInsoluto", D("1000.00")),
    "CRP20245": set_(docto, "ObjetoImpDR", "09"),
    "CRP20246": set_(docto, "ImpuestosDR", None),
    "CRP20247": set_(docto, "ObjetoImpDR", "01"),
    "CRP20248": set_(docto, "ImpuestosDR", {"TrasladosDR": None, "RetencionesDR": None}),
    "CRP20249": set_(retencion_dr, "BaseDR", D("0")),
    "CRP20250": set_(retencion_dr, "ImpuestoDR", "004"),
    "CRP20251": set_(retencion_dr, "TipoFactorDR", "Otro"),
    "CRP20252": set_(retencion_dr, "TipoFactorDR", "Exento"),
    "CRP20253": set_(retencion_dr, "TasaOCuotaDR", D("0.400000")),
    "CRP20254": add(retencion_dr, "ImporteDR", D("5")),
    "CRP20255": set_(traslado_dr, "BaseDR", D("0")),
    "CRP20256": set_(traslado_dr, "ImpuestoDR", "001"),
    "CRP20257": set_(traslado_dr, "TipoFactorDR", "Otro"),
    "CRP20258": set_(traslado_dr, "TipoFactorDR", "Exento"),
    "CRP20259": set_(traslado_dr, "TasaOCuotaDR", None),
    "CRP20260": set_(traslado_dr, "TasaOCuotaDR", D("0.150000")),
    "CRP20261": add(traslado_dr, "ImporteDR", D("5")),
    "CRP20262": set_(retencion_p, "ImpuestoP", "004"),
    "CRP20263": duplicate("RetencionesP"),
    "CRP20264": set_(totales, "TotalRetencionesISR", None),
    "CRP20265": add(retencion_p, "ImporteP", D("1")),
    "CRP20266": lambda doc: pago(doc)["ImpuestosP"]["TrasladosP"].append(
        {"BaseP": D("5.00"), "ImpuestoP": "002", "TipoFactorP": "Exento", "TasaOCuotaP": D("0"), "ImporteP": D("0")}
    ),
    "CRP20267": steps(
        set_(totales, "TotalTrasladosBaseIVA16", None), set_(totales, "TotalTrasladosImpuestoIVA16", None)
    ),
    "CRP20268": add(traslado_p, "BaseP", D("1")),
    "CRP20269": exento_only,
    "CRP20270": set_(traslado_p, "ImpuestoP", "001"),
    "CRP20271": duplicate("TrasladosP"),
    "CRP20272": set_(traslado_p, "TasaOCuotaP", D("0.150000")),
    "CRP20273": set_(totales, "TotalTrasladosImpuestoIVA16", None),
    "CRP20274": add(traslado_p, "ImporteP", D("1")),
    "CRP20275": paid_in_dollars,
    "CRP20276": paid_in_dollars,
    "CRP20277": one_spelled_1_00_in_a_mixed_payment,
    "CRP20278": set_(docto, "ObjetoImpDR", "06"),
    "CRP20279": set_(docto, "ObjetoImpDR", "07"),
    "CRP20999": context(related={UUID_A: RelatedCfdi(exists=False)}.get),
}


def codes(violations: list[Violation]) -> set[str]:
    return {v.code for v in violations}


def test_baseline_payment_has_no_violations(payment: CFDI, ctx: RuleContext) -> None:
    assert validate(payment, ctx) == []


def test_baseline_payment_survives_xml_round_trip(payment: CFDI, ctx: RuleContext) -> None:
    assert validate(CFDI.from_string(payment.xml_bytes()), ctx) == []


def test_invoice_without_complement_has_no_pagos_rules(invoice: CFDI, ctx: RuleContext) -> None:
    assert validate_pagos(invoice, ctx) == []


def test_every_crp_code_has_a_mutation() -> None:
    assert set(MUTATIONS) == implemented_codes("pagos")


@pytest.mark.parametrize("code", sorted(MUTATIONS))
def test_mutation_triggers_code(code: str, payment: CFDI, context_factory: Callable[..., RuleContext]) -> None:
    overrides = MUTATIONS[code](payment) or {}
    found = validate_pagos(payment, context_factory(**overrides))
    assert code in codes(found), found
    hit = next(v for v in found if v.code == code)
    assert hit.message_es and hit.message_en and hit.hint


class TestDetails:
    def test_docto_fields_use_running_index(self, payment: CFDI, ctx: RuleContext) -> None:
        second_invoice_in_dollars(payment)
        pago(payment)["DoctoRelacionado"][1]["ImpPagado"] = D("0")
        found = [v for v in validate_pagos(payment, ctx) if v.code == "CRP20241"]
        assert [(v.field, v.location) for v in found] == [
            ("invoices[1].amount", "Pagos.Pago[0].DoctoRelacionado[1].ImpPagado")
        ]

    def test_mixed_currency_within_margin_passes(self, payment: CFDI, ctx: RuleContext) -> None:
        """A second invoice of 10.00 USD at 0.057143 USD per peso is 175.00 MXN: Monto 1,235.00."""
        second_invoice_in_dollars(payment)
        docto(payment)["EquivalenciaDR"] = D("1.0000000000")
        totales(payment)["MontoTotalPagos"] = D("1235.00")
        assert validate_pagos(payment, ctx) == []

    def test_same_currency_writes_exactly_one(self, payment: CFDI, ctx: RuleContext) -> None:
        docto(payment)["EquivalenciaDR"] = D("1.0000000000")
        assert codes(validate_pagos(payment, ctx)) == {"CRP20238"}
        docto(payment)["EquivalenciaDR"] = D("1")
        assert validate_pagos(payment, ctx) == []

    def test_mixed_currency_with_a_plain_one_passes(self, payment: CFDI, ctx: RuleContext) -> None:
        """The same-currency invoice of a mixed payment writes "1"; the margin reads it with 10 decimals."""
        second_invoice_in_dollars(payment)
        docto(payment)["EquivalenciaDR"] = D("1")
        totales(payment)["MontoTotalPagos"] = D("1235.00")
        assert validate_pagos(payment, ctx) == []

    def test_mixed_currency_below_margin(self, payment: CFDI, ctx: RuleContext) -> None:
        second_invoice_in_dollars(payment)
        docto(payment)["EquivalenciaDR"] = D("1.0000000000")
        pago(payment)["Monto"] = totales(payment)["MontoTotalPagos"] = D("1234.00")
        assert codes(validate_pagos(payment, ctx)) == {"CRP20276"}

    def test_related_invoice_matches_records(self, payment: CFDI, context_factory: Callable[..., RuleContext]) -> None:
        known = RelatedCfdi(
            exists=True, tipo="I", moneda="MXN", metodo_pago="PPD", saldo=D("2120.00"), ultima_parcialidad=0
        )
        assert validate_pagos(payment, context_factory(related={UUID_A: known}.get)) == []

    @pytest.mark.parametrize(
        ("record", "field"),
        [
            (RelatedCfdi(exists=True, metodo_pago="PUE"), "invoices[0].uuid"),
            (RelatedCfdi(exists=True, moneda="USD"), "invoices[0].currency"),
            (RelatedCfdi(exists=True, saldo=D("1000.00")), "invoices[0].previous_balance"),
            (RelatedCfdi(exists=True, ultima_parcialidad=2), "invoices[0].installment"),
        ],
    )
    def test_related_invoice_mismatch(
        self, payment: CFDI, context_factory: Callable[..., RuleContext], record: RelatedCfdi, field: str
    ) -> None:
        found = validate_pagos(payment, context_factory(related={UUID_A: record}.get))
        assert [(v.code, v.field) for v in found] == [("CRP20999", field)]

    def test_satcfdi_unrounded_monto_is_caught(self, payment: CFDI, ctx: RuleContext) -> None:
        """satcfdi computes Monto = ImpPagado / EquivalenciaDR without rounding: builders must round."""
        paid_in_dollars(payment)
        pago(payment)["Monto"] = D("1060.00") / D("0.05") / 3
        assert "CRP20219" in codes(validate_pagos(payment, ctx))
