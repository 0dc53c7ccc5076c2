"""Reading payment complements: the list (optionally of one PPD invoice), one complement, their output."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from timbre.auth.dependencies import AuthContext
from timbre.complements import output
from timbre.complements.repository import (
    ComplementDocumentRepository,
    ComplementInvoiceRepository,
    ComplementRepository,
)
from timbre.config import Settings
from timbre.errors import NotFound
from timbre.invoices import files
from timbre.invoices.repository import InvoiceRepository
from timbre.kit.pagination import ListParams, Page, paginate
from timbre.models import Invoice, PaymentComplementDocument

NOT_FOUND = ("Payment complement not found", "The specified payment complement does not exist")
ORDERABLE = {"folio_number": Invoice.folio_number, "updated_at": Invoice.updated_at}


class ComplementService:
    def list_complements(self, session: Session, auth: AuthContext, params: ListParams, *, status: str | None,
                         client_id: str | None, invoice_id: str | None) -> Page:
        stmt = ComplementInvoiceRepository.from_session(session).listing(
            auth.team_id, auth.livemode, status=status, client_id=client_id, invoice_id=invoice_id)
        return paginate(session, stmt, Invoice, params, orderable=ORDERABLE, metadata_column=Invoice.metadata_)

    def get(self, session: Session, auth: AuthContext, ref: str) -> Invoice:
        """By CFDI UUID or id."""
        found = InvoiceRepository.from_session(session).by_ref(auth.team_id, auth.livemode, ref, "P")
        if found is None:
            raise NotFound(*NOT_FOUND)
        return found

    def outputs(self, session: Session, settings: Settings, auth: AuthContext, invoices: Sequence[Invoice], *,
                with_files: bool = False) -> list[dict[str, Any]]:
        ids = [i.id for i in invoices]
        pagos = ComplementRepository.from_session(session).of_invoices(auth.team_id, auth.livemode, ids)
        by_complement: dict[str, list[PaymentComplementDocument]] = defaultdict(list)
        for row in ComplementDocumentRepository.from_session(session).of_complements(auth.team_id, auth.livemode,
                                                                                     ids):
            by_complement[row.complement_id].append(row)
        out = []
        for invoice in invoices:
            links = files.links(settings, invoice, auth.team, None) if with_files and invoice.status in (
                "valid", "cancelled") else None
            out.append(output.serialize(invoice, pagos.get(invoice.id), by_complement[invoice.id], files=links,
                                        cancellation_receipt=files.acuse_link(settings, invoice)))
        return out

    def output(self, session: Session, settings: Settings, auth: AuthContext, invoice: Invoice, *,
               with_files: bool = False) -> dict[str, Any]:
        return self.outputs(session, settings, auth, [invoice], with_files=with_files)[0]


complement = ComplementService()
