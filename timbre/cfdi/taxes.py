"""The tax engine: concept amounts and the document's Impuestos summary, on Decimal.

Rules (Anexo 20, CFDI 4.0):
- Importe = Cantidad * ValorUnitario, rounded to the currency's decimals; Descuento likewise.
- Tasa: Base = Importe - Descuento; Importe = Base * TasaOCuota, rounded.
  Cuota: Base = Cantidad (the number of units the fixed amount applies to); Importe = Cantidad * cuota.
  Exento: Base only, no TasaOCuota nor Importe.
- IVA's base includes the IEPS transferred on the same concept (LIVA art. 12/18: the value for
  IVA includes other taxes charged to the buyer).
- The document's Traslados are grouped by Impuesto + TipoFactor + TasaOCuota (summed Base and
  Importe), its Retenciones by Impuesto only. Totals are sums of amounts already rounded to the
  currency's decimals, so they satisfy the "equal to the rounded sum" rules (CFDI40108,
  CFDI40111, CFDI40203, CFDI40205, CFDI40211, CFDI40215, CFDI40221) exactly.
- Inclusive taxes: `unit_price` (and `discount`) already contain them; the pre-tax ValorUnitario
  is derived, written with 6 decimals.
All rounding goes through `money.round_money`.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from .money import MAX_DECIMALS, Number, decimals_of, round_money, round_rate, to_decimal
from .tax_inclusive import exclusive_prices, fit_inclusive
from .tax_types import (
    IMPUESTO,
    ZERO,
    ConceptAmounts,
    DocumentAmounts,
    Item,
    RetencionTotal,
    Tax,
    TaxInputError,
    TaxLine,
    TaxType,
    TipoFactor,
    TrasladoTotal,
    importe_of,
)

# The engine's types are imported from here by its callers.
__all__ = ["IMPUESTO", "ConceptAmounts", "DocumentAmounts", "Item", "RetencionTotal", "Tax", "TaxInputError",
           "TaxLine", "TaxType", "TipoFactor", "TrasladoTotal", "compute", "compute_concept", "make_tax", "summarize"]


def make_tax(
    type: str,
    rate: Number | None = None,
    *,
    factor: str = "Tasa",
    withholding: bool = False,
    inclusive: bool = False,
) -> Tax:
    """Build a `Tax` from loosely typed input (str codes and numbers), validating the vocabulary."""
    if type not in IMPUESTO:
        raise TaxInputError(f"unknown tax type {type!r}: expected IVA, ISR or IEPS")
    if factor not in ("Tasa", "Cuota", "Exento"):
        raise TaxInputError(f"unknown tax factor {factor!r}: expected Tasa, Cuota or Exento")
    return Tax(
        type=type,  # type: ignore[arg-type]  # checked above
        rate=None if rate is None else to_decimal(rate),
        factor=factor,  # type: ignore[arg-type]
        withholding=withholding,
        inclusive=inclusive,
    )


def compute(items: Sequence[Item], decimals: int) -> DocumentAmounts:
    """Amounts of every concept and of the document, in a currency with `decimals` decimals."""
    if not items:
        raise TaxInputError("at least one item is required")
    conceptos = tuple(compute_concept(item, decimals) for item in items)
    return summarize(conceptos, decimals)


def compute_concept(item: Item, decimals: int) -> ConceptAmounts:
    """One concept's Importe, Descuento, ValorUnitario, ObjetoImp, Traslados and Retenciones."""
    quantity = _checked(item.quantity, "quantity", positive=True)
    unit_price = _checked(item.unit_price, "unit_price")
    discount = _checked(item.discount, "discount")
    taxes = [_normalized(tax) for tax in item.taxes]

    inclusive = any(tax.inclusive for tax in taxes)
    gross_total = round_money(quantity * unit_price - discount, decimals)
    if inclusive:
        unit_price, discount = exclusive_prices(unit_price, discount, taxes)
    if decimals_of(unit_price) < decimals:  # write prices like amounts: 1000 -> 1000.00
        unit_price = round_money(unit_price, decimals)

    importe = round_money(quantity * unit_price, decimals)
    descuento = round_money(discount, decimals)
    if descuento > importe:
        raise TaxInputError(f"discount {descuento} is greater than the item amount {importe}")
    base = importe - descuento

    # IEPS transferred on this concept is part of its IVA base.
    transferred_ieps = [t for t in taxes if t.type == "IEPS" and not t.withholding]
    ieps = sum((importe_of(_tax_line(t, quantity, base, decimals)) for t in transferred_ieps), ZERO)
    lines = [
        (tax, _tax_line(tax, quantity, base + ieps if tax.type == "IVA" else base, decimals))
        for tax in taxes
    ]
    if inclusive:
        lines = fit_inclusive(gross_total - base, lines, decimals)

    return ConceptAmounts(
        cantidad=quantity,
        valor_unitario=unit_price,
        importe=importe,
        descuento=descuento if descuento > 0 else None,
        objeto_imp=item.objeto_imp or ("02" if taxes else "01"),
        traslados=tuple(line for tax, line in lines if not tax.withholding),
        retenciones=tuple(line for tax, line in lines if tax.withholding),
    )


