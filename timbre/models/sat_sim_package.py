from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from timbre.models.base import Record


class SatSimPackage(Record):
    """A package of a finished simulated Descarga Masiva request: the UUIDs it holds (its ZIP is built from
    the stamped XML on each download) and how often it was downloaded (SAT's 5008 limit)."""

    __tablename__ = "sat_sim_packages"

    request_id: Mapped[str] = mapped_column(String(40), index=True)
    uuids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    downloads: Mapped[int] = mapped_column(Integer, default=0)
