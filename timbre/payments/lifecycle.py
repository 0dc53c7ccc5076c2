"""A payment's life after it is created: paid (by the team, `POST /payments/{id}/paid`), reported as
transferred (by the payer, on the hosted page), cancelled while unpaid (edits: `payments.edit`).

    pending ──(payer: "I sent the transfer")──> processing
    pending | requires_payment_method | processing | failed ──(paid)──> succeeded ──(refunds)──> refunded
    pending | requires_payment_method | processing | failed ──(DELETE)──> cancelled
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from timbre.auth.dependencies import AuthContext
from timbre.config import Settings
from timbre.errors import BusinessRuleViolation, Conflict, NotFound, ValidationFailed
from timbre.events.types import EventType
from timbre.kit.clock import now_ms
from timbre.models import Payment
from timbre.payments import automation
from timbre.payments.create import epoch_ms
from timbre.payments.events import emit
from timbre.payments.repository import PaymentRepository
from timbre.payments.schemas import MarkPaidInput

UNPAID = ("pending", "requires_payment_method", "processing", "failed")
NOT_FOUND = ("Payment not found", "The specified payment does not exist")


def get_locked(session: Session, auth: AuthContext, payment_id: str) -> Payment:
    repo = PaymentRepository.from_session(session)
    payment = repo.get_scoped(payment_id, auth.team_id, auth.livemode)
    if payment is None:
        raise NotFound(*NOT_FOUND)
    repo.lock(payment)
    return payment


def mark_paid(session: Session, auth: AuthContext, settings: Settings, payment_id: str,
              body: MarkPaidInput) -> Payment:
    """An unpaid payment becomes `succeeded`; its automation runs after the commit."""
    session.commit()  # end the read-only authentication transaction: the write below starts afresh
    payment = get_locked(session, auth, payment_id)
    if payment.status == "succeeded":
        raise Conflict("Payment already paid", f"Payment {payment.id} is already succeeded", code="already_paid")
    if payment.status not in UNPAID:
        raise BusinessRuleViolation("Cannot mark payment as paid", f"A {payment.status} payment cannot be paid")
    form = body.payment_form or payment.payment_form
    if form is None:
        raise ValidationFailed("Invalid request body", "payment_form: required (how the money arrived, e.g. 03)",
                               details=[{"field": "payment_form", "message": "payment_form: required"}])
    payment.status, payment.payment_form = "succeeded", form
    payment.succeeded_at = epoch_ms(body.paid_at) if body.paid_at is not None else now_ms()
    payment.operation_number = body.operation_number or payment.operation_number
    if payment.payment_processor == "link":
        payment.payment_processor = "manual"
    emit(session, payment, EventType.payment_succeeded)
    session.commit()
    automation.run_safely(session, auth, settings, payment.id)
    return payment


def cancel(session: Session, auth: AuthContext, payment_id: str) -> Payment:
    """Cancel an unpaid payment (its link stops taking payments); a paid one is refunded instead."""
    payment = get_locked(session, auth, payment_id)
    if payment.status == "cancelled":
        raise Conflict("Payment already cancelled", f"Payment {payment.id} is already cancelled",
                       code="already_cancelled")
    if payment.status not in UNPAID:
        raise BusinessRuleViolation("Cannot cancel payment", f"A {payment.status} payment cannot be cancelled; "
                                    "refund it instead (POST /payments/{id}/refund)")
    payment.status, payment.cancelled_at = "cancelled", now_ms()
    if payment.automation_status == "pending":
        payment.automation_status = "none"
    emit(session, payment, EventType.payment_canceled)
    return payment


def payer_notice(session: Session, payment: Payment, reference: str | None) -> Payment:
    """The payer says the transfer was sent: `processing` until the team confirms it (marks it paid)."""
    PaymentRepository.from_session(session).lock(payment)
    if payment.status in ("pending", "requires_payment_method"):
        payment.status = "processing"
        payment.payer_notice = {"at": now_ms() // 1000, "reference": reference}
        emit(session, payment, EventType.payment_updated)
    return payment
