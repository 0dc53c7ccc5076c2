"""Invoice events: `data` is the invoice as `GET /v2/invoices/income/{uuid}` shows it. `invoice.created` when a
document is stamped (at once, or later for a 202-pending one), `invoice.failed` when it will never be, and
`invoice.canceled` when SAT accepts its cancellation, `invoice.cancellation_status_updated` while a cancellation
awaits the receiver's acceptance or after the receiver refused it; each in the transaction that records the change.

The object an event carries is kept on the session (`emitted`): the request that stamped the invoice answers
with it instead of serializing the invoice, and querying its e-mails, a second time."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from timbre.config import get_settings
from timbre.events.service import event as event_service
from timbre.events.types import EventType
from timbre.invoices.service import invoice as invoice_service
from timbre.models import Invoice

_BY_STATUS = {"valid": EventType.invoice_created, "failed": EventType.invoice_failed,
              "cancelled": EventType.invoice_canceled}
_EMITTED = "timbre.invoices.emitted"


def emit_cancellation_status(session: Session, invoice: Invoice) -> None:
    """`invoice.cancellation_status_updated`: a cancellation awaits (or was refused by) the receiver."""
    event_service.record(session, team_id=invoice.team_id, livemode=invoice.livemode,
                         type=EventType.invoice_cancellation_status_updated,
                         data=invoice_service.output(get_settings(), invoice))


def emit_status(session: Session, invoice: Invoice, *, emails: list[dict[str, Any]] | None = None) -> None:
    """The event of the invoice's current status, if it has one (a `pending` invoice has none yet); `emails`: its
    e-mails when the caller knows them (else they are read)."""
    type = _BY_STATUS.get(invoice.status)
    if type is not None:
        data = invoice_service.output(get_settings(), invoice, emails=emails)
        event_service.record(session, team_id=invoice.team_id, livemode=invoice.livemode, type=type, data=data)
        session.info.setdefault(_EMITTED, {})[invoice.id] = (invoice.status, data)


def emitted(session: Session, invoice: Invoice) -> dict[str, Any] | None:
    """A copy of the invoice's output as this session's last event of it carried it, if that event is of its
    current status (nothing has changed it since)."""
    status, data = session.info.get(_EMITTED, {}).get(invoice.id, (None, None))
    return dict(data) if data is not None and status == invoice.status else None
