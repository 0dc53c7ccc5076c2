"""All SQL of payments."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Select, select

from timbre.invoices.repository import fold
from timbre.kit.repository import TeamScopedRepository
from timbre.kit.textsearch import contains_every_word
from timbre.models import Invoice, Payment


class PaymentRepository(TeamScopedRepository[Payment]):
    model = Payment

    def listing(self, team_id: str, livemode: bool, *, status: str | None = None, client_id: str | None = None,
                currency: str | None = None, email: str | None = None, tax_id: str | None = None) -> Select[Any]:
        stmt = self.scoped(team_id, livemode)
        if status:
            stmt = stmt.where(Payment.status == status)
        if client_id:
            stmt = stmt.where(Payment.client_id == client_id)
        if currency:
            stmt = stmt.where(Payment.currency == currency.upper())
        if email:
            stmt = stmt.where(Payment.client_email == email.strip().lower())
        if tax_id:
            stmt = stmt.where(Payment.client_tax_id == tax_id.strip().upper())
        return stmt

    def search(self, team_id: str, livemode: bool, query: str, *, status: str | None = None,
               client_id: str | None = None) -> Select[Any]:
        """Payments whose id, client names, RFC, e-mail or metadata values contain every word of `query`."""
        stmt = self.listing(team_id, livemode, status=status, client_id=client_id)
        return stmt.where(contains_every_word(Payment.search_text, fold(query).split()))

    def by_idempotency_key(self, team_id: str, livemode: bool, key: str) -> Payment | None:
        return self.session.scalars(self.scoped(team_id, livemode).where(Payment.idempotency_key == key)).first()

    def scope_of_link(self, token: str) -> tuple[str, str, bool] | None:
        """(id, team_id, livemode) of the payment behind a hosted-page link: the token is the
        capability, so this is the one lookup that starts without a team."""
        row = self.session.execute(select(Payment.id, Payment.team_id, Payment.livemode)
                                   .where(Payment.link_token == token)).first()
        return None if row is None else (row[0], row[1], row[2])

    def lock(self, payment: Payment) -> None:
        """Re-read the payment and keep it locked until commit (PostgreSQL: FOR UPDATE; SQLite's write
        transaction already excludes every other writer)."""
        self.session.refresh(payment, with_for_update=True)

    def unfinished_automations(self, updated_before: int, limit: int = 100) -> Sequence[tuple[str, str, bool]]:
        """(id, team_id, livemode) of paid payments whose automation has not finished (any team: the
        sweep resumes each by id)."""
        stmt = (select(Payment.id, Payment.team_id, Payment.livemode)
                .where(Payment.status == "succeeded", Payment.automation_status.in_(("pending", "waiting")),
                       Payment.updated_at < updated_before)
                .order_by(Payment.updated_at).limit(limit))
        return [(row[0], row[1], row[2]) for row in self.session.execute(stmt).all()]


class PaymentInvoiceRepository(TeamScopedRepository[Invoice]):
    """The invoices payments refer to."""

    model = Invoice

    def by_ids(self, team_id: str, livemode: bool, ids: Iterable[str]) -> dict[str, Invoice]:
        wanted = [i for i in ids if i]
        if not wanted:
            return {}
        # Fresh values: an automation decides on statuses and balances other processes change.
        stmt = self.scoped(team_id, livemode).where(Invoice.id.in_(wanted)).execution_options(populate_existing=True)
        return {i.id: i for i in self.session.scalars(stmt)}
