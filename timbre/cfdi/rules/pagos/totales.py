"""Totales: the complement's MXN summary of all Pago nodes (CRP20201-CRP20211)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal

from .._common import amount, rounded_equal
from .._doc import Doc
from .._values import Node, child, dec, fmt, nodes, text
from ..context import RuleContext
from ..registry import Finding, rule
from ._pagos import pagos, tipo_cambio_p

ZERO = Decimal(0)
MXN_DECIMALS = 2
IVA = "002"


def _impuestos_p(pago: Node, kind: str) -> list[Node]:
    impuestos = child(pago, "ImpuestosP")
    return nodes(impuestos.get(kind)) if impuestos else []


def _retencion(impuesto: str) -> Callable[[Node], list[Decimal]]:
    def pick(pago: Node) -> list[Decimal]:
        return [
            v
            for n in _impuestos_p(pago, "RetencionesP")
            if text(n.get("ImpuestoP")) == impuesto and (v := amount(n, "ImporteP")) is not None
        ]

    return pick


def _traslado(attribute: str, factor: str, rate: Decimal | None) -> Callable[[Node], list[Decimal]]:
    def pick(pago: Node) -> list[Decimal]:
        return [
            v
            for n in _impuestos_p(pago, "TrasladosP")
            if text(n.get("ImpuestoP")) == IVA
            and text(n.get("TipoFactorP")) == factor
            and (rate is None or dec(n.get("TasaOCuotaP")) == rate)
            and (v := amount(n, attribute)) is not None
        ]

    return pick


def _monto(pago: Node) -> list[Decimal]:
    monto = amount(pago, "Monto")
    return [monto] if monto is not None else []


def _matches(value: Decimal, products: list[Decimal]) -> bool:
    """SAT: "the rounding of the sum of each amount times TipoCambioP". Rounding the sum or
    summing per-payment roundings differ by cents at most; accept both."""
    exact = sum(products, ZERO)
    if rounded_equal(value, exact, MXN_DECIMALS):
        return True
    per_item = sum((p.quantize(Decimal("0.01")) for p in products), ZERO)
    return value == per_item


def _total_rule(code: str, attribute: str, pick: Callable[[Node], list[Decimal]], required: bool = False) -> None:
    @rule(code, scope="pagos")
    def check(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
        if doc.pagos is None:
            return
        totales = child(doc.pagos, "Totales")
        products = [v * tipo_cambio_p(pago) for pago in pagos(doc) for v in pick(pago)]
        value = amount(totales, attribute)
        if value is None:
            if required or any(p != 0 for p in products):
                yield Finding(
                    f"Totales.{attribute} is missing; the payments add up to {fmt(sum(products, ZERO))} MXN.",
                    location=f"Pagos.Totales.{attribute}",
                )
        elif not _matches(value, products):
            yield Finding(
                f"Totales.{attribute} {fmt(value)} is not the sum in MXN of the payments' amounts "
                f"({fmt(sum(products, ZERO))}).",
                location=f"Pagos.Totales.{attribute}",
            )

    check.__name__ = f"{attribute.lower()}_total"


_total_rule("CRP20201", "TotalRetencionesIVA", _retencion("002"))
_total_rule("CRP20202", "TotalRetencionesISR", _retencion("001"))
_total_rule("CRP20203", "TotalRetencionesIEPS", _retencion("003"))
_total_rule("CRP20204", "TotalTrasladosBaseIVA16", _traslado("BaseP", "Tasa", Decimal("0.16")))
_total_rule("CRP20205", "TotalTrasladosImpuestoIVA16", _traslado("ImporteP", "Tasa", Decimal("0.16")))
_total_rule("CRP20206", "TotalTrasladosBaseIVA8", _traslado("BaseP", "Tasa", Decimal("0.08")))
_total_rule("CRP20207", "TotalTrasladosImpuestoIVA8", _traslado("ImporteP", "Tasa", Decimal("0.08")))
_total_rule("CRP20208", "TotalTrasladosBaseIVA0", _traslado("BaseP", "Tasa", Decimal(0)))
_total_rule("CRP20209", "TotalTrasladosImpuestoIVA0", _traslado("ImporteP", "Tasa", Decimal(0)))
_total_rule("CRP20210", "TotalTrasladosBaseIVAExento", _traslado("BaseP", "Exento", None))
_total_rule("CRP20211", "MontoTotalPagos", _monto, required=True)
