"""All SQL of the Retentions API (team- and mode-scoped through `scoped`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, or_

from timbre.kit.repository import TeamScopedRepository
from timbre.models import Retention


class RetentionRepository(TeamScopedRepository[Retention]):
    model = Retention

    def by_ref(self, team_id: str, livemode: bool, ref: str) -> Retention | None:
        """By its `id` or its UUID (any case)."""
        stmt = self.scoped(team_id, livemode).where(or_(Retention.id == ref, Retention.uuid == ref.upper()))
        found: Retention | None = self.session.scalars(stmt).first()
        return found

    def listing(self, team_id: str, livemode: bool, *, status: str | None, retention_key: str | None,
                client_id: str | None) -> Select[Any]:
        stmt = self.scoped(team_id, livemode)
        if status:
            stmt = stmt.where(Retention.status == status)
        if retention_key:
            stmt = stmt.where(Retention.retention_key == retention_key.zfill(2))
        if client_id:
            stmt = stmt.where(Retention.client_id == client_id)
        return stmt
