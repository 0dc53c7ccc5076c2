"""Invoice events: `data` is the invoice as `GET /v2/invoices/income/{uuid}` shows it. `invoice.created` when a
document is stamped (at once, or later for a 202-pending one), `invoice.failed` when it will never be, and
`invoice.canceled` when SAT accepts its cancellation, `invoice.cancellation_status_updated` while a cancellation
awaits the receiver's acceptance or after the receiver refused it; each in the transaction that records the change."""

from __future__ import annotations

from sqlalchemy.orm import Session

from timbre.config import get_settings
from timbre.events.service import event as event_service
from timbre.events.types import EventType
from timbre.invoices.service import invoice as invoice_service
from timbre.models import Invoice

_BY_STATUS = {"valid": EventType.invoice_created, "failed": EventType.invoice_failed,
              "cancelled": EventType.invoice_canceled}


def emit_cancellation_status(session: Session, invoice: Invoice) -> None:
    """`invoice.cancellation_status_updated`: a cancellation awaits (or was refused by) the receiver."""
    event_service.record(session, team_id=invoice.team_id, livemode=invoice.livemode,
                         type=EventType.invoice_cancellation_status_updated,
                         data=invoice_service.output(get_settings(), invoice))


def emit_status(session: Session, invoice: Invoice) -> None:
    """The event of the invoice's current status, if it has one (a `pending` invoice has none yet)."""
    type = _BY_STATUS.get(invoice.status)
    if type is not None:
        event_service.record(session, team_id=invoice.team_id, livemode=invoice.livemode, type=type,
                             data=invoice_service.output(get_settings(), invoice))
