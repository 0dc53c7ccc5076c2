"""Register a payment received (`succeeded` at once) or request one through a payment link.

Both resolve the client as every document does (`resolve_client`), price the items with the invoices'
engine, and store the payment in one short transaction; a registered payment then runs its
automation (`automation.run_safely`) after that commit, in the request, so the response already
names the invoice (a sweep job resumes anything left unfinished).

Idempotency: the `idempotency_key` of the body (or the `Idempotency-Key` header) is stored with the
payment under a unique index, so a retry finds the first payment — also after the idempotency
middleware's 48 hours, or after an answer it did not keep — and never creates a second payment,
invoice or complement.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from timbre.auth.dependencies import AuthContext
from timbre.cfdi.pac.sandbox import MEXICO_TZ
from timbre.clients.resolver import client_snapshot, resolve_client
from timbre.clients.service import client as client_service
from timbre.complements.compose import exact
from timbre.config import Settings
from timbre.emails.service import queue_email
from timbre.errors import BadRequest, ValidationFailed
from timbre.events.types import EventType
from timbre.invoices.repository import InvoiceRepository, fold
from timbre.kit.clock import now_ms
from timbre.kit.ids import new_id
from timbre.models import Client, Invoice, Payment
from timbre.payments import automation, links
from timbre.payments.events import emit
from timbre.payments.pricing import Priced, price_amount, price_items
from timbre.payments.repository import PaymentRepository
from timbre.payments.schemas import PaymentInput, PaymentRegister, PaymentRequest


@dataclass(frozen=True, slots=True)
class Stored:
    payment: Payment
    created: bool  # False: an earlier request with the same idempotency key made it


def _invalid(field: str, message: str, title: str = "Invalid payment") -> ValidationFailed:
    return ValidationFailed(title, f"{field}: {message}", details=[{"field": field, "message": f"{field}: {message}"}])


def _ppd_invoice(session: Session, auth: AuthContext, ref: str) -> Invoice:
    invoice = InvoiceRepository.from_session(session).by_ref(auth.team_id, auth.livemode, ref, "I")
    if invoice is None:
        raise _invalid("ppd_invoice_id", f"{ref} is not an income invoice of this team")
    if invoice.payment_method != "PPD" or invoice.status not in ("valid", "pending"):
        raise _invalid("ppd_invoice_id", f"{ref} is not a stamped PPD invoice (it is {invoice.payment_method}, "
                                         f"{invoice.status})")
    return invoice


def _automation_type(body: PaymentInput, client: Client) -> str:
    if body.automation_type:
        return body.automation_type
    if body.ppd_invoice_id:
        return "ppd_invoice_and_complement"  # a payment of a PPD invoice: its complement follows
    defaults = client.defaults or {}
    if defaults.get("issue_automatic_invoices"):
        return "pue_invoice"
    return "receipt" if defaults.get("issue_invoiceable_receipts") else "none"


def _price(session: Session, auth: AuthContext, body: PaymentInput, currency: str, ppd: Invoice | None) -> Priced:
    if body.items:
        if body.amount is not None:
            raise _invalid("amount", "give items or an amount, not both")
        return price_items(session, auth, body.items, currency)
    if body.amount is not None:
        return price_amount(body.amount, currency)
    if ppd is not None and ppd.last_balance is not None and ppd.last_balance > 0:
        return price_amount(ppd.last_balance, currency)
    raise _invalid("items", "give the items (or an amount) the payment is for")


def check_ppd(ppd: Invoice, priced: Priced) -> None:
    balance = exact(ppd.last_balance if ppd.last_balance is not None else ppd.total, ppd.currency)
    if priced.total > balance:
        message = (f"the payment of {priced.total} {ppd.currency} exceeds the outstanding balance {balance:f} "
                   f"{ppd.currency} of invoice {ppd.uuid or ppd.id}")
        raise BadRequest("Payment exceeds the invoice balance", message, code="overpayment",
                         details=[{"field": "amount", "message": f"amount: {message}"}])


def search_text(payment_id: str, snapshot: dict[str, Any], metadata: dict[str, Any]) -> str:
    """What `GET /payments/search` matches: the id, the client's names, RFC and e-mail, the metadata values."""
    words = (payment_id, snapshot.get("name"), snapshot.get("legal_name"), snapshot.get("tax_id"),
             snapshot.get("email"), *(str(v) for v in metadata.values() if v is not None))
    return "|" + "|".join(fold(w) for w in words if w) + "|"


