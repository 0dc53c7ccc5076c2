"""Reading receipts: lists, search, one receipt, the self-invoice link's receipt, their output."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from timbre.auth.dependencies import AuthContext
from timbre.config import Settings
from timbre.emails.service import outcomes
from timbre.errors import NotFound
from timbre.kit.clock import now_ms
from timbre.kit.pagination import ListParams, Page, paginate
from timbre.models import Receipt
from timbre.receipts import links, output
from timbre.receipts.repository import ReceiptInvoiceRepository, ReceiptRepository

NOT_FOUND = ("Receipt not found", "The specified receipt does not exist")
ORDERABLE = {"total": Receipt.total, "updated_at": Receipt.updated_at, "valid_until": Receipt.valid_until}


class ReceiptService:
    def list_receipts(self, session: Session, auth: AuthContext, params: ListParams, *, status: str | None,
                      client_id: str | None) -> Page:
        stmt = ReceiptRepository.from_session(session).listing(auth.team_id, auth.livemode, status=status,
                                                               client_id=client_id, now=now_ms())
        return paginate(session, stmt, Receipt, params, orderable=ORDERABLE, metadata_column=Receipt.metadata_)

    def search(self, session: Session, auth: AuthContext, q: str, params: ListParams, *, status: str | None,
               client_id: str | None) -> Page:
        stmt = ReceiptRepository.from_session(session).search(auth.team_id, auth.livemode, q, status=status,
                                                              client_id=client_id, now=now_ms())
        params.page = params.page or 1
        return paginate(session, stmt, Receipt, params, orderable=ORDERABLE)

    def get(self, session: Session, auth: AuthContext, receipt_id: str) -> Receipt:
        found = ReceiptRepository.from_session(session).get_scoped(receipt_id, auth.team_id, auth.livemode)
        if found is None:
            raise NotFound(*NOT_FOUND)
        return found

    def by_link(self, session: Session, secret: str, receipt_id: str, sig: str) -> Receipt | None:
        """The receipt of a self-invoice link, when its signature is right."""
        if not links.verify(secret, receipt_id, sig):
            return None
        repo = ReceiptRepository.from_session(session)
        scope = repo.scope_of(receipt_id)
        return None if scope is None else repo.get_scoped(receipt_id, *scope)

    def outputs(self, session: Session, settings: Settings, receipts: Sequence[Receipt]) -> list[dict[str, Any]]:
        invoices = {}
        by_scope: dict[tuple[str, bool], list[str | None]] = {}
        for r in receipts:
            by_scope.setdefault((r.team_id, r.livemode), []).extend((r.invoice_id, r.global_invoice_id))
        emails: dict[str, list[dict[str, Any]]] = {}
        for (team_id, livemode), ids in by_scope.items():
            invoices.update(ReceiptInvoiceRepository.from_session(session).by_ids(team_id, livemode, ids))
            emails.update(outcomes(session, team_id, [r.id for r in receipts if r.team_id == team_id]))
        secret = settings.secret()
        return [output.serialize(r, url=links.self_invoice_url(settings.public_url, secret, r), invoices=invoices,
                                 emails=emails.get(r.id)) for r in receipts]

    def output(self, session: Session, settings: Settings, receipt: Receipt) -> dict[str, Any]:
        return self.outputs(session, settings, [receipt])[0]


receipt = ReceiptService()
