from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from timbre.models.base import TeamScoped


class SatDownloadRequest(TeamScoped):
    """One SolicitaDescarga of a run: a direction, a kind (Metadata or CFDI) and a window.

    `new` → `accepted` (SAT's IdSolicitud kept) → `downloading` (packages known) → `completed`; or `split`
    (SAT answered 5003: two halves of the window replace it), `failed` (SAT's code and message kept),
    `retry` (5005 duplicate or SAT unavailable: asked again later). `sequence` orders a run's requests:
    metadata before CFDI, as SAT requires.
    """

    __tablename__ = "sat_download_requests"
    __table_args__ = (Index("ix_sat_download_requests_run", "run_id", "sequence"),
                      Index("ix_sat_download_requests_history", "team_id", "livemode", "created_at"))

    run_id: Mapped[str] = mapped_column(ForeignKey("sat_download_runs.id", ondelete="CASCADE"))
    parent_id: Mapped[str | None] = mapped_column(String(40))
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    direction: Mapped[str] = mapped_column(String(8))
    kind: Mapped[str] = mapped_column(String(8))
    window_start: Mapped[str] = mapped_column(String(19))
    window_end: Mapped[str] = mapped_column(String(19))
    status: Mapped[str] = mapped_column(String(12), default="new")
    sat_request_id: Mapped[str | None] = mapped_column(String(64))
    code: Mapped[str | None] = mapped_column(String(8))
    message: Mapped[str | None] = mapped_column(String(500))
    cfdi_count: Mapped[int] = mapped_column(Integer, default=0)
    processed: Mapped[int] = mapped_column(Integer, default=0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    package_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    source: Mapped[str] = mapped_column(String(10), default="schedule")
    owner_id: Mapped[str | None] = mapped_column(String(40))
    earliest_issue: Mapped[int | None] = mapped_column(BigInteger)
    latest_issue: Mapped[int | None] = mapped_column(BigInteger)
    completed_at: Mapped[int | None] = mapped_column(BigInteger)
