"""Taxes as the API gives them (TaxElement: type, factor, rate, withholding) checked against SAT.

Shared by every place that accepts taxes (team settings, services, invoice items): a rate/factor
pair is accepted only when SAT's c_TasaOCuota lists it for that tax and direction (traslado or
retención); `Exento` carries no rate and applies to IVA and IEPS only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, Literal

from timbre.catalogs import store

__all__ = ["IMPUESTO", "tax_issues"]

IMPUESTO: dict[str, Literal["001", "002", "003"]] = {"ISR": "001", "IVA": "002", "IEPS": "003"}


def _issue(field: str, message: str, rule: str) -> dict[str, str]:
    return {"field": field, "message": f"{field}: {message}", "rule": rule}


def tax_issues(field: str, taxes: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    """One `{field, message, rule}` per tax SAT would refuse; `field` is the list's path (`taxes`).

    Each tax is a TaxElement as a mapping: `type` (IVA/ISR/IEPS), `factor` (Tasa/Cuota/Exento),
    `rate` (Decimal, int or str; never float), `withholding` (bool).
    """
    issues: list[dict[str, str]] = []
    for i, tax in enumerate(taxes):
        path = f"{field}[{i}]"
        kind, factor, withholding = tax["type"], tax["factor"], bool(tax.get("withholding"))
        rate = Decimal(str(tax.get("rate") or 0))
        if factor == "Tasa" and not Decimal("0") <= rate <= Decimal("1"):
            issues.append(_issue(f"{path}.rate", "Tax rate must be between 0 and 1", "tax_rate_range"))
            continue
        if factor == "Exento":
            if kind not in ("IVA", "IEPS"):
                issues.append(_issue(path, f"{kind} cannot be exempt (Exento applies to IVA and IEPS)",
                                     "tax_exempt_not_allowed"))
            continue
        if not store.tasa_o_cuota_allowed(IMPUESTO[kind], factor, rate, not withholding):
            direction = "withholding" if withholding else "transferred"
            issues.append(_issue(path, f"{kind} {factor} {rate} ({direction}) is not a rate allowed by SAT's "
                                       "c_TasaOCuota", "tax_rate_not_in_catalog"))
    return issues
