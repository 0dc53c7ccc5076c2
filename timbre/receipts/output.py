"""A receipt as the API shows it (spec §2.5 and addendum §1.4: `created` and `validUntil` in unix seconds,
`url` the self-invoice link), plus the invoices it became."""

from __future__ import annotations

from typing import Any

from timbre.invoices.output import item_output
from timbre.kit.clock import now_ms
from timbre.kit.numbers import number
from timbre.models import Invoice, Receipt


def status_of(receipt: Receipt, now: int | None = None) -> str:
    """The stored status, with `expired` for an open receipt past `valid_until`."""
    if receipt.status == "pending" and receipt.valid_until < (now if now is not None else now_ms()):
        return "expired"
    return receipt.status


def _document(invoice: Invoice | None) -> dict[str, Any] | None:
    if invoice is None:
        return None
    return {"id": invoice.id, "uuid": invoice.uuid, "status": invoice.status, "series": invoice.series,
            "folio_number": invoice.folio_number, "total": number(invoice.total),
            "client": {k: (invoice.client or {}).get(k) for k in ("id", "name", "legal_name", "tax_id")}}


def serialize(receipt: Receipt, *, url: str, invoices: dict[str, Invoice],
              emails: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    client = receipt.client or {}
    invoice = invoices.get(receipt.invoice_id or "")
    global_invoice = invoices.get(receipt.global_invoice_id or "")
    return {
        "id": receipt.id,
        "object": "receipt",
        "livemode": receipt.livemode,
        "status": status_of(receipt),
        "series": receipt.series,
        "folio_number": receipt.folio_number,
        "client": {k: client.get(k) for k in ("id", "name", "legal_name", "email", "tax_id")} if client else None,
        "items": [item_output(item) for item in receipt.items or []],
        "currency": receipt.currency,
        "exchange_rate": number(receipt.exchange_rate),
        "subtotal": number(receipt.subtotal),
        "discount": number(receipt.discount),
        "taxes": number(receipt.taxes),
        "taxes_withheld": number(receipt.taxes_withheld),
        "total": number(receipt.total),
        "payment_form": receipt.payment_form,
        "periodicity": receipt.periodicity,
        "created": receipt.created_at // 1000,
        "created_at": receipt.created_at // 1000,
        "validUntil": receipt.valid_until // 1000,
        "url": url,
        "invoice_id": receipt.invoice_id,
        "invoice": _document(invoice),
        "emails": emails or [],  # {to, status, sent_at} of each e-mail of the receipt
        "invoiced_at": None if receipt.invoiced_at is None else receipt.invoiced_at // 1000,
        "global_invoice_id": receipt.global_invoice_id,
        "global_invoice": _document(global_invoice),
        "payment_id": receipt.payment_id,
        "invoice_config": receipt.invoice_config,
        "history": receipt.history or [],
        "metadata": receipt.metadata_ or {},
        "owner": receipt.owner_id,
        "team": receipt.team_id,
        "updated_at": receipt.updated_at // 1000,
        "cancelled_at": None if receipt.cancelled_at is None else receipt.cancelled_at // 1000,
    }
