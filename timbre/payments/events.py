"""Payment events: `data` is the payment as `GET /v2/payments/{id}` shows it, recorded in the transaction that
changes it."""

from __future__ import annotations

from sqlalchemy.orm import Session

from timbre.config import get_settings
from timbre.events.service import event as event_service
from timbre.events.types import EventType
from timbre.models import Payment
from timbre.payments.service import payment as payment_service


def emit(session: Session, payment: Payment, *types: EventType) -> None:
    data = payment_service.output(session, get_settings(), payment)
    for type in types:
        event_service.record(session, team_id=payment.team_id, livemode=payment.livemode, type=type, data=data)
