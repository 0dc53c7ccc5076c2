"""All SQL of payment complements: their Pago rows, the invoices they pay and the type-P invoices."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Select, func, select

from timbre.kit.repository import TeamScopedRepository
from timbre.kit.sqlin import dialect_of, one_of
from timbre.models import Invoice, PaymentComplement, PaymentComplementDocument

APPLIED = "applied"
RELEASED = "released"


class ComplementRepository(TeamScopedRepository[PaymentComplement]):
    model = PaymentComplement

    def of_invoice(self, team_id: str, livemode: bool, invoice_id: str) -> PaymentComplement | None:
        """The Pago of the type-P invoice `invoice_id`."""
        return self.session.scalars(self.scoped(team_id, livemode).where(
            PaymentComplement.invoice_id == invoice_id)).first()

    def of_invoices(self, team_id: str, livemode: bool, invoice_ids: Iterable[str]) -> dict[str, PaymentComplement]:
        ids = list(invoice_ids)
        if not ids:
            return {}
        rows = self.session.scalars(self.scoped(team_id, livemode).where(PaymentComplement.invoice_id.in_(ids)))
        return {row.invoice_id: row for row in rows}


class ComplementDocumentRepository(TeamScopedRepository[PaymentComplementDocument]):
    model = PaymentComplementDocument

    def of_complements(self, team_id: str, livemode: bool,
                       complement_ids: Iterable[str]) -> Sequence[PaymentComplementDocument]:
        ids = list(complement_ids)
        if not ids:
            return []
        stmt = self.scoped(team_id, livemode).where(PaymentComplementDocument.complement_id.in_(ids))
        return self.session.scalars(stmt.order_by(PaymentComplementDocument.complement_id,
                                                  PaymentComplementDocument.position)).all()

    def applied(self, team_id: str, livemode: bool, invoice_id: str) -> Sequence[PaymentComplementDocument]:
        """The payments that count against the invoice's balance (their complement is pending or valid)."""
        stmt = self.scoped(team_id, livemode).where(PaymentComplementDocument.invoice_id == invoice_id,
                                                    PaymentComplementDocument.status == APPLIED)
        return self.session.scalars(stmt.order_by(PaymentComplementDocument.installment)).all()

    def last_installment(self, team_id: str, livemode: bool, invoice_id: str) -> int:
        stmt = select(func.max(PaymentComplementDocument.installment)).where(
            PaymentComplementDocument.team_id == team_id, PaymentComplementDocument.livemode == livemode,
            PaymentComplementDocument.invoice_id == invoice_id, PaymentComplementDocument.status == APPLIED)
        return int(self.session.scalar(stmt) or 0)

    def complements_paying(self, team_id: str, livemode: bool, invoice_id: str) -> list[str]:
        """Ids of the type-P invoices (pending or valid) that pay `invoice_id`."""
        stmt = select(PaymentComplementDocument.complement_id).where(
            PaymentComplementDocument.team_id == team_id, PaymentComplementDocument.livemode == livemode,
            PaymentComplementDocument.invoice_id == invoice_id, PaymentComplementDocument.status == APPLIED)
        return list(dict.fromkeys(self.session.scalars(stmt.order_by(PaymentComplementDocument.created_at))))


    def uuids_paying_each(self, team_id: str, livemode: bool, invoice_ids: Iterable[str]) -> dict[str, list[str]]:
        """Per invoice id (of those that have any), the UUIDs (ids while still pending) of the type-P invoices
        that pay it, pending or valid, oldest payment first: one query for a whole page of a list."""
        wanted = sorted(set(invoice_ids))
        if not wanted:
            return {}
        stmt = (select(PaymentComplementDocument.invoice_id, Invoice.id, Invoice.uuid)
                .join(Invoice, Invoice.id == PaymentComplementDocument.complement_id)
                .where(PaymentComplementDocument.team_id == team_id, PaymentComplementDocument.livemode == livemode,
                       one_of(PaymentComplementDocument.invoice_id, "ids", dialect_of(self.session)),
                       PaymentComplementDocument.status == APPLIED,
                       Invoice.team_id == team_id, Invoice.livemode == livemode)
                .order_by(PaymentComplementDocument.created_at))
        found: dict[str, dict[str, None]] = {}
        for invoice_id, complement_id, uuid in self.session.execute(stmt, {"ids": wanted}).all():
            found.setdefault(invoice_id, {})[uuid or complement_id] = None
        return {invoice_id: list(uuids) for invoice_id, uuids in found.items()}


class ComplementInvoiceRepository(TeamScopedRepository[Invoice]):
    """The invoices side: type-P rows, and the PPD invoices complements pay."""

    model = Invoice

    def listing(self, team_id: str, livemode: bool, *, status: str | None = None, client_id: str | None = None,
                invoice_id: str | None = None) -> Select[Any]:
        stmt = self.scoped(team_id, livemode).where(Invoice.invoice_type == "P")
        if status:
            stmt = stmt.where(Invoice.status == status)
        if client_id:
            stmt = stmt.where(Invoice.client_id == client_id)
        if invoice_id:
            paying = select(PaymentComplementDocument.complement_id).where(
                PaymentComplementDocument.team_id == team_id, PaymentComplementDocument.livemode == livemode,
                PaymentComplementDocument.invoice_id.in_(self._ids_of(team_id, livemode, invoice_id)))
            stmt = stmt.where(Invoice.id.in_(paying))
        return stmt

    def _ids_of(self, team_id: str, livemode: bool, ref: str) -> Select[Any]:
        """The id of the invoice `ref` names (its id or CFDI UUID), as a subquery."""
        key = ref.upper() if len(ref) == 36 else ref
        return select(Invoice.id).where(Invoice.team_id == team_id, Invoice.livemode == livemode,
                                        (Invoice.id == ref) | (Invoice.uuid == key))

    def by_ids(self, team_id: str, livemode: bool, ids: Iterable[str]) -> dict[str, Invoice]:
        wanted = list(ids)
        if not wanted:
            return {}
        return {i.id: i for i in self.session.scalars(self.scoped(team_id, livemode).where(Invoice.id.in_(wanted)))}

    def lock_all(self, invoices: Sequence[Invoice]) -> None:
        """Lock the invoices in a fixed order (PostgreSQL FOR UPDATE; SQLite's write transaction already
        excludes other writers), so two complements of one invoice never read the same balance."""
        for invoice in sorted(invoices, key=lambda i: i.id):
            self.session.refresh(invoice, with_for_update=True)
