"""Repository base: all SQL lives in repositories; services never build queries.

Statements on the hot path of a request are built once (`functools.cache`) with bind parameters:
SQLAlchemy then skips constructing the statement and computing its cache key on every execution.
"""

from __future__ import annotations

from typing import Any, ClassVar, Generic, Self, TypeVar

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Session

M = TypeVar("M")
T = TypeVar("T")


class Repository(Generic[M]):
    model: ClassVar[type[Any]]

    def __init__(self, session: Session) -> None:
        self.session = session

    @classmethod
    def from_session(cls, session: Session) -> Self:
        return cls(session)

    def get(self, id: str) -> M | None:
        obj: M | None = self.session.get(self.model, id)
        return obj

    def add(self, obj: T) -> T:
        self.session.add(obj)
        self.session.flush()
        return obj

    def delete(self, obj: object) -> None:
        self.session.delete(obj)
        self.session.flush()

    def select(self) -> Select[Any]:
        return select(self.model)


class TeamScopedRepository(Repository[M]):
    """The tenancy chokepoint: every read of team-owned rows goes through `scoped()`."""

    def scoped(self, team_id: str, livemode: bool) -> Select[Any]:
        return select(self.model).where(self.model.team_id == team_id, self.model.livemode == livemode)

    def get_scoped(self, id: str, team_id: str, livemode: bool) -> M | None:
        params = {"id": id, "team_id": team_id, "livemode": livemode}
        obj: M | None = self.session.scalars(_by_id_in_team(self.model), params).first()
        return obj


_BY_ID_IN_TEAM: dict[type[Any], Select[Any]] = {}


def _by_id_in_team(model: type[Any]) -> Select[Any]:
    stmt = _BY_ID_IN_TEAM.get(model)
    if stmt is None:
        stmt = _BY_ID_IN_TEAM[model] = select(model).where(
            model.team_id == bindparam("team_id"), model.livemode == bindparam("livemode"), model.id == bindparam("id"))
    return stmt
