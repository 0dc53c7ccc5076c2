from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from timbre.models.base import Record


class SatSimRequest(Record):
    """A Descarga Masiva request made to the simulated SAT (test mode). SAT's state, not a team's: keyed by
    the requesting RFC, shared by every process (API and workers). `id` is SAT's IdSolicitud."""

    __tablename__ = "sat_sim_requests"

    rfc: Mapped[str] = mapped_column(String(13), index=True)
    direction: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(10))
    start: Mapped[str] = mapped_column(String(19))  # FechaInicial, Mexico's wall clock (ISO)
    end: Mapped[str] = mapped_column(String(19))
    # sha256 of rfc|direction|kind|start|end: the lifetime quota and duplicate checks count by it.
    query_key: Mapped[str] = mapped_column(String(64), index=True)
    state: Mapped[int] = mapped_column(Integer)  # RequestState
    request_code: Mapped[str] = mapped_column(String(5))  # CodigoEstadoSolicitud
    verifications: Mapped[int] = mapped_column(Integer, default=0)
    cfdi_count: Mapped[int] = mapped_column(Integer, default=0)
    package_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
