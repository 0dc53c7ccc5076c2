"""A payment's items priced with the invoices' tax engine, so the invoice an automation issues later
carries exactly the payment's amounts.

A payment needs no SAT keys of its own: an item without `product_key`/`unit_key` (and no service or
team default) is priced with SAT's generic keys 01010101 ("no existe en el catálogo") and E48
(unidad de servicio), which the invoice then carries. Without items, `amount` is one untaxed line.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from timbre.auth.dependencies import AuthContext
from timbre.catalogs import store
from timbre.cfdi.money import decimals_of, round_money
from timbre.cfdi.taxes import summarize
from timbre.complements.compose import exact
from timbre.errors import ValidationFailed
from timbre.invoices.items import ItemResolver
from timbre.invoices.schemas import ItemInput
from timbre.invoices.validation import raise_for

GENERIC_PRODUCT_KEY = "01010101"
GENERIC_UNIT_KEY = "E48"
ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class Priced:
    items: list[dict[str, Any]]
    subtotal: Decimal
    discount: Decimal
    taxes: Decimal
    taxes_withheld: Decimal
    total: Decimal


def currency_decimals(currency: str) -> int:
    if currency == "XXX" or not store.exists("c_Moneda", currency):
        raise ValidationFailed("Invalid payment", f"currency: {currency!r} is not a c_Moneda currency",
                               details=[{"field": "currency", "message": f"currency: {currency!r} is not a "
                                                                         "c_Moneda currency"}])
    return store.moneda_decimales(currency)


def price_items(session: Session, auth: AuthContext, items: list[ItemInput], currency: str) -> Priced:
    decimals = currency_decimals(currency)
    resolver = ItemResolver(session, auth, currency, decimals)
    settings = resolver.settings
    resolver.settings = {**settings, "product_key": settings.get("product_key") or GENERIC_PRODUCT_KEY,
                         "unit_key": settings.get("unit_key") or GENERIC_UNIT_KEY}
    lines = resolver.resolve(items)
    raise_for(resolver.problems, "Invalid payment")
    amounts = summarize([line.amounts for line in lines if line.amounts is not None], decimals)
    return Priced(items=[ItemResolver.snapshot(line) for line in lines], subtotal=amounts.subtotal,
                  discount=amounts.descuento or ZERO, taxes=amounts.total_impuestos_trasladados or ZERO,
                  taxes_withheld=amounts.total_impuestos_retenidos or ZERO, total=amounts.total)


def price_amount(amount: Decimal, currency: str) -> Priced:
    decimals = currency_decimals(currency)
    amount = exact(amount, currency)
    if decimals_of(amount) > decimals:
        message = f"amount: {amount} has more than the {decimals} decimals of {currency}"
        raise ValidationFailed("Invalid payment", message, details=[{"field": "amount", "message": message}])
    value = round_money(amount, decimals)
    return Priced(items=[], subtotal=value, discount=ZERO, taxes=ZERO, taxes_withheld=ZERO, total=value)
