"""Repository base: all SQL lives in repositories; services never build queries."""

from __future__ import annotations

from typing import Any, ClassVar, Generic, Self, TypeVar

from sqlalchemy import Select, select
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
        stmt = self.scoped(team_id, livemode).where(self.model.id == id)
        obj: M | None = self.session.scalars(stmt).first()
        return obj
