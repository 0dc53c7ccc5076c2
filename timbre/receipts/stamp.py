"""Invoice a receipt to a named receiver (`POST /receipts/{id}/stamp`, the self-invoice portal), once.

The receiver is the receipt's client, or the fiscal data given (the client is found by RFC and
updated, or created: an upsert by `tax_id`). The invoice is issued by the invoice pipeline
(`invoices.linked`): the receipt is locked and checked in the transaction that reserves the invoice and
records it there, so a second submit (a double click, a retry) finds the first invoice instead of
stamping another. A failed stamp (the PAC refused it) leaves the receipt open again.

A receipt that already went into a global invoice follows SAT's procedure for an "operación nominativa
relacionada en una factura global": the nominative invoice is issued, the global invoice is cancelled
with motive 04, and a new global invoice is issued for its other receipts (same period). When the
cancellation cannot be done now (the PAC is unavailable), stamping the receipt again retries it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from timbre.auth.dependencies import AuthContext
from timbre.config import Settings
from timbre.errors import BadRequest, BusinessRuleViolation, NotFound, TimbreError
from timbre.events.types import EventType
from timbre.invoices.cancel import cancel as cancel_invoice
from timbre.invoices.items import item_inputs
from timbre.invoices.linked import create_linked
from timbre.invoices.schemas import CancelInput, InvoiceInput
from timbre.kit.clock import now_ms
from timbre.models import Invoice, Receipt
from timbre.receipts import globals as global_invoices
from timbre.receipts.events import emit
from timbre.receipts.periods import Period, local_date
from timbre.receipts.repository import ReceiptInvoiceRepository, ReceiptRepository
from timbre.receipts.schemas import StampInput

log = logging.getLogger("timbre.receipts")


@dataclass(frozen=True, slots=True)
class Stamped:
    receipt: Receipt
    invoice: Invoice
    created: bool  # False: it was invoiced before (a repeated submit)


class ReceiptLink:
    """Ties the invoice of a receipt to it (`invoices.linked.Link`)."""

    def __init__(self, receipt: Receipt) -> None:
        self.receipt_id, self.team_id, self.livemode = receipt.id, receipt.team_id, receipt.livemode

    def _locked(self, session: Session) -> Receipt:
        repo = ReceiptRepository.from_session(session)
        receipt = repo.get_scoped(self.receipt_id, self.team_id, self.livemode)
        if receipt is None:
            raise NotFound("Receipt not found", "The specified receipt does not exist")
        repo.lock(receipt)
        return receipt

    def claim(self, session: Session) -> bool:
        receipt = self._locked(session)
        if receipt.status == "cancelled":
            raise BusinessRuleViolation("Receipt is cancelled", "A cancelled receipt cannot be invoiced",
                                        code="receipt_cancelled")
        if receipt.invoice_id is None:
            return True
        invoice = ReceiptInvoiceRepository.from_session(session).by_ids(
            self.team_id, self.livemode, [receipt.invoice_id]).get(receipt.invoice_id)
        return invoice is None or invoice.status == "failed"

    def attach(self, session: Session, invoice: Invoice) -> None:
        receipt = self._locked(session)
        receipt.invoice_id, receipt.status, receipt.invoiced_at = invoice.id, "invoiced", now_ms()
        if invoice.client_id:
            receipt.client_id, receipt.client = invoice.client_id, {**(invoice.client or {}), "id": invoice.client_id}
        emit(session, receipt, EventType.receipt_completed)


def _receiver(receipt: Receipt, body: StampInput) -> dict[str, Any]:
    info = body.fiscal_information
    if info is not None and info.tax_id:
        fields: dict[str, Any] = {"tax_id": info.tax_id.strip().upper(),
                                  "search": {"on_key": "tax_id", "update": True, "auto_create": True}}
        for name in ("legal_name", "tax_system", "use", "email"):
            if getattr(info, name):
                fields[name] = getattr(info, name)
        if info.zip:
            fields["address"] = {"zip": info.zip, "country": "MEX"}
        return fields
    if receipt.client_id is None:
        raise BadRequest("Receipt has no client", "Give `fiscal_information` (tax_id, legal_name, tax_system, zip): "
                         "the receipt has no client to invoice", code="client_required")
    return {"id": receipt.client_id}


def invoice_body(receipt: Receipt, client: dict[str, Any], use: str | None, send_email: bool, *,
                 notes: str | None = None, product_key: str | None = None) -> InvoiceInput:
    """The receipt's invoice: its items (with `product_key` instead of theirs, when the customer chose one)."""
    config = receipt.invoice_config or {}
    items = [{**item, "product_key": product_key} if product_key else item for item in item_inputs(receipt.items)]
    return InvoiceInput.model_validate({
        "client": client, "items": items, "currency": receipt.currency, "invoice_pdf_notes": notes,
        "exchange_rate": receipt.exchange_rate, "use": use, "payment_form": receipt.payment_form,
        "payment_method": "PUE", "series": config.get("serie"), "folio_number": config.get("folio") or None,
        "metadata": {**(receipt.metadata_ or {}), "receipt_id": receipt.id}, "send_email": send_email,
    })


