"""All SQL of receipts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, select

from timbre.invoices.repository import fold
from timbre.kit.repository import TeamScopedRepository
from timbre.kit.textsearch import contains_every_word
from timbre.models import Invoice, Payment, Receipt


class ReceiptRepository(TeamScopedRepository[Receipt]):
    model = Receipt

    def listing(self, team_id: str, livemode: bool, *, status: str | None, client_id: str | None,
                now: int) -> Select[Any]:
        stmt = self.scoped(team_id, livemode)
        if status in ("pending", "open"):
            stmt = stmt.where(Receipt.status == "pending", Receipt.valid_until >= now)
        elif status == "expired":
            stmt = stmt.where(Receipt.status == "pending", Receipt.valid_until < now)
        elif status in ("cancelled", "canceled"):
            stmt = stmt.where(Receipt.status == "cancelled")
        elif status == "stamped":
            stmt = stmt.where(Receipt.status.in_(("invoiced", "completed")))
        elif status:
            stmt = stmt.where(Receipt.status == status)
        if client_id:
            stmt = stmt.where(Receipt.client_id == client_id)
        return stmt

    def search(self, team_id: str, livemode: bool, query: str, *, status: str | None, client_id: str | None,
               now: int) -> Select[Any]:
        stmt = self.listing(team_id, livemode, status=status, client_id=client_id, now=now)
        return stmt.where(contains_every_word(Receipt.search_text, fold(query).split()))

    def by_idempotency_key(self, team_id: str, livemode: bool, key: str) -> Receipt | None:
        return self.session.scalars(self.scoped(team_id, livemode).where(Receipt.idempotency_key == key)).first()

    def scope_of(self, receipt_id: str) -> tuple[str, bool] | None:
        """(team_id, livemode) of a receipt reached through a signed link: the signature is the capability,
        so this is the one lookup that starts without a team."""
        row = self.session.execute(select(Receipt.team_id, Receipt.livemode).where(Receipt.id == receipt_id)).first()
        return None if row is None else (row[0], row[1])

    def lock(self, receipt: Receipt) -> None:
        """Re-read and keep locked until commit (PostgreSQL FOR UPDATE; SQLite's write transaction excludes
        every other writer)."""
        self.session.refresh(receipt, with_for_update=True)

    def lock_many(self, team_id: str, livemode: bool, ids: Sequence[str]) -> list[Receipt]:
        stmt = (self.scoped(team_id, livemode).where(Receipt.id.in_(list(ids))).order_by(Receipt.id)
                .with_for_update().execution_options(populate_existing=True))
        return list(self.session.scalars(stmt))

    def unclaimed(self, team_id: str, livemode: bool, created_before: int, *,
                  created_from: int | None = None) -> list[Receipt]:
        """Receipts nobody invoiced or cancelled, created before `created_before`, oldest first."""
        stmt = self.scoped(team_id, livemode).where(
            Receipt.status == "pending", Receipt.invoice_id.is_(None), Receipt.global_invoice_id.is_(None),
            Receipt.created_at < created_before)
        if created_from is not None:
            stmt = stmt.where(Receipt.created_at >= created_from)
        return list(self.session.scalars(stmt.order_by(Receipt.created_at, Receipt.id)))

    def of_global(self, team_id: str, livemode: bool, invoice_id: str) -> list[Receipt]:
        return list(self.session.scalars(self.scoped(team_id, livemode)
                                         .where(Receipt.global_invoice_id == invoice_id).order_by(Receipt.id)))

    def open_of_client(self, team_id: str, livemode: bool, client_id: str, limit: int) -> list[Receipt]:
        return list(self.session.scalars(self.scoped(team_id, livemode).where(
            Receipt.client_id == client_id, Receipt.status == "pending", Receipt.invoice_id.is_(None),
            Receipt.global_invoice_id.is_(None)).order_by(Receipt.created_at, Receipt.id).limit(limit)))

    def count_open_of_client(self, team_id: str, livemode: bool, client_id: str) -> int:
        return len(self.open_of_client(team_id, livemode, client_id, 10_000))

    def of_client(self, team_id: str, livemode: bool, client_id: str, limit: int = 100) -> list[Receipt]:
        return list(self.session.scalars(self.scoped(team_id, livemode).where(Receipt.client_id == client_id)
                                         .order_by(Receipt.created_at.desc()).limit(limit)))

    def teams_with_unclaimed(self, created_before: int) -> list[tuple[str, bool]]:
        """(team_id, livemode) pairs that have receipts for a global invoice (any team: the job runs each)."""
        rows = self.session.execute(select(Receipt.team_id, Receipt.livemode).where(
            Receipt.status == "pending", Receipt.invoice_id.is_(None), Receipt.global_invoice_id.is_(None),
            Receipt.created_at < created_before).distinct()).all()
        return [(row[0], row[1]) for row in rows]


class ReceiptInvoiceRepository(TeamScopedRepository[Invoice]):
    """The invoices receipts refer to."""

    model = Invoice

    def by_ids(self, team_id: str, livemode: bool, ids: Sequence[str | None]) -> dict[str, Invoice]:
        wanted = [i for i in ids if i]
        if not wanted:
            return {}
        stmt = self.scoped(team_id, livemode).where(Invoice.id.in_(wanted)).execution_options(populate_existing=True)
        return {i.id: i for i in self.session.scalars(stmt)}


class ReceiptPaymentRepository(TeamScopedRepository[Payment]):
    model = Payment
