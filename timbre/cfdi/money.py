"""Decimal helpers shared by every amount Timbre writes (XML, JSON, PDF).

There is exactly one rounding rule, `ROUNDING`, used by `round_money`. It is half-even (what
satcfdi's `round(Decimal, n)` does), which keeps our numbers identical to satcfdi's where both
compute the same value. SAT does not require half-up: Anexo 20 accepts any concept-level
amount inside the tolerance range [truncate(lower bound), ceil(upper bound)] (see
`importe_bounds` / `tax_bounds`), and both half-even and half-up always land inside it; every
document-level total is a sum of amounts that are already rounded to the currency's decimals, so
no second rounding ever happens there.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_HALF_EVEN, Decimal, InvalidOperation

ROUNDING = ROUND_HALF_EVEN
RATE_DECIMALS = 6  # TasaOCuota, Cantidad and ValorUnitario carry at most 6 decimals (XSD)
MAX_DECIMALS = 6

Number = Decimal | int | str


def to_decimal(value: Number) -> Decimal:
    """Convert an int, str or Decimal to a finite Decimal; floats are refused (they are not exact)."""
    if isinstance(value, (bool, float)):
        raise TypeError(f"money must be Decimal, int or str, not {type(value).__name__}")
    try:
        result = value if isinstance(value, Decimal) else Decimal(value)
    except InvalidOperation:
        raise ValueError(f"not a number: {value!r}") from None
    if not result.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    return result


def quantum(decimals: int) -> Decimal:
    """`Decimal('0.01')` for 2 decimals, `Decimal('1')` for 0."""
    return Decimal(1).scaleb(-decimals)


def round_money(value: Decimal, decimals: int) -> Decimal:
    """The single rounding function: `value` to `decimals` places with `ROUNDING`."""
    return value.quantize(quantum(decimals), rounding=ROUNDING)


def round_rate(value: Decimal) -> Decimal:
    """A TasaOCuota with its canonical 6 decimals (`0.160000`)."""
    return round_money(value, RATE_DECIMALS)


def truncate(value: Decimal, decimals: int) -> Decimal:
    """Drop digits beyond `decimals` (towards zero), as SAT's lower bounds do."""
    return value.quantize(quantum(decimals), rounding=ROUND_DOWN)


def ceil(value: Decimal, decimals: int) -> Decimal:
    """Round up to `decimals`, as SAT's upper bounds do."""
    return value.quantize(quantum(decimals), rounding=ROUND_CEILING)


def decimals_of(value: Decimal) -> int:
    """How many fraction digits `value` is written with (`Decimal('1.50')` -> 2)."""
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)  # finite numbers only
    return max(0, -exponent)


def half_unit(decimals: int) -> Decimal:
    """10^-decimals / 2: SAT's tolerance for a value written with `decimals` digits."""
    return quantum(decimals) / 2


def importe_bounds(cantidad: Decimal, valor_unitario: Decimal, decimals: int) -> tuple[Decimal, Decimal]:
    """Anexo 20's accepted range for a concept's Importe (CFDI40167).

    lower = (Cantidad - 10^-dc/2) * (ValorUnitario - 10^-dv/2), truncated;
    upper = (Cantidad + 10^-dc/2) * (ValorUnitario + 10^-dv/2), rounded up; where dc/dv are the
    decimals each value is written with and the result has the Importe's `decimals`.
    """
    dq = half_unit(decimals_of(cantidad))
    dv = half_unit(decimals_of(valor_unitario))
    lower = truncate((cantidad - dq) * (valor_unitario - dv), decimals)
    upper = ceil((cantidad + dq) * (valor_unitario + dv), decimals)
    return lower, upper


def tax_bounds(base: Decimal, tasa_o_cuota: Decimal, decimals: int) -> tuple[Decimal, Decimal]:
    """Anexo 20's accepted range for a concept tax Importe (CFDI40180 / CFDI40186).

    lower = (Base - 10^-db/2) * TasaOCuota, truncated; upper = (Base + 10^-db/2) * TasaOCuota,
    rounded up; db is the number of decimals Base is written with.
    """
    db = half_unit(decimals_of(base))
    return truncate((base - db) * tasa_o_cuota, decimals), ceil((base + db) * tasa_o_cuota, decimals)