def _build(session: Session, auth: AuthContext, body: PaymentInput, key: str | None) -> Payment:
    ppd = _ppd_invoice(session, auth, body.ppd_invoice_id) if body.ppd_invoice_id else None
    if body.client is not None:
        client = resolve_client(session, auth, body.client)
    elif ppd is not None and ppd.client_id:
        client = client_service.get(session, auth, ppd.client_id)
    else:
        raise _invalid("client", "required (an id, a search or the client's fields)", "Invalid request body")
    currency = body.currency
    if ppd is not None:
        if "currency" in body.model_fields_set and currency != ppd.currency:
            raise _invalid("currency", f"a payment of invoice {ppd.uuid or ppd.id} is in its currency {ppd.currency}")
        currency = ppd.currency
    priced = _price(session, auth, body, currency, ppd)
    if ppd is not None:
        check_ppd(ppd, priced)
    kind = _automation_type(body, client)
    exchange_rate = None if currency == "MXN" else body.exchange_rate
    if currency != "MXN" and exchange_rate is None and kind != "none":
        raise _invalid("exchange_rate", f"required for a payment in {currency} whose documents are issued "
                                        "(MXN per unit)")
    snapshot = {**client_snapshot(client), "use": body.use or client.use}
    payment_id = new_id("payment")
    return Payment(
        id=payment_id, team_id=auth.team_id, livemode=auth.livemode, status="pending", client_id=client.id,
        client=snapshot, client_email=client.email, client_tax_id=client.tax_id, items=priced.items,
        currency=currency, exchange_rate=exchange_rate, subtotal=priced.subtotal, discount=priced.discount,
        taxes=priced.taxes, taxes_withheld=priced.taxes_withheld, total=priced.total, amount_refunded=Decimal(0),
        automation_type=kind, automation_status="none" if kind == "none" else "pending",
        ppd_invoice_id=ppd.id if ppd is not None else None, refunds=[], idempotency_key=key,
        metadata_=body.metadata,
        emails=list(body.emails or []), send_email=bool(body.send_email), owner_id=auth.user_id,
        search_text=search_text(payment_id, snapshot, body.metadata), allowed_payment_methods=[])


def _store(session: Session, auth: AuthContext, payment: Payment) -> Stored:
    repo = PaymentRepository.from_session(session)
    try:
        with session.begin_nested():
            repo.add(payment)
    except IntegrityError:
        # Another request with the same key committed first (the middleware normally serializes them).
        existing = repo.by_idempotency_key(auth.team_id, auth.livemode, payment.idempotency_key or "")
        if existing is None:
            raise
        return Stored(existing, False)
    return Stored(payment, True)


def _existing(session: Session, auth: AuthContext, key: str | None) -> Payment | None:
    if not key:
        return None
    return PaymentRepository.from_session(session).by_idempotency_key(auth.team_id, auth.livemode, key)


def register(session: Session, auth: AuthContext, settings: Settings, body: PaymentRegister,
             header_key: str | None) -> Stored:
    session.commit()  # end the read-only authentication transaction: the write below starts afresh
    key = body.idempotency_key or header_key
    if (found := _existing(session, auth, key)) is not None:
        return Stored(found, False)
    payment = _build(session, auth, body, key)
    payment.status = "succeeded"
    payment.payment_form = body.payment_form
    payment.operation_number = body.operation_number
    payment.payment_processor = "api"
    payment.succeeded_at = epoch_ms(body.paid_at) if body.paid_at is not None else now_ms()
    stored = _store(session, auth, payment)
    if stored.created:
        emit(session, payment, EventType.payment_created, EventType.payment_succeeded)
    session.commit()
    if stored.created:
        automation.run_safely(session, auth, settings, payment.id)
    return stored


def epoch_ms(value: datetime | int) -> int:
    """A unix time (seconds or ms) or a date-time (naive: Mexico City's wall clock) in ms."""
    if isinstance(value, int):
        return value if value >= 10**11 else value * 1000
    aware = value if value.tzinfo is not None else value.replace(tzinfo=MEXICO_TZ)
    return int(aware.timestamp() * 1000)


def _send_link(session: Session, auth: AuthContext, settings: Settings, payment: Payment) -> None:
    recipients = list(dict.fromkeys([e for e in [(payment.client or {}).get("email"), *payment.emails] if e]))
    team = auth.team
    name = (team.brand or {}).get("alias") or team.legal_name
    emails = (team.settings or {}).get("emails") or {}
    url = links.short_url(settings.public_url, payment)
    subject = emails.get("payment_subject") or f"Solicitud de pago de {name}"
    body = (emails.get("payment_body") or f"{name} te envía una solicitud de pago por {payment.total:,.2f} "
            f"{payment.currency}.") + f"\n\nPaga aquí: {url}\n"
    for to in recipients:
        queue_email(session, to=to, subject=subject, body=body, team_id=team.id)


def request(session: Session, auth: AuthContext, settings: Settings, body: PaymentRequest,
            header_key: str | None) -> Stored:
    session.commit()
    key = body.idempotency_key or header_key
    if (found := _existing(session, auth, key)) is not None:
        return Stored(found, False)
    payment = _build(session, auth, body, key)
    payment.status = "requires_payment_method"  # gigstack: a requested payment waits for the payer's method
    payment.payment_form = body.payment_form
    payment.payment_processor = "link"
    payment.link_token = links.new_token()
    payment.allowed_payment_methods = list(dict.fromkeys(body.allowed_payment_methods or
                                                         links.available_methods(auth.team)))
    payment.send_email = body.send_email is not False
    stored = _store(session, auth, payment)
    if stored.created:
        emit(session, payment, EventType.payment_created)
    if stored.created and payment.send_email:
        _send_link(session, auth, settings, payment)
    session.commit()
    return stored
