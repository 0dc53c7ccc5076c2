from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, delete, select

from timbre.kit.repository import Repository
from timbre.models import ApiKey, IdempotencyRecord, Membership, Series, Team, User


class TeamRepository(Repository[Team]):
    model = Team

    def visible(self, billing_account_id: str, *, only: str | None = None) -> Select[Any]:
        """Teams a caller may list: the billing account's teams (Connect), or just its own."""
        stmt = select(Team).where(Team.billing_account_id == billing_account_id)
        if only is not None:
            stmt = stmt.where(Team.id == only)
        return stmt

    def members(self, team_id: str) -> Sequence[tuple[Membership, User]]:
        stmt = (
            select(Membership, User)
            .join(User, User.id == Membership.user_id)
            .where(Membership.team_id == team_id)
            .order_by(Membership.created_at, Membership.id)
        )
        return [(m, u) for m, u in self.session.execute(stmt).all()]

    def membership(self, team_id: str, user_id: str) -> Membership | None:
        stmt = select(Membership).where(Membership.team_id == team_id, Membership.user_id == user_id)
        return self.session.scalars(stmt).first()

    def series(self, team_id: str) -> Sequence[Series]:
        stmt = select(Series).where(Series.team_id == team_id).order_by(Series.document_type, Series.series)
        return self.session.scalars(stmt).all()

    def find_series(self, team_id: str, document_type: str, name: str) -> Series | None:
        stmt = select(Series).where(
            Series.team_id == team_id, Series.document_type == document_type, Series.series == name
        )
        return self.session.scalars(stmt).first()

    def due_for_deletion(self, now_ms: int) -> Sequence[Team]:
        stmt = select(Team).where(Team.status == "pending_deletion")
        return [t for t in self.session.scalars(stmt).all() if (t.scheduled_deletion or {}).get("date", 0) <= now_ms]

    def hard_delete(self, team: Team) -> None:
        """Remove the team and everything it owns (tables with a team FK cascade)."""
        for model in (ApiKey, Membership, Series):
            self.session.execute(delete(model).where(model.team_id == team.id))
        self.session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.team_id == team.id))
        self.session.delete(team)
        self.session.flush()