def stamp(session: Session, auth: AuthContext, settings: Settings, receipt: Receipt, body: StampInput, *,
          notes: str | None = None, product_key: str | None = None) -> Stamped:
    if body.stamp_to == "general_public_foreign":
        raise BadRequest("Unsupported stamp_to", "A receipt to the foreign general public needs the customer's "
                         "country: invoice it to a client with `fiscal_information`", code="unsupported_stamp_to")
    if receipt.status == "cancelled":
        raise BusinessRuleViolation("Receipt is cancelled", "A cancelled receipt cannot be invoiced",
                                    code="receipt_cancelled")
    if body.stamp_to == "general_public_national":
        return _to_general_public(session, auth, settings, receipt)
    use = body.use or (body.fiscal_information.use if body.fiscal_information else None)
    invoice_input = invoice_body(receipt, _receiver(receipt, body), use, body.send_email, notes=notes,
                                 product_key=product_key)
    link = ReceiptLink(receipt)
    created = create_linked(session, auth, settings, invoice_input, "I", link)
    repo = ReceiptRepository.from_session(session)
    current = repo.get_scoped(receipt.id, auth.team_id, auth.livemode)
    assert current is not None
    session.refresh(current)
    if created is None:
        existing = ReceiptInvoiceRepository.from_session(session).by_ids(
            auth.team_id, auth.livemode, [current.invoice_id]).get(current.invoice_id or "")
        assert existing is not None
        if current.global_invoice_id and existing.status == "valid":
            replace_global(session, auth, settings, current.global_invoice_id)  # a replacement left undone
        return Stamped(current, existing, False)
    if created.status == "failed":
        repo.lock(current)
        current.status = "completed" if current.global_invoice_id else "pending"
        current.invoice_id, current.invoiced_at = None, None
        emit(session, current, EventType.receipt_updated)
        session.commit()
        error = created.invoice.error or {}
        raise BadRequest("Failed to stamp invoice", f"{error.get('code')}: {error.get('message')}",
                         code="stamp_rejected", details=error.get("details"), extra={"invoice_id": created.invoice.id})
    if current.global_invoice_id:
        replace_global(session, auth, settings, current.global_invoice_id)
    return Stamped(current, created.invoice, True)


def _to_general_public(session: Session, auth: AuthContext, settings: Settings, receipt: Receipt) -> Stamped:
    """The receipt alone in a global invoice of its day (c_Periodicidad 01), now."""
    result = global_invoices.RunResult()
    if receipt.invoice_id is None and receipt.global_invoice_id is None:
        day = local_date(receipt.created_at)
        global_invoices.issue(session, auth, settings, [receipt],
                              Period(day, day, "01", f"{day.month:02d}", day.year), result)
        if result.failed:
            error = result.failed[0].get("error") or {}
            raise BadRequest("Failed to stamp invoice", f"{error.get('code')}: {error.get('message')}",
                             code="stamp_rejected", details=error.get("details"))
    current = ReceiptRepository.from_session(session).get_scoped(receipt.id, auth.team_id, auth.livemode)
    assert current is not None
    session.refresh(current)
    invoice_id = current.invoice_id or current.global_invoice_id
    invoice = ReceiptInvoiceRepository.from_session(session).by_ids(auth.team_id, auth.livemode, [invoice_id]).get(
        invoice_id or "")
    if invoice is None:
        raise BusinessRuleViolation("Receipt is not open", "The receipt could not be invoiced now (another request "
                                    "invoiced it)", code="receipt_not_open")
    return Stamped(current, invoice, bool(result.invoices))


def replace_global(session: Session, auth: AuthContext, settings: Settings, global_id: str) -> None:
    """SAT's procedure once a receipt of global invoice `global_id` was invoiced by name: cancel the global
    invoice (motive 04) and issue it again without the receipts invoiced since."""
    invoices = ReceiptInvoiceRepository.from_session(session)
    original = invoices.by_ids(auth.team_id, auth.livemode, [global_id]).get(global_id)
    if original is None or original.status not in ("valid", "cancelled") or not original.global_:
        return
    if original.status == "valid":
        try:
            cancel_invoice(session, auth, settings, global_id, CancelInput(motive="04"))
        except TimbreError as exc:
            # The nominative invoice stands; stamping the receipt again retries the replacement.
            session.rollback()
            log.warning("global invoice %s not cancelled after a nominative invoice: %s", global_id, exc.detail)
            return
    repo = ReceiptRepository.from_session(session)
    others = [r for r in repo.of_global(auth.team_id, auth.livemode, global_id) if r.invoice_id is None]
    for receipt in others:
        repo.lock(receipt)
        receipt.global_invoice_id, receipt.status = None, "pending"
        receipt.history = [*(receipt.history or []), {"action": "global_invoice_cancelled", "invoice_id": global_id,
                                                      "at": now_ms() // 1000}]
        emit(session, receipt, EventType.receipt_updated)
    session.commit()
    if not others:
        return
    info = original.global_
    issued = date.fromisoformat(original.issued_at[:10])
    period = Period(first=issued, last=issued, periodicidad=str(info["periodicity"]), meses=str(info["months"]),
                    year=int(info["year"]))
    global_invoices.issue(session, auth, settings, others, period, global_invoices.RunResult())
