"""The receipt a payment's automation creates (`automation_type: receipt`, or a client without fiscal
data): the payment's priced items and client as they are, the team's validity, its own folio. Created in
the transaction that locks the payment and records the receipt's id there (`payment.receipt.id`), so a
second run of the automation finds it instead of making another."""

from __future__ import annotations

from sqlalchemy.orm import Session

from timbre.events.types import EventType
from timbre.invoices.repository import FolioRepository
from timbre.kit.clock import now_ms
from timbre.kit.ids import new_id
from timbre.models import Payment, Receipt, Team
from timbre.receipts.create import DAY_MS, DEFAULT_SERIES, SPANS, search_text, team_periodicity
from timbre.receipts.events import emit
from timbre.receipts.repository import ReceiptRepository


def receipt_for_payment(session: Session, team: Team, payment: Payment) -> Receipt:
    """A new receipt of the (locked) payment."""
    now = now_ms()
    periodicity = team_periodicity(team.settings or {})
    form = payment.payment_form if payment.payment_form and payment.payment_form != "99" else "03"
    receipt = Receipt(
        id=new_id("receipt"), team_id=payment.team_id, livemode=payment.livemode, status="pending",
        series=DEFAULT_SERIES, client_id=payment.client_id, client=payment.client or None, items=payment.items,
        currency=payment.currency, exchange_rate=payment.exchange_rate, subtotal=payment.subtotal,
        discount=payment.discount, taxes=payment.taxes, taxes_withheld=payment.taxes_withheld, total=payment.total,
        payment_form=form, periodicity=periodicity, valid_until=now + SPANS[periodicity] * DAY_MS,
        payment_id=payment.id, history=[], metadata_={**(payment.metadata_ or {}), "payment_id": payment.id},
        owner_id=payment.owner_id, created_at=now)
    receipt.folio_number = FolioRepository.from_session(session).next_folio(payment.team_id, "receipt",
                                                                            DEFAULT_SERIES, payment.livemode)
    receipt.search_text = search_text(receipt)
    added = ReceiptRepository.from_session(session).add(receipt)
    emit(session, added, EventType.receipt_created)
    return added


def cancel_for_refund(session: Session, payment: Payment) -> bool:
    """Cancel the payment's receipt while nobody has invoiced it (`cancel_receipts_on_refunds`)."""
    receipt_id = (payment.receipt or {}).get("id")
    repo = ReceiptRepository.from_session(session)
    receipt = repo.get_scoped(str(receipt_id), payment.team_id, payment.livemode) if receipt_id else None
    if receipt is None:
        return False
    repo.lock(receipt)
    if receipt.status != "pending" or receipt.invoice_id or receipt.global_invoice_id:
        return False
    receipt.status, receipt.cancelled_at = "cancelled", now_ms()
    receipt.history = [*(receipt.history or []), {"action": "cancelled", "reason": "payment refunded",
                                                  "at": receipt.cancelled_at // 1000}]
    emit(session, receipt, EventType.receipt_deleted)
    return True
