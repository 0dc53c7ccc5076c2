"""Refunds of a paid payment, in full or in part (`POST /payments/{id}/refund`).

The money goes back outside Timbre (bank or processor: `external_processor_refund` records that it
already did); Timbre records the refund and keeps the fiscal side consistent, per the team's settings:

- `cancel_receipts_on_refunds`: a full refund cancels the payment's pending receipt;
- `refunds.current_month_handler` (`cancel_resources` | `credit_note`): with refunds settings, a
  refund of a payment whose PUE invoice was issued this month either cancels that invoice (a full
  refund, motive 03 "no se llevó a cabo la operación") or issues a credit note (egress CFDI related
  01 to the invoice) for the amount refunded; an invoice of an earlier month always gets a credit
  note. Without refunds settings the invoice is left as is (`fiscal_action: none`).
The outcome is kept on the refund (`fiscal_action`, `credit_note_id`, `fiscal_error`).
"""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy.orm import Session

from timbre.auth.dependencies import AuthContext
from timbre.catalogs import husos
from timbre.cfdi.money import decimals_of
from timbre.complements.compose import exact
from timbre.config import Settings
from timbre.errors import BusinessRuleViolation, Conflict, TimbreError, ValidationFailed
from timbre.events.types import EventType
from timbre.invoices import cancel as cancel_use_case
from timbre.invoices import create as create_use_case
from timbre.invoices.schemas import CancelInput, InvoiceInput
from timbre.kit.clock import now_ms
from timbre.kit.ids import new_id
from timbre.models import Invoice, Payment
from timbre.payments.events import emit
from timbre.payments.lifecycle import get_locked
from timbre.payments.pricing import currency_decimals
from timbre.payments.repository import PaymentInvoiceRepository
from timbre.payments.schemas import RefundInput
from timbre.receipts.from_payment import cancel_for_refund


def _invalid(message: str) -> ValidationFailed:
    return ValidationFailed("Invalid refund", f"amount: {message}", details=[{"field": "amount",
                                                                              "message": f"amount: {message}"}])


def _credit_note(payment: Payment, invoice: Invoice, amount: Decimal) -> InvoiceInput:
    items = [{"description": f"Devolución del pago {payment.id}", "quantity": 1, "unit_price": share,
              "product_key": "84111506", "unit_key": "ACT", "taxes": [{**tax, "inclusive": True} for tax in taxes]}
             for taxes, share in refunded_by_taxes(invoice, amount, currency_decimals(payment.currency))]
    return InvoiceInput.model_validate({
        "client": {"id": payment.client_id}, "currency": payment.currency, "exchange_rate": payment.exchange_rate,
        "items": items, "use": "G02", "payment_form": payment.payment_form, "payment_method": "PUE",
        "related_documents": [{"relationship": "01", "documents": [invoice.uuid]}],
        "metadata": {"payment_id": payment.id},
    })


def refunded_by_taxes(invoice: Invoice, amount: Decimal, decimals: int) -> list[tuple[list[dict[str, Any]], Decimal]]:
    """The refunded amount (taxes included) spread over the invoice's groups of items with the same taxes, in
    proportion to what each group charged, so that the credit note gives back each tax rate's share: one
    concept per group; the rounding remainder goes to the largest group."""
    groups: dict[str, tuple[list[dict[str, Any]], Decimal]] = {}
    for item in invoice.items or []:
        taxes = list(item.get("taxes") or [])
        key = json.dumps(taxes, sort_keys=True)
        groups[key] = (taxes, groups.get(key, (taxes, Decimal(0)))[1] + Decimal(str(item.get("total") or 0)))
    charged = sum((weight for _, weight in groups.values()), Decimal(0))
    if charged <= 0:
        return [([], amount)]
    quantum = Decimal(1).scaleb(-decimals)
    shares = [(taxes, (amount * weight / charged).quantize(quantum, ROUND_HALF_UP))
              for taxes, weight in groups.values()]
    largest = max(range(len(shares)), key=lambda i: shares[i][1])
    taxes, share = shares[largest]
    shares[largest] = (taxes, share + amount - sum((s for _, s in shares), Decimal(0)))
    return [(taxes, share) for taxes, share in shares if share > 0]


