"""All SQL of the Retentions API (team- and mode-scoped through `scoped`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, or_, select, update

from timbre.kit.clock import now_ms
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

    def stale_pending(self, updated_before: int, limit: int = 100) -> Sequence[tuple[str, str, bool]]:
        """(id, team_id, livemode) of pending retentions nobody touched since `updated_before` (any team: the
        recovery sweep acts on each by id, through `get_scoped`)."""
        stmt = (select(Retention.id, Retention.team_id, Retention.livemode)
                .where(Retention.status == "pending", Retention.updated_at < updated_before)
                .order_by(Retention.updated_at).limit(limit))
        return [(row[0], row[1], row[2]) for row in self.session.execute(stmt).all()]

    def lock(self, retention: Retention) -> None:
        """Re-read the retention, locked until commit (PostgreSQL: FOR UPDATE; SQLite's write transaction
        already excludes every other writer)."""
        self.session.refresh(retention, with_for_update=True)

    def claim_attempt(self, retention: Retention) -> bool:
        """Take the next stamping attempt of a pending retention; False when another worker took it first or
        it is no longer pending (optimistic: the attempt counter is the version)."""
        result = self.session.execute(
            update(Retention)
            .where(Retention.id == retention.id, Retention.team_id == retention.team_id,
                   Retention.status == "pending", Retention.attempts == retention.attempts)
            .values(attempts=Retention.attempts + 1, updated_at=now_ms())
            .execution_options(synchronize_session=False)
        )
        if getattr(result, "rowcount", 0) != 1:
            return False
        self.session.refresh(retention)
        return True
