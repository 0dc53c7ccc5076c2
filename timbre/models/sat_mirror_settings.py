from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from timbre.models.base import TeamScoped


class SatMirrorSettings(TeamScoped):
    """A team's SAT download (Descarga Masiva) in one mode: activated or not, and its daily schedule.

    `time` is HH:MM in America/Mexico_City; the periodic job starts a run once per local day at or after
    it (`last_scheduled_on` is that day, YYYY-MM-DD). The FIEL itself is kept in the team's `sat` JSON
    (`sat.fiel`, encrypted).
    """

    __tablename__ = "sat_mirror_settings"
    __table_args__ = (Index("uq_sat_mirror_settings_team", "team_id", "livemode", unique=True),)

    activated: Mapped[bool] = mapped_column(Boolean, default=False)
    activated_at: Mapped[int | None] = mapped_column(BigInteger)
    enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    time: Mapped[str] = mapped_column(String(5), default="21:00")
    download_types: Mapped[list[Any]] = mapped_column(JSON, default=list)
    days_back: Mapped[int] = mapped_column(Integer, default=3)
    sync_start_date: Mapped[str | None] = mapped_column(String(10))
    phone: Mapped[str | None] = mapped_column(String(20))
    registered_at: Mapped[int | None] = mapped_column(BigInteger)
    last_scheduled_on: Mapped[str | None] = mapped_column(String(10))
