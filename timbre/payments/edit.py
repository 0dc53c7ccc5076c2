"""`PUT /payments/{id}` (gigstack's UpdatePaymentInput: "the body must include at least one of `items`,
`automation_type` or `client`"), plus Timbre's `metadata` and `emails`.

- `items` are priced again exactly as on create and replace the payment's items and amounts (a payment of a
  PPD invoice stays within the invoice's balance);
- `client`: `{id}` of another client moves the payment to it; fields without an id (or with the id of the
  payment's client) patch that client's record, validated like `PUT /clients/{id}` (gigstack: "propagated to
  /clients/{id}");
- `automation_type` is attached to a payment that has no automation (`none`).

Those three change what the payment's documents will say, so they apply while the payment is unpaid (a 400
`Cannot update payment` afterwards); `metadata` and `emails` change at any time.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from timbre.auth.dependencies import AuthContext
from timbre.clients.resolver import client_snapshot, resolve_client
from timbre.clients.schemas import ClientFields, ClientRef
from timbre.clients.service import client as client_service
from timbre.errors import BusinessRuleViolation
from timbre.events.types import EventType
from timbre.invoices.repository import InvoiceRepository
from timbre.models import Payment
from timbre.payments.create import check_ppd, search_text
from timbre.payments.events import emit
from timbre.payments.lifecycle import UNPAID, get_locked
from timbre.payments.pricing import price_items
from timbre.payments.schemas import PaymentUpdate


def _refuse(payment: Payment, detail: str) -> BusinessRuleViolation:
    return BusinessRuleViolation("Cannot update payment", detail,
                                 details=[{"field": "status", "message": f"status: {payment.status}"}])


def _client(session: Session, auth: AuthContext, payment: Payment, ref: ClientRef) -> None:
    current = payment.client_id
    if ref.id and ref.id != current:
        client = resolve_client(session, auth, ClientRef(id=ref.id))
    else:
        client = client_service.get(session, auth, current) if current else resolve_client(session, auth, ref)
        fields = ref.model_dump(exclude_unset=True, exclude={"id", "search"})
        if fields and current:
            client_service.update(session, client, ClientFields.model_validate(fields))
    payment.client_id, payment.client_email, payment.client_tax_id = client.id, client.email, client.tax_id
    kept_use = (payment.client or {}).get("use") if client.id == current else None
    payment.client = {**client_snapshot(client), "use": kept_use or client.use}


def _items(session: Session, auth: AuthContext, payment: Payment, body: PaymentUpdate) -> None:
    assert body.items is not None
    priced = price_items(session, auth, body.items, payment.currency)
    if payment.ppd_invoice_id:
        ppd = InvoiceRepository.from_session(session).by_ref(auth.team_id, auth.livemode, payment.ppd_invoice_id, "I")
        if ppd is not None:
            check_ppd(ppd, priced)
    payment.items, payment.subtotal, payment.discount = priced.items, priced.subtotal, priced.discount
    payment.taxes, payment.taxes_withheld, payment.total = priced.taxes, priced.taxes_withheld, priced.total


def update(session: Session, auth: AuthContext, payment_id: str, body: PaymentUpdate) -> Payment:
    payment = get_locked(session, auth, payment_id)
    documents = [name for name in ("items", "client", "automation_type") if getattr(body, name) is not None]
    if documents and payment.status not in UNPAID:
        raise _refuse(payment, f"{', '.join(documents)} can change only while the payment is unpaid; this one is "
                               f"{payment.status}")
    if body.automation_type is not None and body.automation_type != payment.automation_type:
        if payment.automation_type != "none":
            raise _refuse(payment, f"The payment already has the automation {payment.automation_type}")
        payment.automation_type = body.automation_type
        payment.automation_status = "none" if body.automation_type == "none" else "pending"
    if body.client is not None:
        _client(session, auth, payment, body.client)
    if body.items is not None:
        _items(session, auth, payment, body)
    if body.metadata is not None:
        merged: dict[str, Any] = dict(payment.metadata_ or {})
        for key, value in body.metadata.items():
            if value is None:
                merged.pop(key, None)
            else:
                merged[key] = value
        payment.metadata_ = merged
    if body.emails is not None:
        payment.emails = list(body.emails)
    payment.search_text = search_text(payment.id, payment.client or {}, payment.metadata_ or {})
    emit(session, payment, EventType.payment_updated)
    return payment
