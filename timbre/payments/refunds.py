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

from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from timbre.auth.dependencies import AuthContext
from timbre.cfdi.money import decimals_of
from timbre.complements.compose import exact
from timbre.config import Settings
from timbre.errors import BusinessRuleViolation, Conflict, TimbreError, ValidationFailed
from timbre.invoices import cancel as cancel_use_case
from timbre.invoices import create as create_use_case
from timbre.invoices.compose import mexico_now
from timbre.invoices.schemas import CancelInput, InvoiceInput
from timbre.kit.clock import now_ms
from timbre.kit.ids import new_id
from timbre.models import Invoice, Payment
from timbre.payments.lifecycle import get_locked
from timbre.payments.pricing import currency_decimals
from timbre.payments.repository import PaymentInvoiceRepository
from timbre.payments.schemas import RefundInput


def _invalid(message: str) -> ValidationFailed:
    return ValidationFailed("Invalid refund", f"amount: {message}", details=[{"field": "amount",
                                                                              "message": f"amount: {message}"}])


def _credit_note(payment: Payment, invoice: Invoice, amount: Decimal) -> InvoiceInput:
    first = (payment.items or [{}])[0]
    taxes = [{**tax, "inclusive": True} for tax in first.get("taxes") or []]
    return InvoiceInput.model_validate({
        "client": {"id": payment.client_id}, "currency": payment.currency, "exchange_rate": payment.exchange_rate,
        "items": [{"description": f"Devolución del pago {payment.id}", "quantity": 1, "unit_price": amount,
                   "product_key": "84111506", "unit_key": "ACT", "taxes": taxes}],
        "use": "G02", "payment_form": payment.payment_form, "payment_method": "PUE",
        "related_documents": [{"relationship": "01", "documents": [invoice.uuid]}],
        "metadata": {"payment_id": payment.id},
    })


def _fiscal(session: Session, auth: AuthContext, settings: Settings, payment: Payment, amount: Decimal,
            full: bool) -> dict[str, Any]:
    handler = ((auth.team.settings or {}).get("refunds") or {}).get("current_month_handler")
    invoice = PaymentInvoiceRepository.from_session(session).by_ids(
        auth.team_id, auth.livemode, [payment.invoice_id or ""]).get(payment.invoice_id or "")
    if not (auth.team.settings or {}).get("refunds") or invoice is None or invoice.status != "valid" \
            or invoice.payment_method != "PUE":
        return {"fiscal_action": "none"}
    this_month = invoice.issued_at[:7] == mexico_now().isoformat()[:7]
    try:
        if this_month and handler == "cancel_resources" and full:
            cancel_use_case.cancel(session, auth, settings, invoice.id, CancelInput(motive="03"))
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
        if (auth.team.settings or {}).get("cancel_receipts_on_refunds") and receipt.get("status") == "pending":
            payment.receipt = {**receipt, "status": "cancelled", "cancelled_at": now_ms()}
            entry["receipt_cancelled"] = True
    payment.refunds = [*(payment.refunds or []), entry]
    session.commit()
    outcome = _fiscal(session, auth, settings, payment, amount, full)
    payment = get_locked(session, auth, payment_id)
    payment.refunds = [{**r, **outcome} if r["id"] == entry["id"] else r for r in payment.refunds]
    session.commit()
    return payment