def _fiscal(session: Session, auth: AuthContext, settings: Settings, payment: Payment, amount: Decimal,
            full: bool) -> dict[str, Any]:
    handler = ((auth.team.settings or {}).get("refunds") or {}).get("current_month_handler")
    invoice = PaymentInvoiceRepository.from_session(session).by_ids(
        auth.team_id, auth.livemode, [payment.invoice_id or ""]).get(payment.invoice_id or "")
    if not (auth.team.settings or {}).get("refunds") or invoice is None or invoice.status != "valid" \
            or invoice.payment_method != "PUE":
        return {"fiscal_action": "none"}
    this_month = invoice.issued_at[:7] == husos.local_now((auth.team.address or {}).get("zip")).isoformat()[:7]
    try:
        if this_month and handler == "cancel_resources" and full:
            cancelled = cancel_use_case.cancel(session, auth, settings, invoice.id, CancelInput(motive="03"))
            if cancelled.cancellation_status == "pending":  # SAT awaits the receiver's acceptance
                return {"fiscal_action": "invoice_cancellation_pending", "invoice_id": invoice.id}
            return {"fiscal_action": "invoice_cancelled", "invoice_id": invoice.id}
        created = create_use_case.create(session, auth, settings, _credit_note(payment, invoice, amount), "E")
        return {"fiscal_action": "credit_note", "credit_note_id": created.invoice.id,
                "credit_note_status": created.status}
    except TimbreError as exc:
        session.rollback()
        return {"fiscal_action": "failed", "fiscal_error": {"code": exc.error_code, "message": exc.message,
                                                            "detail": exc.detail, "details": exc.details}}


def refund(session: Session, auth: AuthContext, settings: Settings, payment_id: str, body: RefundInput) -> Payment:
    session.commit()  # end the read-only authentication transaction: the write below starts afresh
    payment = get_locked(session, auth, payment_id)
    if payment.status == "refunded":
        raise Conflict("Payment already refunded", f"Payment {payment.id} is already refunded in full",
                       code="already_refunded")
    if payment.status != "succeeded":
        raise BusinessRuleViolation("Cannot refund payment", f"Only succeeded payments are refunded (this one is "
                                    f"{payment.status}); cancel an unpaid one instead")
    left = exact(payment.total - payment.amount_refunded, payment.currency)
    amount = body.amount if body.amount is not None else left
    if decimals_of(amount) > currency_decimals(payment.currency):
        raise _invalid(f"{amount} has more decimals than {payment.currency} allows")
    if amount > left:
        raise _invalid(f"{amount} is more than the {left:f} {payment.currency} left to refund")
    payment.amount_refunded += amount
    full = payment.amount_refunded == payment.total
    entry: dict[str, Any] = {"id": new_id("refund"), "amount": str(amount), "reason": body.reason,
                             "external_processor_refund": body.external_processor_refund,
                             "created_at": now_ms() // 1000}
    if full:
        payment.status, payment.refunded_at = "refunded", now_ms()
        receipt = payment.receipt or {}
        if (auth.team.settings or {}).get("cancel_receipts_on_refunds") and receipt.get("status") == "pending" and (
                not receipt.get("id") or cancel_for_refund(session, payment)):
            payment.receipt = {**receipt, "status": "cancelled", "cancelled_at": now_ms()}
            entry["receipt_cancelled"] = True
    payment.refunds = [*(payment.refunds or []), entry]
    session.commit()
    outcome = _fiscal(session, auth, settings, payment, amount, full)
    payment = get_locked(session, auth, payment_id)
    payment.refunds = [{**r, **outcome} if r["id"] == entry["id"] else r for r in payment.refunds]
    emit(session, payment, EventType.payment_updated)
    session.commit()
    return payment
