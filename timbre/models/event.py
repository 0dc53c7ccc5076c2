from typing import Any

from sqlalchemy import BigInteger, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from timbre.models.base import JSON, TeamScoped


class Event(TeamScoped):
    """Something that happened to a team's object, written in the same transaction as the change (the outbox).

    `dispatched_at` is set, once, when the event has been fanned out into one delivery per matching webhook;
    until then the relay's sweep picks it up (a crash right after the commit loses nothing)."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_scope", "team_id", "livemode", "created_at"),
                      Index("ix_events_undispatched", "dispatched_at", "created_at"))

    type: Mapped[str] = mapped_column(String(60))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    object_id: Mapped[str | None] = mapped_column(String(60))
    dispatched_at: Mapped[int | None] = mapped_column(BigInteger)
