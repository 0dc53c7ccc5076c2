"""One DoctoRelacionado: a paid invoice's balances, EquivalenciaDR and prorated taxes (ImpuestosDR).

Proration (SAT's Pagos 2.0 filling guide): each tax of the invoice counts in this payment in the
proportion the payment bears to the invoice's total,
    BaseDR = Base x ImpPagado / Total,  ImporteDR = Importe x ImpPagado / Total,
each rounded with `money.round_money` to the invoice currency's decimals (a Cuota's base is a
quantity: 6 decimals). Rounding base and importe separately can, on invoices whose concept
rounding already left the importe off Base x Tasa, take ImporteDR outside SAT's accepted range
around BaseDR x TasaOCuotaDR (CRP20254/CRP20261); it is then moved to the nearest bound of that
range, which SAT accepts as exact. Every amount is in the invoice's currency (MonedaDR).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from ...catalogs import store
from ..money import MAX_DECIMALS, RATE_DECIMALS, decimals_of, round_money, round_rate, tax_bounds, to_decimal
from .inputs import DocumentTax, Overpayment, PagosInputError, PaidDocument

ZERO = Decimal(0)
# ObjetoImp keys whose DoctoRelacionado carries no ImpuestosDR (CRP20247).
OBJETO_SIN_DESGLOSE = frozenset({"01", "03", "04", "05"})
# A document in the payment's currency writes EquivalenciaDR exactly "1" (CRP20238), in a
# mixed-currency payment too: there SAT's variation margin reads it with 10 decimals (CRP20277).
EQUIVALENCIA_UNO = Decimal(1)
MAX_EQUIVALENCIA_DECIMALS = 10
MAX_PARCIALIDAD = 999
IMPUESTOS = frozenset({"001", "002", "003"})  # NumParcialidad is [1-9][0-9]{0,2} in the XSD


@dataclass(frozen=True, slots=True)
class Docto:
    """A checked DoctoRelacionado: amounts in `moneda` with its `decimals`, `taxes` prorated."""

    source: PaidDocument
    decimals: int
    equivalencia: Decimal
    objeto_imp: str
    imp_saldo_ant: Decimal
    imp_pagado: Decimal
    taxes: tuple[DocumentTax, ...]

    @property
    def moneda(self) -> str:
        return self.source.moneda

    @property
    def imp_saldo_insoluto(self) -> Decimal:
        return self.imp_saldo_ant - self.imp_pagado

    def node(self) -> dict[str, Any]:
        """The DoctoRelacionado as satcfdi's serializer reads it."""
        doc = self.source
        values: dict[str, Any] = {
            "IdDocumento": doc.uuid,
            "Serie": doc.serie,
            "Folio": doc.folio,
            "MonedaDR": doc.moneda,
            "EquivalenciaDR": self.equivalencia,
            "NumParcialidad": doc.num_parcialidad,
            "ImpSaldoAnt": self.imp_saldo_ant,
            "ImpPagado": self.imp_pagado,
            "ImpSaldoInsoluto": self.imp_saldo_insoluto,
            "ObjetoImpDR": self.objeto_imp,
        }
        traslados = [_tax_node(t) for t in self.taxes if not t.retencion]
        retenciones = [_tax_node(t) for t in self.taxes if t.retencion]
        if traslados or retenciones:
            values["ImpuestosDR"] = {"RetencionesDR": retenciones or None, "TrasladosDR": traslados or None}
        return {k: v for k, v in values.items() if v is not None}


def currency_decimals(moneda: str, what: str) -> int:
    """c_Moneda's decimals for `moneda`; XXX (no currency) cannot carry a payment."""
    if moneda == "XXX" or not store.exists("c_Moneda", moneda):
        raise PagosInputError(f"{what} {moneda!r} is not a c_Moneda currency")
    return store.moneda_decimales(moneda)


def money(value: Decimal, decimals: int, what: str) -> Decimal:
    """`value` written with exactly the currency's decimals; more decimals are an input error
    (a balance or payment is never silently rounded)."""
    value = to_decimal(value)
    if decimals_of(value) > decimals:
        raise PagosInputError(f"{what} {value} has more than the {decimals} decimals of its currency")
    return round_money(value, decimals)  # exact here: only pads 50 -> 50.00


