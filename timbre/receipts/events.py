"""Receipt events: `data` is the receipt as `GET /v2/receipts/{id}` shows it, recorded in the transaction that
changes it (created, updated — edited, reopened, or open again after a failed invoice —, completed — invoiced
by name or into a global invoice —, and deleted — cancelled)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from timbre.config import get_settings
from timbre.events.service import event as event_service
from timbre.events.types import EventType
from timbre.models import Receipt
from timbre.receipts.service import receipt as receipt_service


def emit(session: Session, receipt: Receipt, type: EventType) -> None:
    session.flush()
    data = receipt_service.output(session, get_settings(), receipt)
    event_service.record(session, team_id=receipt.team_id, livemode=receipt.livemode, type=type, data=data)
