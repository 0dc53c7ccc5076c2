"""All SQL of drafts."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select

from timbre.kit.repository import TeamScopedRepository
from timbre.models import InvoiceDraft


class DraftRepository(TeamScopedRepository[InvoiceDraft]):
    model = InvoiceDraft

    def listing(self, team_id: str, livemode: bool, *, invoice_type: str | None = None, client_id: str | None = None,
                status: str | None = None) -> Select[Any]:
        stmt = self.scoped(team_id, livemode)
        if invoice_type:
            stmt = stmt.where(InvoiceDraft.invoice_type == invoice_type)
        if client_id:
            stmt = stmt.where(InvoiceDraft.client_id == client_id)
        if status:
            stmt = stmt.where(InvoiceDraft.status == status)
        return stmt

    def lock(self, draft: InvoiceDraft) -> None:
        """Re-read the draft and keep it locked until commit (PostgreSQL: FOR UPDATE)."""
        self.session.refresh(draft, with_for_update=True)