def docto(doc: PaidDocument, moneda_p: str, mixed: bool) -> Docto:
    """Check one paid invoice against payment `moneda_p` (`mixed`: the payment has documents in
    other currencies) and prorate its taxes."""
    what = f"invoice {doc.uuid}"
    decimals = currency_decimals(doc.moneda, f"{what}: currency")
    if not 1 <= doc.num_parcialidad <= MAX_PARCIALIDAD:
        raise PagosInputError(f"{what}: installment number {doc.num_parcialidad} must be 1-{MAX_PARCIALIDAD}")
    total = money(doc.total, decimals, f"{what}: total")
    saldo_ant = money(doc.imp_saldo_ant, decimals, f"{what}: previous balance")
    pagado = money(doc.imp_pagado, decimals, f"{what}: amount paid")
    if total <= 0:
        raise PagosInputError(f"{what}: the invoice total must be greater than 0")
    if pagado <= 0:
        raise PagosInputError(f"{what}: the amount paid must be greater than 0")
    if saldo_ant > total:
        raise PagosInputError(f"{what}: previous balance {saldo_ant} exceeds the invoice total {total}")
    if saldo_ant <= 0:
        raise Overpayment(f"{what} is already paid in full; a payment of {pagado} {doc.moneda} would overpay it")
    if pagado > saldo_ant:
        raise Overpayment(
            f"{what}: the amount paid {pagado} {doc.moneda} exceeds its outstanding balance {saldo_ant} {doc.moneda}"
        )
    objeto = _objeto_imp(doc, what)
    factor = pagado / total
    taxes = () if objeto in OBJETO_SIN_DESGLOSE else tuple(prorate(t, factor, decimals, what) for t in doc.taxes)
    return Docto(
        source=doc,
        decimals=decimals,
        equivalencia=_equivalencia(doc, moneda_p, mixed, what),
        objeto_imp=objeto,
        imp_saldo_ant=saldo_ant,
        imp_pagado=pagado,
        taxes=taxes,
    )


def prorate(tax: DocumentTax, factor: Decimal, decimals: int, what: str = "invoice") -> DocumentTax:
    """The share `factor` (ImpPagado / Total) of an invoice's tax, rounded per SAT."""
    if tax.impuesto not in IMPUESTOS:
        raise PagosInputError(f"{what}: tax {tax.impuesto!r} is not 001 (ISR), 002 (IVA) or 003 (IEPS)")
    if tax.base <= 0:
        raise PagosInputError(f"{what}: tax {tax.impuesto} {tax.tipo_factor} needs a base greater than 0")
    if tax.tipo_factor != "Exento" and (tax.tasa_o_cuota is None or tax.importe is None):
        raise PagosInputError(f"{what}: tax {tax.impuesto} {tax.tipo_factor} needs its rate and amount")
    if tax.retencion and tax.tipo_factor == "Exento":
        raise PagosInputError(f"{what}: a withheld tax cannot be Exento")
    exact = tax.base * factor
    base = round_money(exact, RATE_DECIMALS if tax.tipo_factor == "Cuota" else decimals)
    if base == 0:  # a tiny payment: keep BaseDR above 0 (CRP20249/CRP20255) with the XSD's 6 decimals
        base = round_money(exact, MAX_DECIMALS)
        if base == 0:
            raise PagosInputError(f"{what}: the amount paid is too small to carry its share of the taxes")
    if tax.tipo_factor == "Exento":
        return replace(tax, base=base, tasa_o_cuota=None, importe=None)
    assert tax.tasa_o_cuota is not None and tax.importe is not None  # checked above
    rate = round_rate(tax.tasa_o_cuota)
    importe = round_money(tax.importe * factor, decimals)
    low, high = tax_bounds(base, rate, decimals)
    return replace(tax, base=base, tasa_o_cuota=rate, importe=min(max(importe, low), high))


def _objeto_imp(doc: PaidDocument, what: str) -> str:
    objeto = doc.objeto_imp or ("02" if doc.taxes else "01")
    if objeto in OBJETO_SIN_DESGLOSE and doc.taxes:
        raise PagosInputError(f"{what}: ObjetoImpDR {objeto} carries no taxes, but the invoice's taxes were given")
    if objeto == "02" and not doc.taxes:
        raise PagosInputError(f"{what}: ObjetoImpDR 02 needs the invoice's taxes to prorate them")
    return objeto


def _equivalencia(doc: PaidDocument, moneda_p: str, mixed: bool, what: str) -> Decimal:
    if doc.moneda == moneda_p:
        if doc.equivalencia is not None and doc.equivalencia != 1:
            raise PagosInputError(f"{what} is in the payment's currency {moneda_p}: its equivalence must be 1")
        return EQUIVALENCIA_UNO
    if doc.equivalencia is None:
        raise PagosInputError(
            f"{what} is in {doc.moneda} and the payment in {moneda_p}: give the equivalence "
            f"({doc.moneda} per {moneda_p})"
        )
    value = to_decimal(doc.equivalencia)
    if value <= 0 or decimals_of(value) > MAX_EQUIVALENCIA_DECIMALS:
        raise PagosInputError(
            f"{what}: equivalence {value} must be greater than 0 with at most {MAX_EQUIVALENCIA_DECIMALS} decimals"
        )
    return value


def _tax_node(tax: DocumentTax) -> dict[str, Any]:
    node = {
        "BaseDR": tax.base,
        "ImpuestoDR": tax.impuesto,
        "TipoFactorDR": tax.tipo_factor,
        "TasaOCuotaDR": tax.tasa_o_cuota,
        "ImporteDR": tax.importe,
    }
    return {k: v for k, v in node.items() if v is not None}
