"""A draft as the API shows it: `{id, draft: true, invoice_type, status, <the fields given>, ...}`.
`created_at`/`updated_at` are in ms, as gigstack's draft example shows them."""

from __future__ import annotations

from typing import Any

from timbre.invoices.output import item_output
from timbre.kit.numbers import number
from timbre.models import Client, Invoice, InvoiceDraft


def serialize(draft: InvoiceDraft, *, client: Client | None = None, invoice: Invoice | None = None,
              amounts: dict[str, Any] | None = None) -> dict[str, Any]:
    """`amounts`: the draft's `subtotal`, `discount`, `taxes`, `taxes_withheld` and `total` once its items can
    be priced (`drafts.totals`)."""
    payload = dict(draft.payload or {})
    given = payload.get("client")
    if isinstance(given, dict) and client is not None:
        given = {**given, "name": client.name or client.legal_name, "legal_name": client.legal_name,
                 "tax_id": client.tax_id, "email": client.email}
    return {
        "id": draft.id,
        "draft": True,
        "invoice_type": draft.invoice_type,
        "status": draft.status,
        **payload,
        "client": given,
        "currency": payload.get("currency") or "MXN",
        # Stored as exact decimal strings; shown as JSON numbers like an invoice's.
        "items": [item_output(item) for item in payload.get("items") or []],
        **({"exchange_rate": number(payload["exchange_rate"])} if payload.get("exchange_rate") is not None else {}),
        **(amounts or {}),
        "errors": draft.errors,
        "invoice_id": draft.invoice_id,
        "invoice": None if invoice is None else {"id": invoice.id, "uuid": invoice.uuid, "status": invoice.status},
        "livemode": draft.livemode,
        "team": draft.team_id,
        "owner": draft.owner_id,
        "created_at": draft.created_at,
        "updated_at": draft.updated_at,
    }