def summarize(conceptos: Sequence[ConceptAmounts], decimals: int) -> DocumentAmounts:
    """The document's SubTotal, Descuento, Impuestos summary and Total from its concepts."""
    subtotal = sum((c.importe for c in conceptos), ZERO)
    descuentos = [c.descuento for c in conceptos if c.descuento is not None]
    descuento = sum(descuentos, ZERO) if descuentos else None

    grouped: dict[tuple[str, str, Decimal | None], list[TaxLine]] = {}
    for concepto in conceptos:
        for line in concepto.traslados:
            grouped.setdefault((line.impuesto, line.tipo_factor, line.tasa_o_cuota), []).append(line)
    traslados = tuple(
        TrasladoTotal(
            base=round_money(sum((line.base for line in lines), ZERO), decimals),
            impuesto=impuesto,
            tipo_factor=tipo_factor,
            tasa_o_cuota=tasa,
            importe=None if tipo_factor == "Exento" else sum((importe_of(line) for line in lines), ZERO),
        )
        for (impuesto, tipo_factor, tasa), lines in grouped.items()
    )
    retenidos: dict[str, Decimal] = {}
    for concepto in conceptos:
        for line in concepto.retenciones:
            retenidos[line.impuesto] = retenidos.get(line.impuesto, ZERO) + importe_of(line)
    retenciones = tuple(RetencionTotal(impuesto=k, importe=v) for k, v in retenidos.items())

    importes = [t.importe for t in traslados if t.importe is not None]
    # CFDI40212/40213: the total exists only when some traslado is not Exento.
    total_trasladados = sum(importes, ZERO) if importes else None
    total_retenidos = sum((r.importe for r in retenciones), ZERO) if retenciones else None
    total = (
        subtotal
        - (descuento or ZERO)
        + (total_trasladados or ZERO)
        - (total_retenidos or ZERO)
    )
    return DocumentAmounts(
        conceptos=tuple(conceptos),
        subtotal=subtotal,
        descuento=descuento,
        total_impuestos_trasladados=total_trasladados,
        total_impuestos_retenidos=total_retenidos,
        total=total,
        traslados=traslados,
        retenciones=retenciones,
    )


def _checked(value: Decimal, name: str, *, positive: bool = False) -> Decimal:
    value = to_decimal(value)
    if value < 0 or (positive and value == 0):
        raise TaxInputError(f"{name} must be {'greater than' if positive else 'at least'} zero")
    if decimals_of(value) > MAX_DECIMALS:
        raise TaxInputError(f"{name} has more than {MAX_DECIMALS} decimals")
    return value


def _normalized(tax: Tax) -> Tax:
    if tax.type not in IMPUESTO:
        raise TaxInputError(f"unknown tax type {tax.type!r}")
    if tax.factor == "Exento":
        if tax.withholding:
            raise TaxInputError(f"{tax.type} withholding cannot be Exento")
        return Tax(tax.type, None, "Exento", False, tax.inclusive)
    if tax.factor not in ("Tasa", "Cuota"):
        raise TaxInputError(f"unknown tax factor {tax.factor!r}")
    if tax.rate is None:
        raise TaxInputError(f"{tax.type} {tax.factor} needs a rate")
    rate = to_decimal(tax.rate)
    if rate < 0:
        raise TaxInputError(f"{tax.type} rate must not be negative")
    return Tax(tax.type, round_rate(rate), tax.factor, tax.withholding, tax.inclusive)


def _tax_line(tax: Tax, quantity: Decimal, base: Decimal, decimals: int) -> TaxLine:
    impuesto = IMPUESTO[tax.type]
    if tax.factor == "Exento":
        return TaxLine(base=_positive_base(base, tax), impuesto=impuesto, tipo_factor="Exento",
                       tasa_o_cuota=None, importe=None)
    assert tax.rate is not None  # _normalized
    if tax.factor == "Cuota":
        return TaxLine(base=quantity, impuesto=impuesto, tipo_factor="Cuota", tasa_o_cuota=tax.rate,
                       importe=round_money(quantity * tax.rate, decimals))
    return TaxLine(base=_positive_base(base, tax), impuesto=impuesto, tipo_factor="Tasa",
                   tasa_o_cuota=tax.rate, importe=round_money(base * tax.rate, decimals))


def _positive_base(base: Decimal, tax: Tax) -> Decimal:
    if base <= 0:  # CFDI40174 / CFDI40181
        raise TaxInputError(f"{tax.type} needs a taxable base greater than zero (the amount after discount is 0)")
    return base
