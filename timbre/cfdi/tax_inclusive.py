"""Inclusive prices: the pre-tax ValorUnitario (and Descuento) of a price that already contains its taxes, and the
cent a rounded inclusive line can be away from the price the customer was quoted."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal

from .money import MAX_DECIMALS, round_money, tax_bounds
from .tax_types import ZERO, Tax, TaxInputError, TaxLine, importe_of


def _per_unit_gross(net: Decimal, taxes: Sequence[Tax]) -> Decimal:
    """Per-unit price including the inclusive taxes, before rounding (linear in `net`)."""
    ieps = sum(
        (
            net * t.rate if t.factor == "Tasa" else t.rate
            for t in taxes
            if t.type == "IEPS" and not t.withholding and t.rate is not None
        ),
        ZERO,
    )
    gross = net
    for tax in taxes:
        if not tax.inclusive or tax.factor == "Exento" or tax.rate is None:
            continue
        base = net + ieps if tax.type == "IVA" else net
        amount = tax.rate if tax.factor == "Cuota" else base * tax.rate
        gross += -amount if tax.withholding else amount
    return gross


def exclusive_prices(
    unit_price: Decimal, discount: Decimal, taxes: Sequence[Tax]
) -> tuple[Decimal, Decimal]:
    """Solve gross(net) = unit_price for the pre-tax unit price; the discount scales likewise."""
    fixed = _per_unit_gross(ZERO, taxes)  # inclusive per-unit cuotas
    slope = _per_unit_gross(Decimal(1), taxes) - fixed
    if slope <= 0:
        raise TaxInputError("inclusive taxes leave no positive pre-tax price")
    net = (unit_price - fixed) / slope
    if net < 0:
        raise TaxInputError("unit_price is lower than its inclusive fixed-amount taxes")
    return _compact(round_money(net, MAX_DECIMALS)), discount / slope


def fit_inclusive(
    included: Decimal, lines: list[tuple[Tax, TaxLine]], decimals: int
) -> list[tuple[Tax, TaxLine]]:
    """Make an inclusive-price line add up to quantity * unit_price - discount, when SAT allows it.

    Rounding the derived pre-tax amount and then the tax can leave the line a cent away from
    the price the customer was quoted (3 x 99.99 with IVA included: 258.59 + 41.37 = 299.96).
    Anexo 20 accepts a tax Importe anywhere inside `tax_bounds` (41.37-41.38 here), so move one
    inclusive Tasa tax inside its range to close the gap; otherwise keep the plain rounding.
    `included` is the amount the inclusive taxes should add up to (gross total - base).
    """
    def signed(tax: Tax, line: TaxLine) -> Decimal:
        return -importe_of(line) if tax.withholding else importe_of(line)

    gap = included - sum((signed(tax, line) for tax, line in lines if tax.inclusive), ZERO)
    if gap == 0:
        return lines
    candidates = sorted(
        (index for index, (tax, line) in enumerate(lines) if tax.inclusive and tax.factor == "Tasa"),
        key=lambda index: -importe_of(lines[index][1]),
    )
    for index in candidates:
        tax, line = lines[index]
        assert line.tasa_o_cuota is not None
        assert line.importe is not None
        fitted = line.importe - gap if tax.withholding else line.importe + gap
        lower, upper = tax_bounds(line.base, line.tasa_o_cuota, decimals)
        if fitted >= 0 and lower <= fitted <= upper:
            return [*lines[:index], (tax, replace(line, importe=fitted)), *lines[index + 1:]]
    return lines


def _compact(value: Decimal) -> Decimal:
    """Drop trailing zeros without switching to exponent notation (100.000000 -> 100)."""
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()
