"""A payment complement as the API shows it: the invoice fields of its CFDI (type P), plus the
payment it records and, per paid invoice, installment and balances.

`total` and `currency` are the payment's amount and currency (what gigstack's CLI prints for a
complement); the CFDI's own Total is always 0 in XXX, as SAT's Anexo 20 prescribes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from timbre.invoices.output import serialize as serialize_invoice
from timbre.kit.numbers import number
from timbre.models import Invoice, PaymentComplement, PaymentComplementDocument


def document(row: PaymentComplementDocument) -> dict[str, Any]:
    return {
        "id": row.invoice_id,
        "uuid": row.invoice_uuid,
        "installment": row.installment,
        "previous_balance": number(row.previous_balance),
        "amount": number(row.amount),
        "balance": number(row.balance),
        "currency": row.currency,
        "equivalence": number(row.equivalence),
        "status": row.status,
    }


def serialize(invoice: Invoice, pago: PaymentComplement | None, documents: Sequence[PaymentComplementDocument], *,
              files: dict[str, str] | None = None, cancellation_receipt: str | None = None) -> dict[str, Any]:
    data = serialize_invoice(invoice, files=files, cancellation_receipt=cancellation_receipt)
    data["last_balance"] = None
    data["payment_id"] = pago.payment_id if pago else None
    data["payment"] = None if pago is None else {
        "paid_at": pago.paid_at,
        "payment_form": pago.payment_form,
        "currency": pago.currency,
        "exchange_rate": number(pago.exchange_rate),
        "amount": number(pago.amount),
        "operation_number": pago.operation_number,
        "payer_bank": (pago.bank or {}).get("payer") or None,
        "payee_bank": (pago.bank or {}).get("payee") or None,
    }
    if pago is not None:
        data.update(total=number(pago.amount), currency=pago.currency, payment_form=pago.payment_form,
                    exchange_rate=number(pago.exchange_rate))
    data["invoices"] = [document(row) for row in documents]
    return data
