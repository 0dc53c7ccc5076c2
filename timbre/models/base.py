"""Column conventions shared by every table."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from timbre.kit.clock import now_ms
from timbre.kit.db import Base

__all__ = ["JSON", "Base", "Mapped", "Record", "TeamScoped", "mapped_column"]


class Record(Base):
    """A row with a prefixed string id and millisecond timestamps."""

    __abstract__ = True

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    created_at: Mapped[int] = mapped_column(BigInteger, default=now_ms, index=True)
    updated_at: Mapped[int] = mapped_column(BigInteger, default=now_ms, onupdate=now_ms)


class TeamScoped(Record):
    """A row owned by one team, in one mode (test or live); every read filters on both."""

    __abstract__ = True

    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    livemode: Mapped[bool] = mapped_column(default=False, index=True)

