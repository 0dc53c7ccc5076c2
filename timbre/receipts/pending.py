"""`POST /clients/{id}/stamp-pending-receipts`: a client's open receipts in one CFDI, at most 100 per call.

The client must have valid fiscal data (else a 400 listing what is missing, before anything is taken).
The receipts are locked and checked in the transaction that reserves the invoice and all point to it
there, so a repeated call never invoices a receipt twice; receipts in another currency than the first
wait for a later call (`remaining`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from timbre.auth.dependencies import AuthContext
from timbre.clients.resolver import assert_ready_for_invoicing
from timbre.clients.service import client as client_service
from timbre.config import Settings
from timbre.events.types import EventType
from timbre.invoices.items import item_inputs
from timbre.invoices.linked import create_linked
from timbre.invoices.schemas import InvoiceInput
from timbre.kit.clock import now_ms
from timbre.models import Invoice, Receipt
from timbre.receipts.events import emit
from timbre.receipts.repository import ReceiptRepository

LIMIT = 100


class PendingLink:
    def __init__(self, team_id: str, livemode: bool, ids: list[str]) -> None:
        self.team_id, self.livemode, self.ids = team_id, livemode, ids

    def claim(self, session: Session) -> bool:
        rows = ReceiptRepository.from_session(session).lock_many(self.team_id, self.livemode, self.ids)
        return len(rows) == len(self.ids) and all(
            r.status == "pending" and r.invoice_id is None and r.global_invoice_id is None for r in rows)

    def attach(self, session: Session, invoice: Invoice) -> None:
        now = now_ms()
        for receipt in ReceiptRepository.from_session(session).lock_many(self.team_id, self.livemode, self.ids):
            receipt.invoice_id, receipt.status, receipt.invoiced_at = invoice.id, "invoiced", now
            emit(session, receipt, EventType.receipt_completed)


def _body(client_id: str, receipts: list[Receipt]) -> InvoiceInput:
    largest = max(receipts, key=lambda r: r.total)
    items = []
    for receipt in receipts:
        for item in item_inputs(receipt.items):
            items.append({**item, "sku": item.get("sku") or f"{receipt.series}{receipt.folio_number}"})
    return InvoiceInput.model_validate({
        "client": {"id": client_id}, "items": items, "currency": receipts[0].currency,
        "exchange_rate": receipts[0].exchange_rate, "payment_form": largest.payment_form, "payment_method": "PUE",
        "metadata": {"receipts": len(receipts)}, "send_email": True})


def stamp_pending(session: Session, auth: AuthContext, settings: Settings, client_id: str) -> dict[str, Any]:
    client = client_service.get(session, auth, client_id)
    assert_ready_for_invoicing(client)
    repo = ReceiptRepository.from_session(session)
    open_receipts = repo.open_of_client(auth.team_id, auth.livemode, client_id, LIMIT)
    batch = [r for r in open_receipts if (r.currency, r.exchange_rate) == (open_receipts[0].currency,
                                                                          open_receipts[0].exchange_rate)]
    result: dict[str, Any] = {"stamped": 0, "failed": 0, "remaining": 0, "results": [], "invoice_id": None}
    if batch:
        created = create_linked(session, auth, settings, _body(client_id, batch), "I",
                                PendingLink(auth.team_id, auth.livemode, [r.id for r in batch]))
        if created is not None and created.status == "failed":
            for receipt in repo.lock_many(auth.team_id, auth.livemode, [r.id for r in batch]):
                receipt.status, receipt.invoice_id, receipt.invoiced_at = "pending", None, None
                emit(session, receipt, EventType.receipt_updated)
            session.commit()
            result.update(failed=len(batch), invoice_id=created.invoice.id, error=created.invoice.error)
            result["results"] = [{"id": r.id, "status": "failed"} for r in batch]
        elif created is not None:
            result.update(stamped=len(batch), invoice_id=created.invoice.id)
            result["results"] = [{"id": r.id, "status": "invoiced"} for r in batch]
    result["remaining"] = repo.count_open_of_client(auth.team_id, auth.livemode, client_id)
    session.commit()
    return result
