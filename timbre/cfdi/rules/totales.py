"""Comprobante amounts: SubTotal, Descuento and Total arithmetic and decimals, and the
Confirmacion rules for amounts beyond SAT's limits."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from ...catalogs import store
from ._common import amount, rounded_equal, too_many_decimals
from ._doc import Doc
from ._values import dec, fmt, present, text
from .context import RuleContext
from .registry import Finding, rule

ZERO = Decimal(0)
WITH_CONCEPT_AMOUNTS = ("I", "E", "N")


@rule("CFDI40107")
def subtotal_decimals(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    subtotal = amount(doc.raw, "SubTotal")
    if message := too_many_decimals("SubTotal", subtotal, doc.currency_decimals, doc.moneda):
        yield Finding(message)


@rule("CFDI40108")
def subtotal_is_sum_of_importes(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    subtotal = amount(doc.raw, "SubTotal")
    places = doc.currency_decimals
    if doc.tipo not in WITH_CONCEPT_AMOUNTS or places is None:
        return
    importes = [amount(c, "Importe") for c in doc.conceptos]
    exact = sum((i for i in importes if i is not None), ZERO)
    if subtotal is None or not rounded_equal(subtotal, exact, places):
        yield Finding(f"SubTotal {fmt(subtotal)} is not the sum of the concepts' Importe ({fmt(exact)}).")


@rule("CFDI40109")
def subtotal_zero_for_t_p(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    subtotal = amount(doc.raw, "SubTotal")
    if doc.tipo in ("T", "P") and subtotal != 0:
        yield Finding(f"A type {doc.tipo} CFDI must have SubTotal 0 (found {fmt(subtotal)}).")


@rule("CFDI40110")
def descuento_not_above_subtotal(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    descuento, subtotal = amount(doc.raw, "Descuento"), amount(doc.raw, "SubTotal")
    if descuento is not None and subtotal is not None and descuento > subtotal:
        yield Finding(f"Descuento {fmt(descuento)} is greater than SubTotal {fmt(subtotal)}.")


@rule("CFDI40111")
def descuento_is_sum_of_concept_discounts(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    descuento = amount(doc.raw, "Descuento")
    with_discount = [c for c in doc.conceptos if present(c, "Descuento")]
    if doc.tipo in WITH_CONCEPT_AMOUNTS and with_discount:
        exact = sum((amount(c, "Descuento") or ZERO for c in with_discount), ZERO)
        places = doc.currency_decimals
        if descuento is None:
            yield Finding(f"Concepts have discounts ({fmt(exact)}) but the document has no Descuento.")
        elif places is not None and not rounded_equal(descuento, exact, places):
            yield Finding(f"Descuento {fmt(descuento)} is not the sum of the concepts' discounts ({fmt(exact)}).")
    elif present(doc.raw, "Descuento"):
        reason = "no concept has a discount" if doc.tipo in WITH_CONCEPT_AMOUNTS else f"type is {doc.tipo}"
        yield Finding(f"Descuento must be omitted: {reason}.")


@rule("CFDI40112")
def descuento_decimals(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    descuento = amount(doc.raw, "Descuento")
    if message := too_many_decimals("Descuento", descuento, doc.currency_decimals, doc.moneda):
        yield Finding(message)


def _local_taxes(doc: Doc) -> tuple[Decimal, Decimal]:
    """Local (state) transferred and withheld totals from the ImpuestosLocales complement."""
    traslados = retenciones = ZERO
    for node in doc.complementos.get("ImpuestosLocales", []):
        traslados += amount(node, "TotaldeTraslados") or ZERO
        retenciones += amount(node, "TotaldeRetenciones") or ZERO
    return traslados, retenciones


@rule("CFDI40119")
def total_formula(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    total = amount(doc.raw, "Total")
    places = doc.currency_decimals if doc.currency_decimals is not None else 6
    impuestos = doc.impuestos
    local_traslados, local_retenciones = _local_taxes(doc)
    exact = (
        (amount(doc.raw, "SubTotal") or ZERO)
        - (amount(doc.raw, "Descuento") or ZERO)
        + (amount(impuestos, "TotalImpuestosTrasladados") or ZERO)
        - (amount(impuestos, "TotalImpuestosRetenidos") or ZERO)
        + local_traslados
        - local_retenciones
    )
    if total is None or not rounded_equal(total, exact, places):
        yield Finding(f"Total {fmt(total)} is not SubTotal - Descuento + transferred - withheld taxes ({fmt(exact)}).")


def _total_limit(doc: Doc) -> Decimal | None:
    row = store.get("c_TipoDeComprobante", doc.tipo) if doc.tipo else None
    return dec(row["valor_maximo"]) if row is not None and row["valor_maximo"] else None


def _total_in_mxn(doc: Doc) -> Decimal | None:
    total = amount(doc.raw, "Total")
    if total is None:
        return None
    return total * (dec(doc.get("TipoCambio")) or 1)


@rule("CFDI40120")
def total_within_limit(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    limit, total = _total_limit(doc), _total_in_mxn(doc)
    if limit is not None and total is not None and total > limit and not text(doc.get("Confirmacion")):
        yield Finding(
            f"Total {fmt(total)} MXN exceeds the {fmt(limit)} limit for type {doc.tipo}; it needs a Confirmacion."
        )


@rule("CFDI40127")
def confirmacion_only_when_needed(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    if not text(doc.get("Confirmacion")) or doc.tipo == "P":
        return  # a payment's Confirmacion answers its Pagos' TipoCambioP or Monto (CRP20216, CRP20220)
    limit, total = _total_limit(doc), _total_in_mxn(doc)
    total_in_range = limit is None or total is None or total <= limit
    tipo_cambio = dec(doc.get("TipoCambio"))
    if doc.moneda in ("MXN", "XXX") or tipo_cambio is None:
        rate_in_range = True
    elif (limits := ctx.exchange_rate_limits.get(doc.moneda or "")) is not None:
        rate_in_range = limits[0] <= tipo_cambio <= limits[1]
    else:
        return  # without the day's limits we cannot say the rate did not need confirmation
    if total_in_range and rate_in_range:
        yield Finding("Confirmacion is present but neither Total nor TipoCambio is outside SAT's limits.")
