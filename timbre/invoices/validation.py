"""SAT's business rules before stamping, reported as one 400 that lists every violation.

Each detail carries SAT's `code`, the request `field` to fix (e.g. `items[0].taxes[1].rate`, not the XML
attribute), SAT's Spanish text (`message_es`), what exactly is wrong in English (`message_en`), and a
fix `hint`; `message` repeats the field and the English text, as every other 400 of the API does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from satcfdi.create.cfd import cfdi40

from timbre.cfdi.rules import RelatedCfdi, RuleContext, Violation, lookup, validate_cfdi
from timbre.cfdi.trial import Problem
from timbre.errors import ValidationFailed
from timbre.models import Invoice

MESSAGE = "Invoice breaks SAT rules"


def detail(code: str, field: str | None, message_en: str, *, location: str = "") -> dict[str, Any]:
    """A violation detail for a SAT code found outside the rules engine (e.g. by the tax engine)."""
    info = lookup(code)
    return {
        "field": field,
        "code": info.code if info else code,
        "message": f"{field}: {message_en}" if field else message_en,
        "message_en": message_en,
        "message_es": info.description if info else "",
        "hint": info.solution if info else "",
        "location": location,
    }


def violation_details(violations: Iterable[Violation]) -> list[dict[str, Any]]:
    return [detail(v.code, v.field, v.message_en, location=v.location) for v in violations]


def trial_details(problems: Iterable[Problem]) -> list[dict[str, Any]]:
    """Details of what the trial run of the document refused (no request field is known: the message
    names the CFDI element and attribute)."""
    return [detail(p.code, None, f"The document would be refused: {p.message}") for p in problems]


def raise_for(details: Sequence[dict[str, Any]], message: str = MESSAGE) -> None:
    if not details:
        return
    summary = "; ".join(f"{d['code']} {d['message']}" if d.get("code") else d["message"] for d in details[:10])
    if len(details) > 10:
        summary += f" (and {len(details) - 10} more)"
    raise ValidationFailed(message, summary, details=list(details))


def related_lookup(invoices: Iterable[Invoice], substitutions: set[str], *, rfc_emisor: str | None,
                   ) -> Callable[[str], RelatedCfdi | None]:
    """What the rules know about related documents of the team. A substituted invoice (relationship 04)
    may already be cancelled; any other relationship needs a valid document. Documents issued
    elsewhere are unknown (None) and not checked."""
    known: dict[str, RelatedCfdi] = {}
    for invoice in invoices:
        if invoice.uuid is None:
            continue
        usable = ("valid", "cancelled") if invoice.uuid in substitutions else ("valid",)
        known[invoice.uuid] = RelatedCfdi(
            exists=invoice.status in usable, tipo=invoice.invoice_type, moneda=invoice.currency,
            total=invoice.total, metodo_pago=invoice.payment_method, saldo=invoice.last_balance,
            rfc_emisor=rfc_emisor, rfc_receptor=(invoice.client or {}).get("tax_id"),
        )
    return lambda uuid: known.get(uuid.upper())


def check(comprobante: cfdi40.Comprobante, ctx: RuleContext) -> list[dict[str, Any]]:
    """The details of every SAT rule `comprobante` breaks (empty when it may be stamped)."""
    return violation_details(validate_cfdi(comprobante, ctx))


def context(*, cert_not_before: datetime | None, cert_not_after: datetime | None, cert_rfc: str | None,
            related: Callable[[str], RelatedCfdi | None] | None,
            tax_field: Callable[[int, str, int], str] | None,
            exchange_rate_limits: Mapping[str, tuple[Decimal, Decimal]] | None = None) -> RuleContext:
    return RuleContext(now=datetime.now(UTC), cert_not_before=cert_not_before, cert_not_after=cert_not_after,
                       cert_rfc=cert_rfc, related=related, tax_field=tax_field,
                       exchange_rate_limits=exchange_rate_limits or {})
