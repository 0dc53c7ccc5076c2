"""Checks of team fields and settings against SAT's catalogs (beyond the payload's shape)."""

from __future__ import annotations

from typing import Any, Literal

from timbre.catalogs import store
from timbre.catalogs.tax_rules import tax_issues
from timbre.clients.rfc import INVALID_TAX_ID_MESSAGE, validate_rfc
from timbre.errors import ValidationFailed

PERIODICITY_LABELS = {"day": "Día", "week": "Semana", "two_weeks": "Quincena", "month": "Mes",
                      "two_months": "Bimestre"}


def _fail(details: list[dict[str, str]]) -> None:
    if details:
        summary = "; ".join(d["message"] for d in details)
        message = "Invalid tax settings" if any(d["field"].startswith(("taxes", "withholding")) for d in details) \
            else "Invalid settings"
        raise ValidationFailed(message, summary, details=details)


def _issue(field: str, message: str) -> dict[str, str]:
    return {"field": field, "message": f"{field}: {message}"}


def check_team_fields(tax_id: str | None, tax_system: str | None) -> None:
    """The team's RFC is checked like a client's (shape, real date, SAT's check digit) and its régimen
    must be in force and apply to the kind of person the RFC names."""
    if tax_id is not None:
        rfc = validate_rfc(tax_id)
        if not rfc.valid or rfc.is_generic:
            errors = [_issue("tax_id", e.message) for e in rfc.errors] or \
                [_issue("tax_id", f"{tax_id} is a generic RFC: an issuer needs its own RFC")]
            raise ValidationFailed(INVALID_TAX_ID_MESSAGE, "; ".join(d["message"] for d in errors), details=errors)
    details = []
    if tax_system is not None and not store.in_force("c_RegimenFiscal", tax_system):
        details.append(_issue("tax_system", f"{tax_system!r} is not a tax regime of SAT's c_RegimenFiscal in force"))
    if tax_id is not None and tax_system is not None and not details:
        persona: Literal["fisica", "moral"] = "moral" if len(tax_id) == 12 else "fisica"
        if not store.regimen_applies(tax_system, persona):
            details.append(_issue("tax_system", f"regime {tax_system} does not apply to a persona {persona}"))
    _fail(details)


def check_settings(data: dict[str, Any]) -> None:
    details: list[dict[str, str]] = []
    for field in ("taxes", "withholding_taxes", "taxes_usd"):
        if isinstance(data.get(field), list):
            details.extend(tax_issues(field, data[field]))
    if data.get("product_key") and not store.exists("c_ClaveProdServ", data["product_key"]):
        details.append(_issue("product_key", f"{data['product_key']} is not in SAT's c_ClaveProdServ"))
    if data.get("unit_key") and not store.exists("c_ClaveUnidad", data["unit_key"]):
        details.append(_issue("unit_key", f"{data['unit_key']} is not in SAT's c_ClaveUnidad"))
    if data.get("use") and not store.in_force("c_UsoCFDI", data["use"]):
        details.append(_issue("use", f"{data['use']} is not a CFDI use in force (c_UsoCFDI)"))
    for i, use in enumerate(data.get("uses_on_self_invoice_portal") or []):
        if not store.in_force("c_UsoCFDI", use):
            details.append(_issue(f"uses_on_self_invoice_portal[{i}]", f"{use} is not a CFDI use in force"))
    for i, code in enumerate(data.get("avoid_automations_on_currencies") or []):
        if not store.exists("c_Moneda", code):
            details.append(_issue(f"avoid_automations_on_currencies[{i}]", f"{code} is not in SAT's c_Moneda"))
    for i, item in enumerate(data.get("allowed_product_codes") or []):
        if not store.exists("c_ClaveProdServ", item["key"]):
            details.append(_issue(f"allowed_product_codes[{i}].key", f"{item['key']} is not in c_ClaveProdServ"))
    _fail(details)
