"""Small predicates shared by several rule files."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

from ...catalogs import store
from ..money import quantum
from ._values import Node, dec, decimals, fmt, text

# SAT groups transferred taxes by Impuesto + TipoFactor + TasaOCuota (Exento has no rate).
TrasladoKey = tuple[str | None, str | None, Decimal | None]


def in_catalog(catalog: str, code: str | None, on: date) -> bool:
    """The code exists in the SAT catalog and is in force on `on`."""
    return code is not None and store.in_force(catalog, code, on)


def rounded_equal(value: Decimal, exact: Decimal, places: int) -> bool:
    """`value` is `exact` rounded to `places`, by either rounding rule SAT's PACs accept.

    SAT says "redondeo" without naming a rule; half-up and half-even only differ on exact
    ties, and a PAC must accept both, so we never reject what a correct builder writes.
    """
    q = quantum(places)
    return value in (exact.quantize(q, rounding=ROUND_HALF_UP), exact.quantize(q, rounding=ROUND_HALF_EVEN))


def too_many_decimals(name: str, value: Decimal | None, allowed: int | None, moneda: str | None) -> str | None:
    """The message when `value` has more decimals than its currency allows, else None."""
    if value is None or allowed is None or decimals(value) <= allowed:
        return None
    return f"{name} {fmt(value)} has {decimals(value)} decimals; {moneda or 'the currency'} allows {allowed}."


def amount(node: Node | None, key: str) -> Decimal | None:
    return dec(node.get(key)) if node is not None else None


def traslado_key(node: Node, suffix: str = "") -> TrasladoKey:
    """The grouping key of a Traslado (suffix "DR"/"P" for the Pagos complement's nodes)."""
    return (
        text(node.get(f"Impuesto{suffix}")),
        text(node.get(f"TipoFactor{suffix}")),
        dec(node.get(f"TasaOCuota{suffix}")),
    )
