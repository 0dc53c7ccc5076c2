"""Reading payments: lists, search, one payment, the hosted page's payment, their output."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from timbre.auth.dependencies import AuthContext
from timbre.config import Settings
from timbre.errors import NotFound
from timbre.kit.pagination import ListParams, Page, paginate
from timbre.models import Payment
from timbre.payments import links, output
from timbre.payments.repository import PaymentInvoiceRepository, PaymentRepository

NOT_FOUND = ("Payment not found", "The specified payment does not exist")
ORDERABLE = {"total": Payment.total, "updated_at": Payment.updated_at, "succeeded_at": Payment.succeeded_at}


class PaymentService:
    def list_payments(self, session: Session, auth: AuthContext, params: ListParams, *, status: str | None,
                      client_id: str | None, currency: str | None, email: str | None, tax_id: str | None) -> Page:
        stmt = PaymentRepository.from_session(session).listing(
            auth.team_id, auth.livemode, status=status, client_id=client_id, currency=currency, email=email,
            tax_id=tax_id)
        return paginate(session, stmt, Payment, params, orderable=ORDERABLE, metadata_column=Payment.metadata_)

    def search(self, session: Session, auth: AuthContext, q: str, params: ListParams, *, status: str | None,
               client_id: str | None) -> Page:
        stmt = PaymentRepository.from_session(session).search(auth.team_id, auth.livemode, q, status=status,
                                                              client_id=client_id)
        params.page = params.page or 1
        return paginate(session, stmt, Payment, params, orderable=ORDERABLE)

    def get(self, session: Session, auth: AuthContext, payment_id: str) -> Payment:
        found = PaymentRepository.from_session(session).get_scoped(payment_id, auth.team_id, auth.livemode)
        if found is None:
            raise NotFound(*NOT_FOUND)
        return found

    def by_link(self, session: Session, token: str) -> Payment | None:
        repo = PaymentRepository.from_session(session)
        scope = repo.scope_of_link(token)
        return None if scope is None else repo.get_scoped(*scope)

    def outputs(self, session: Session, settings: Settings, payments: Sequence[Payment]) -> list[dict[str, Any]]:
        by_scope: dict[tuple[str, bool], list[str]] = {}
        for p in payments:
            by_scope.setdefault((p.team_id, p.livemode), []).extend(i for i in (p.invoice_id, p.complement_id) if i)
        invoices = {}
        for (team_id, livemode), ids in by_scope.items():
            invoices.update(PaymentInvoiceRepository.from_session(session).by_ids(team_id, livemode, ids))
        return [output.serialize(p, short_url=links.short_url(settings.public_url, p), invoices=invoices)
                for p in payments]

    def output(self, session: Session, settings: Settings, payment: Payment) -> dict[str, Any]:
        return self.outputs(session, settings, [payment])[0]


payment = PaymentService()
