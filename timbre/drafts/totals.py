"""A draft's amounts, as the invoice it stands for would carry them (`subtotal`, `discount`, `taxes`,
`taxes_withheld`, `total`, JSON numbers), priced with the invoice's own item rules (services, team default
taxes, SAT rounding) once its items can be priced; nothing is stored while pricing."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from timbre.auth.dependencies import AuthContext
from timbre.catalogs import store
from timbre.cfdi.taxes import summarize
from timbre.invoices.items import ItemResolver
from timbre.invoices.schemas import ItemInput
from timbre.kit.numbers import number
from timbre.models import InvoiceDraft


def totals(session: Session, auth: AuthContext, draft: InvoiceDraft) -> dict[str, Any]:
    """The draft's amounts, or `{}` while it has no items or an item cannot be priced yet."""
    payload = draft.payload or {}
    items = payload.get("items")
    if not items:
        return {}
    try:
        parsed = [ItemInput.model_validate(item) for item in items]
    except ValidationError:
        return {}
    currency = str(payload.get("currency") or "MXN")
    decimals = store.moneda_decimales(currency) if store.exists("c_Moneda", currency) else 2
    pricer = ItemResolver(session, auth, currency, decimals, create_services=False)
    lines = pricer.resolve(parsed)
    priced = [line.amounts for line in lines if line.amounts is not None]
    if pricer.problems or len(priced) != len(parsed):
        return {}
    amounts = summarize(priced, decimals)
    return {"subtotal": number(amounts.subtotal), "discount": number(amounts.descuento or 0),
            "taxes": number(amounts.total_impuestos_trasladados or 0),
            "taxes_withheld": number(amounts.total_impuestos_retenidos or 0), "total": number(amounts.total)}
