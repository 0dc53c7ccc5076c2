from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, select, update

from timbre.kit.repository import TeamScopedRepository
from timbre.models import Csd


class CsdRepository(TeamScopedRepository[Csd]):
    model = Csd

    def active(self, team_id: str, livemode: bool) -> Csd | None:
        return self.session.scalars(_active(), {"team_id": team_id, "livemode": livemode}).first()

    def by_no_certificado(self, team_id: str, livemode: bool, no_certificado: str) -> Csd | None:
        stmt = self.scoped(team_id, livemode).where(Csd.no_certificado == no_certificado) \
            .order_by(Csd.created_at.desc())
        return self.session.scalars(stmt).first()

    def deactivate_all(self, team_id: str, livemode: bool) -> None:
        self.session.execute(
            update(Csd).where(Csd.team_id == team_id, Csd.livemode == livemode, Csd.active.is_(True))
            .values(active=False)
        )


@cache
def _active() -> Select[Any]:
    """The team's CSD in force for a mode (every invoice reads it)."""
    return select(Csd).where(Csd.team_id == bindparam("team_id"), Csd.livemode == bindparam("livemode"),
                             Csd.active.is_(True)).order_by(Csd.created_at.desc()).limit(1)
