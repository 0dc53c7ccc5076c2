"""What complements change on the invoices they pay, whoever changes the complement.

- A complement that fails at the PAC (at once or in a recovery job) or is cancelled gives its amounts
  back: its documents become `released` and each paid invoice's `last_balance` is recomputed from the
  payments still applied. This runs in the flush that records the new status, so no code path that
  changes a complement's status (the invoices' stamping, recovery and cancellation) can forget it.
- A PPD invoice that complements pay cannot be cancelled (spec: "Invoice has dependent payment
  complements"); the complements must be cancelled first.

Importing this module registers both (`timbre.complements.endpoints` and the payment tasks do).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from timbre.complements.repository import RELEASED, ComplementDocumentRepository, ComplementInvoiceRepository
from timbre.invoices.cancel import DEPENDENT_CHECKS
from timbre.models import Invoice

DEPENDENT_MESSAGE = "Invoice has dependent payment complements"
_LIVE = ("pending", "valid")
_GONE = ("failed", "cancelled")


def balance_of(session: Session, invoice: Invoice, *, excluding: str | None = None) -> Decimal:
    """The invoice's total minus the payments still applied (optionally leaving one complement out)."""
    documents = ComplementDocumentRepository.from_session(session)
    paid = sum((d.amount for d in documents.applied(invoice.team_id, invoice.livemode, invoice.id)
                if d.complement_id != excluding), Decimal(0))
    return invoice.total - paid


def release(session: Session, complement: Invoice) -> None:
    """Give back what a failed or cancelled complement had taken from the invoices it pays."""
    documents = ComplementDocumentRepository.from_session(session)
    rows = [d for d in documents.of_complements(complement.team_id, complement.livemode, [complement.id])
            if d.status != RELEASED]
    if not rows:
        return
    invoices = ComplementInvoiceRepository.from_session(session)
    paid = invoices.by_ids(complement.team_id, complement.livemode, [d.invoice_id for d in rows])
    invoices.lock_all(list(paid.values()))
    for row in rows:
        row.status = RELEASED
    for invoice in paid.values():
        if invoice.status == "valid":
            invoice.last_balance = balance_of(session, invoice, excluding=complement.id)


def _left_live(invoice: Invoice) -> bool:
    history = inspect(invoice).attrs.status.history
    return invoice.status in _GONE and any(old in _LIVE for old in history.deleted or ())


@event.listens_for(Session, "before_flush")
def _release_gone_complements(session: Session, _context: Any, _instances: Any) -> None:
    for obj in list(session.dirty):
        if isinstance(obj, Invoice) and obj.invoice_type == "P" and _left_live(obj):
            release(session, obj)


def _dependent_complements(session: Session, invoice: Invoice) -> str | None:
    if invoice.payment_method != "PPD":
        return None
    found = ComplementDocumentRepository.from_session(session).complements_paying(
        invoice.team_id, invoice.livemode, invoice.id)
    return DEPENDENT_MESSAGE if found else None


if _dependent_complements not in DEPENDENT_CHECKS:
    DEPENDENT_CHECKS.append(_dependent_complements)
