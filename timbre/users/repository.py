from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, func, select

from timbre.kit.repository import Repository
from timbre.models import Membership, Team, User, UserToken


class UserRepository(Repository[User]):
    model = User

    def in_account(self, billing_account_id: str, *, team_id: str | None = None) -> Select[Any]:
        """The account's users; with a team, only its members."""
        stmt = select(User).where(User.billing_account_id == billing_account_id)
        if team_id is not None:
            stmt = stmt.where(User.id.in_(select(Membership.user_id).where(Membership.team_id == team_id)))
        return stmt

    def memberships(self, user_id: str) -> list[tuple[str, str]]:
        """(team_id, role) of every team the user belongs to."""
        stmt = select(Membership.team_id, Membership.role).where(Membership.user_id == user_id)
        return [(team_id, role) for team_id, role in self.session.execute(stmt).all()]

    def by_email(self, email: str) -> User | None:
        return self.session.scalars(select(User).where(func.lower(User.email) == email.lower())).first()

    def teams_of(self, user_id: str) -> Sequence[tuple[Membership, Team]]:
        stmt = (
            select(Membership, Team).join(Team, Team.id == Membership.team_id)
            .where(Membership.user_id == user_id).order_by(Membership.created_at)
        )
        return [(m, t) for m, t in self.session.execute(stmt).all()]

    def token(self, token_hash: str, purpose: str) -> UserToken | None:
        stmt = select(UserToken).where(UserToken.token_hash == token_hash, UserToken.purpose == purpose)
        return self.session.scalars(stmt).first()
