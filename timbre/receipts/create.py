"""Create, update, cancel and reopen receipts.

A receipt takes the next folio of its own series (`R` unless `series` says otherwise; document type
`receipt` in the team's series counters), prices its items with the invoices' tax engine (the team's
default taxes and SAT keys apply, as for payments), and is open for self-invoicing until `valid_until`:
the body's, else created + the `periodicity` span (the body's, else the team's, else a month = 30 days,
as gigstack's example shows). `idempotency_key` (body or header): a retry returns the first receipt.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from timbre.auth.dependencies import AuthContext
from timbre.clients.resolver import client_snapshot, resolve_client
from timbre.errors import BusinessRuleViolation, ValidationFailed
from timbre.events.types import EventType
from timbre.invoices.repository import FolioRepository, fold
from timbre.kit import jobs
from timbre.kit.clock import now_ms
from timbre.kit.ids import new_id
from timbre.models import Client, Receipt
from timbre.payments.pricing import Priced, price_items
from timbre.receipts.events import emit
from timbre.receipts.mail_tasks import send_receipt_email
from timbre.receipts.repository import ReceiptRepository
from timbre.receipts.schemas import ReceiptInput, ReceiptUpdate, ReopenInput
from timbre.receipts.service import receipt as receipt_service

DAY_MS = 24 * 3600 * 1000
SPANS = {"day": 1, "week": 7, "two_weeks": 14, "month": 30, "two_months": 60}
DEFAULT_SERIES = "R"


@dataclass(frozen=True, slots=True)
class Stored:
    receipt: Receipt
    created: bool


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed("Invalid receipt", f"{field}: {message}",
                            details=[{"field": field, "message": f"{field}: {message}"}])


def team_periodicity(settings: dict[str, Any]) -> str:
    value = settings.get("periodicity")
    value = value.get("value") if isinstance(value, dict) else value
    return value if value in SPANS else "month"


def _to_ms(value: int) -> int:
    return value if value >= 100_000_000_000 else value * 1000


def search_text(receipt: Receipt) -> str:
    client = receipt.client or {}
    fields = (receipt.id, f"{receipt.series}{receipt.folio_number}", f"{receipt.series}-{receipt.folio_number}",
              client.get("name"), client.get("legal_name"), client.get("tax_id"), client.get("email"),
              *[str(v) for v in (receipt.metadata_ or {}).values()])
    return "|" + "|".join(fold(str(value)) for value in fields if value) + "|"


def _apply_amounts(receipt: Receipt, priced: Priced) -> None:
    receipt.items, receipt.subtotal, receipt.discount = priced.items, priced.subtotal, priced.discount
    receipt.taxes, receipt.taxes_withheld, receipt.total = priced.taxes, priced.taxes_withheld, priced.total


def _check_currency(body: ReceiptInput) -> None:
    if body.currency != "MXN" and body.exchange_rate is None:
        raise _invalid("exchange_rate", f"required for a receipt in {body.currency} (MXN per unit): its invoice "
                                        "will need it")


def create(session: Session, auth: AuthContext, body: ReceiptInput, header_key: str | None) -> Stored:
    key = body.idempotency_key or header_key
    repo = ReceiptRepository.from_session(session)
    if key and (found := repo.by_idempotency_key(auth.team_id, auth.livemode, key)) is not None:
        return Stored(found, False)
    _check_currency(body)
    now = now_ms()
    settings = auth.team.settings or {}
    if body.valid_until is not None and _to_ms(body.valid_until) <= now:
        raise _invalid("valid_until", "must be in the future")
    client: Client | None = resolve_client(session, auth, body.client) if body.client is not None else None
    priced = price_items(session, auth, body.items, body.currency)
    periodicity = body.periodicity or team_periodicity(settings)
    series = body.series or DEFAULT_SERIES
    receipt = Receipt(
        id=new_id("receipt"), team_id=auth.team_id, livemode=auth.livemode, status="pending", series=series,
        client_id=client.id if client else None, client=client_snapshot(client) if client else None,
        currency=body.currency, exchange_rate=None if body.currency == "MXN" else body.exchange_rate,
        payment_form=body.payment_form, periodicity=periodicity,
        valid_until=_to_ms(body.valid_until) if body.valid_until is not None else now + SPANS[periodicity] * DAY_MS,
        invoice_config=body.invoice_config.model_dump(exclude_none=True) if body.invoice_config else None,
        history=[], idempotency_key=key, metadata_=dict(body.metadata), owner_id=auth.user_id, created_at=now)
    _apply_amounts(receipt, priced)
    receipt.folio_number = FolioRepository.from_session(session).next_folio(auth.team_id, "receipt", series,
                                                                            auth.livemode)
    receipt.search_text = search_text(receipt)
    try:
        with session.begin_nested():
            repo.add(receipt)
    except IntegrityError:
        if key and (found := repo.by_idempotency_key(auth.team_id, auth.livemode, key)) is not None:
            return Stored(found, False)
        raise
    emit(session, receipt, EventType.receipt_created)
    if body.send_email:
        jobs.enqueue(session, send_receipt_email, receipt.id, receipt.team_id, receipt.livemode, body.emails)
    return Stored(receipt, True)


def _open(receipt: Receipt, action: str) -> None:
    if receipt.status != "pending" or receipt.invoice_id or receipt.global_invoice_id:
        raise BusinessRuleViolation("Receipt is not open", f"Only an open receipt can be {action} (this one is "
                                    f"{receipt.status})", code="receipt_not_open")


def update(session: Session, auth: AuthContext, receipt_id: str, body: ReceiptUpdate) -> Receipt:
    receipt = receipt_service.get(session, auth, receipt_id)
    ReceiptRepository.from_session(session).lock(receipt)
    _open(receipt, "updated")
    if body.items is not None:
        _apply_amounts(receipt, price_items(session, auth, body.items, receipt.currency))
    if "client" in body.model_fields_set:
        client = resolve_client(session, auth, body.client) if body.client is not None else None
        receipt.client_id = client.id if client else None
        receipt.client = client_snapshot(client) if client else None
    if body.metadata is not None:
        merged = {**(receipt.metadata_ or {}), **body.metadata}
        receipt.metadata_ = {k: v for k, v in merged.items() if v is not None}
    if body.payment_form is not None:
        receipt.payment_form = body.payment_form
    receipt.search_text = search_text(receipt)
    emit(session, receipt, EventType.receipt_updated)
    return receipt


def cancel(session: Session, auth: AuthContext, receipt_id: str) -> Receipt:
    """Cancel an open (or expired) receipt: it can no longer be invoiced nor go into a global invoice."""
    receipt = receipt_service.get(session, auth, receipt_id)
    ReceiptRepository.from_session(session).lock(receipt)
    if receipt.status == "cancelled":
        return receipt
    _open(receipt, "cancelled")
    receipt.status, receipt.cancelled_at = "cancelled", now_ms()
    receipt.history = [*(receipt.history or []), {"action": "cancelled", "at": receipt.cancelled_at // 1000}]
    emit(session, receipt, EventType.receipt_deleted)
    return receipt


def reopen(session: Session, auth: AuthContext, receipt_id: str, body: ReopenInput) -> Receipt:
    """Open an expired or cancelled receipt that no invoice includes again, for another validity span."""
    receipt = receipt_service.get(session, auth, receipt_id)
    ReceiptRepository.from_session(session).lock(receipt)
    now = now_ms()
    expired = receipt.status == "pending" and receipt.valid_until < now
    if receipt.invoice_id or receipt.global_invoice_id or not (expired or receipt.status == "cancelled"):
        raise BusinessRuleViolation("Receipt cannot be reopened", "Only an expired or cancelled receipt that no "
                                    "invoice includes can be reopened", code="receipt_not_reopenable")
    receipt.status, receipt.cancelled_at = "pending", None
    receipt.valid_until = now + SPANS.get(receipt.periodicity, 30) * DAY_MS
    receipt.history = [*(receipt.history or []), {"action": "reopened", "at": now // 1000, "reason": body.reason}]
    emit(session, receipt, EventType.receipt_updated)
    return receipt
