"""A payment as the API shows it (spec §2.4 and the fields gigstack's CLI reads). Amounts are stored as
exact decimals and written as JSON numbers here, once."""

from __future__ import annotations

from typing import Any

from timbre.invoices.output import item_output
from timbre.kit.numbers import number
from timbre.models import Invoice, Payment


def _seconds(ms: int | None) -> int | None:
    return None if ms is None else ms // 1000


def _document(invoice: Invoice | None) -> dict[str, Any] | None:
    if invoice is None:
        return None
    return {"id": invoice.id, "uuid": invoice.uuid, "status": invoice.status, "invoice_type": invoice.invoice_type,
            "series": invoice.series, "folio_number": invoice.folio_number,
            "payment_method": invoice.payment_method, "error": invoice.error if invoice.status == "failed" else None}


def serialize(payment: Payment, *, short_url: str | None, invoices: dict[str, Invoice]) -> dict[str, Any]:
    client = payment.client or {}
    invoice, complement = invoices.get(payment.invoice_id or ""), invoices.get(payment.complement_id or "")
    return {
        "id": payment.id,
        "object": "payment",
        "livemode": payment.livemode,
        "status": payment.status,
        "client": {key: client.get(key) for key in ("id", "name", "legal_name", "email", "tax_id", "tax_system")},
        "currency": payment.currency,
        "exchange_rate": number(payment.exchange_rate),
        "payment_form": payment.payment_form,
        "payment_processor": payment.payment_processor,
        "items": [item_output(item) for item in payment.items or []],
        "subtotal": number(payment.subtotal),
        "discount": number(payment.discount),
        "taxes": number(payment.taxes),
        "taxes_withheld": number(payment.taxes_withheld),
        "total": number(payment.total),
        "amount": number(payment.total),
        "amount_refunded": number(payment.amount_refunded),
        "automation_type": payment.automation_type,
        "automation": {"status": payment.automation_status, "error": payment.automation_error},
        "invoice_id": payment.invoice_id,
        "invoice": _document(invoice),
        "complement_id": payment.complement_id,
        "complement": _document(complement),
        "invoices": [i for i in (payment.invoice_id, payment.complement_id) if i],
        "ppd_invoice_id": payment.ppd_invoice_id,
        "receipt_id": (payment.receipt or {}).get("id"),
        "receipt": payment.receipt,
        "allowed_payment_methods": payment.allowed_payment_methods or [],
        "short_url": short_url,
        "refunds": [{**r, "amount": number(r.get("amount"))} for r in payment.refunds or []],
        "payer_notice": payment.payer_notice,
        "metadata": payment.metadata_ or {},
        "emails": payment.emails or [],
        "owner": payment.owner_id,
        "team": payment.team_id,
        "created_at": _seconds(payment.created_at),
        "updated_at": _seconds(payment.updated_at),
        "succeeded_at": _seconds(payment.succeeded_at),
        "cancelled_at": _seconds(payment.cancelled_at),
        "refunded_at": _seconds(payment.refunded_at),
    }
