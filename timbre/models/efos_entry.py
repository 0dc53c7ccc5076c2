from __future__ import annotations

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from timbre.kit.clock import now_ms
from timbre.models.base import Base


class EfosEntry(Base):
    """A taxpayer on SAT's article 69-B list (EFOS), as last imported. Shared by every team."""

    __tablename__ = "efos_entries"

    rfc: Mapped[str] = mapped_column(String(13), primary_key=True)
    name: Mapped[str] = mapped_column(String(500), default="")
    # timbre.clients.efos.Situacion: Presunto, Desvirtuado, Definitivo, Sentencia Favorable.
    situation: Mapped[str] = mapped_column(String(30))
    updated_at: Mapped[int] = mapped_column(BigInteger, default=now_ms, onupdate=now_ms)
