from __future__ import annotations

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from timbre.models.base import TeamScoped


class SatDownloadPackage(TeamScoped):
    """One package (ZIP) of a finished request: `pending` → `imported` (its CFDI upserted in the same
    transaction that marks it) or `failed` (SAT refused it: code and message kept)."""

    __tablename__ = "sat_download_packages"
    __table_args__ = (Index("uq_sat_download_packages", "request_id", "package_id", unique=True),)

    request_id: Mapped[str] = mapped_column(ForeignKey("sat_download_requests.id", ondelete="CASCADE"))
    package_id: Mapped[str] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    imported: Mapped[int] = mapped_column(Integer, default=0)
    code: Mapped[str | None] = mapped_column(String(8))
    message: Mapped[str | None] = mapped_column(String(500))
