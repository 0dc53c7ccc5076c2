"""Issue a payment complement: the invoices pipeline's transactions, with balances.

1. one short write transaction composes the complement with the paid invoices locked (400 on any
   rule), spends a credit, takes a folio of the `complements` series, seals, inserts the pending
   type-P invoice, its Pago and one row per paid invoice, and lowers each invoice's `last_balance`
   — and commits; a `Link` (a payment's automation) claims its owner first and records the
   complement on it in this same transaction, so a retried automation never issues a second one;
2. the PAC is called outside any transaction;
3. the invoices' `finish` records the outcome (valid, failed, or pending with a recovery job). A
   complement that fails or is later cancelled gives its amounts back (`balances`).
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from timbre.auth.dependencies import AuthContext
from timbre.cfdi.build import build
from timbre.cfdi.seal import seal
from timbre.complements.compose import ComplementRequest, ComposedComplement, compose
from timbre.complements.repository import APPLIED
from timbre.config import Settings
from timbre.errors import Conflict, ValidationFailed
from timbre.invoices.create import Created, contain, finish, spend_credit
from timbre.invoices.linked import Link
from timbre.invoices.repository import FolioRepository, InvoiceRepository, fold
from timbre.invoices.stamping import attempt, pac_for
from timbre.invoices.tasks import send_invoice_email
from timbre.kit import jobs
from timbre.kit.ids import new_id
from timbre.models import Invoice, PaymentComplement, PaymentComplementDocument

DOCUMENT_TYPE = "complements"
_MAX_SKIPS = 10_000


def _invoice_row(auth: AuthContext, composed: ComposedComplement, folio: int, xml: bytes,
                 metadata: dict[str, Any]) -> Invoice:
    client = composed.client_snapshot
    zero = Decimal(0)
    words = (f"{composed.series}{folio}", f"{composed.series}-{folio}", client.get("name"), client.get("legal_name"),
             client.get("tax_id"), client.get("email"), *(t.invoice.uuid for t in composed.targets))
    return Invoice(
        id=new_id("invoice"), team_id=auth.team_id, livemode=auth.livemode, invoice_type="P", status="pending",
        series=composed.series, folio_number=folio, client_id=composed.client_id, client=client,
        items=[{"id": "item_1", "description": "Pago", "quantity": "1", "unit_price": "0", "amount": "0",
                "product_key": "84111506", "unit_key": "ACT", "taxability": "01", "taxes": []}],
        currency="XXX", exchange_rate=None, subtotal=zero, discount=zero, taxes_transferred=zero,
        taxes_withheld=zero, total=zero, payment_form=None, payment_method=None, use="CP01", exports="01",
        automation_type="none", related_documents=[], related_text="|", global_=None, pdf_notes=None,
        metadata_=metadata, issued_at=composed.data.fecha.isoformat(), csd_id=composed.csd.id if composed.csd else None,
        no_certificado=composed.credential.no_certificado, xml=xml, owner_id=auth.user_id,
        search_text="|" + "|".join(fold(str(w)) for w in words if w) + "|", attempts=1)


def _records(auth: AuthContext, composed: ComposedComplement, invoice: Invoice) -> list[Any]:
    request = composed.request
    pago = composed.data.complemento["Pagos"]["Pago"][0]
    rows: list[Any] = [PaymentComplement(
        id=new_id("complement"), team_id=auth.team_id, livemode=auth.livemode, invoice_id=invoice.id,
        payment_id=request.payment_id, paid_at=composed.paid_at.isoformat(), payment_form=request.payment_form,
        currency=request.currency, exchange_rate=Decimal(pago["TipoCambioP"]), amount=Decimal(pago["Monto"]),
        operation_number=request.operation_number,
        bank={"payer": request.payer_bank, "payee": request.payee_bank})]
    for position, target in enumerate(composed.targets):
        rows.append(PaymentComplementDocument(
            id=new_id("cdoc"), team_id=auth.team_id, livemode=auth.livemode, complement_id=invoice.id,
            position=position,
            invoice_id=target.invoice.id, invoice_uuid=target.invoice.uuid, installment=target.installment,
            previous_balance=target.previous_balance, amount=target.amount, balance=target.balance,
            currency=target.invoice.currency, equivalence=target.equivalence, status=APPLIED))
        target.invoice.last_balance = target.balance
    return rows


def reserve(session: Session, auth: AuthContext, composed: ComposedComplement) -> Invoice:
    """Spend a credit, take the folio, seal, insert the pending complement and lower the balances."""
    spend_credit(session, auth.team_id)
    folios = FolioRepository.from_session(session)
    repo = InvoiceRepository.from_session(session)
    for _ in range(_MAX_SKIPS):
        folio = folios.next_folio(auth.team_id, DOCUMENT_TYPE, composed.series, auth.livemode)
        data = replace(composed.data, serie=composed.series, folio=str(folio))
        try:
            xml = seal(build(data), composed.credential)
        except ValueError as exc:  # rolled back with the credit and the folio: nothing is spent
            raise ValidationFailed("Invalid complement", f"The complement cannot be written as a CFDI: {exc}",
                                   details=[{"field": None, "message": str(exc)}]) from None
        invoice = _invoice_row(auth, composed, folio, xml, composed.request.metadata)
        try:
            with session.begin_nested():
                repo.add(invoice)
        except IntegrityError:
            continue  # a folio someone gave by hand in this series: the counter skips it
        session.add_all(_records(auth, composed, invoice))
        session.flush()
        return invoice
    raise Conflict("Series exhausted", f"No free folio found in series {composed.series!r}")


def create(session: Session, auth: AuthContext, settings: Settings, request: ComplementRequest, *,
           link: Link | None = None) -> Created | None:
    """Issue, stamp and record a complement; None when `link` says its owner already has one."""
    pac = pac_for(settings, auth.livemode)
    session.commit()  # end the read-only authentication transaction: the write below starts afresh
    if link is not None and not link.claim(session):
        session.commit()
        return None
    composed = compose(session, auth, settings.secret(), request)
    invoice = reserve(session, auth, composed)
    if link is not None:
        link.attach(session, invoice)
    session.commit()
    assert invoice.xml is not None
    try:
        status = finish(session, invoice, attempt(pac, invoice.xml), pac)
    except Exception as exc:
        status = contain(session, invoice, pac, exc)
    invoice.last_balance = None  # `finish` gives stamped documents a balance; a complement has none
    if status == "valid" and request.send_email:

        jobs.enqueue(session, send_invoice_email, invoice.id, invoice.team_id, invoice.livemode,
                     list(request.emails) or None)
    session.commit()
    return Created(invoice, status, composed.warnings)
