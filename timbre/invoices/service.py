"""Reading invoices: lists, search, one invoice, its files, the CFDI error catalog."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session, object_session

from timbre.auth.dependencies import AuthContext
from timbre.cfdi.rules import ErrorInfo, query
from timbre.complements.repository import ComplementDocumentRepository
from timbre.config import Settings
from timbre.emails.service import outcomes
from timbre.errors import NotFound
from timbre.invoices import files
from timbre.invoices.output import Listed, serialize
from timbre.invoices.repository import InvoiceRepository, ListedInvoice
from timbre.kit.pagination import ListParams, Page, paginate
from timbre.models import Invoice

NOT_FOUND = ("Invoice not found", "The specified invoice does not exist")
ORDERABLE = {"folio_number": Invoice.folio_number, "total": Invoice.total, "updated_at": Invoice.updated_at}


class InvoiceService:
    def list_invoices(self, session: Session, auth: AuthContext, invoice_type: str, params: ListParams, *,
             status: str | None, client_id: str | None, series: str | None, payment_method: str | None) -> Page:
        stmt = InvoiceRepository.from_session(session).listing(
            auth.team_id, auth.livemode, invoice_type, status=status, client_id=client_id, series=series,
            payment_method=payment_method)
        return paginate(session, stmt, Invoice, params, orderable=ORDERABLE, metadata_column=Invoice.metadata_,
                        rows=ListedInvoice._make)

    def search(self, session: Session, auth: AuthContext, q: str, params: ListParams,
               invoice_type: str | None) -> Page:
        stmt = InvoiceRepository.from_session(session).search(auth.team_id, auth.livemode, q,
                                                               invoice_type=invoice_type)
        params.page = params.page or 1
        return paginate(session, stmt, Invoice, params, orderable=ORDERABLE, rows=ListedInvoice._make)

    def get(self, session: Session, auth: AuthContext, ref: str, invoice_type: str | None = None) -> Invoice:
        """By CFDI UUID or by id (a pending or failed invoice has no UUID yet)."""
        invoice = InvoiceRepository.from_session(session).by_ref(auth.team_id, auth.livemode, ref, invoice_type)
        if invoice is None:
            raise NotFound(*NOT_FOUND)
        return invoice

    def output(self, settings: Settings, invoice: Invoice, *, with_files: bool = False,
               auth: AuthContext | None = None, emails: list[dict[str, Any]] | None = None,
               complements: list[str] | None = None) -> dict[str, Any]:
        links = files.links(settings, invoice, auth.team, None) if with_files and auth is not None \
            and invoice.status in ("valid", "cancelled") else None
        session = object_session(invoice)
        if emails is None:
            emails = self.emails_of(session, [invoice]).get(invoice.id, [])
        if complements is None:
            complements = self.complements_of(session, [invoice]).get(invoice.id, [])
        return serialize(invoice, files=links, cancellation_receipt=files.acuse_link(settings, invoice),
                         complements=complements, emails=emails)

    @staticmethod
    def emails_of(session: Session | None, invoices: Sequence[Listed]) -> dict[str, list[dict[str, Any]]]:
        """The e-mails that carried each invoice: `{to, status, sent_at}` (one query for the lot)."""
        if session is None or not invoices:
            return {}
        return outcomes(session, invoices[0].team_id, [i.id for i in invoices])

    @staticmethod
    def complements_of(session: Session | None, invoices: Sequence[Listed]) -> dict[str, list[str]]:
        """Per PPD income invoice, the uuids of the valid or pending payment complements that pay it (the CLI
        reads them); one query for the lot."""
        paid = [i for i in invoices if i.invoice_type == "I" and i.payment_method == "PPD"]
        if session is None or not paid:
            return {}
        return ComplementDocumentRepository.from_session(session).uuids_paying_each(
            paid[0].team_id, paid[0].livemode, [i.id for i in paid])

    def outputs(self, settings: Settings, session: Session, invoices: Sequence[Listed]) -> list[dict[str, Any]]:
        """A list page's invoices (`ListedInvoice` rows, or invoices)."""
        emails = self.emails_of(session, invoices)
        complements = self.complements_of(session, invoices)
        return [serialize(invoice, cancellation_receipt=files.acuse_link(settings, invoice),
                          complements=complements.get(invoice.id, []), emails=emails.get(invoice.id, []))
                for invoice in invoices]

    @staticmethod
    def cfdi_errors(code: str | None, q: str | None, type: str | None) -> list[ErrorInfo]:
        return query(code=code, q=q, type=type)

    @staticmethod
    def serialize_error(info: ErrorInfo) -> dict[str, Any]:
        return {"code": info.code, "description": info.description, "explanation": info.explanation,
                "solution": info.solution, "type": info.type, "field": info.field, "rule": info.rule,
                "node": info.node, "attribute": info.attribute, "api_triggerable": info.api_triggerable}


invoice = InvoiceService()
