from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from timbre.models.base import TeamScoped


class SatDownloadRun(TeamScoped):
    """One download of a window of SAT's records (scheduled or manual): `running` → `completed` | `failed`.

    Its requests and packages (`sat_download_requests`, `sat_download_packages`) carry the progress, so a
    worker killed mid-run resumes where it stopped. `lease_until` (ms) is held by the job working on it
    and renewed at every step; another job takes the run only once the lease has lapsed.
    """

    __tablename__ = "sat_download_runs"
    __table_args__ = (Index("ix_sat_download_runs_status", "status", "lease_until"),)

    status: Mapped[str] = mapped_column(String(12), default="running")
    source: Mapped[str] = mapped_column(String(10), default="schedule")
    rfc: Mapped[str] = mapped_column(String(13))
    directions: Mapped[list[Any]] = mapped_column(JSON, default=list)
    window_start: Mapped[str] = mapped_column(String(19))
    window_end: Mapped[str] = mapped_column(String(19))
    lease_until: Mapped[int] = mapped_column(BigInteger, default=0)
    imported: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str | None] = mapped_column(String(500))
    owner_id: Mapped[str | None] = mapped_column(String(40))
    completed_at: Mapped[int | None] = mapped_column(BigInteger)
