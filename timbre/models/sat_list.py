from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from timbre.kit.clock import now_ms
from timbre.models.base import Base


class SatListEntry(Base):
    """A taxpayer on one of SAT's published lists (69, 69-B, 69-B Bis), as last imported. Shared by every
    team. `list_key` names the list (`69b_definitivos`, `69_no_localizados`, ...)."""

    __tablename__ = "sat_list_entries"

    list_key: Mapped[str] = mapped_column(String(40), primary_key=True)
    rfc: Mapped[str] = mapped_column(String(13), primary_key=True, index=True)
    name: Mapped[str] = mapped_column(String(500), default="")
    situation: Mapped[str] = mapped_column(String(60), default="")
    person_type: Mapped[str | None] = mapped_column(String(1))
    published: Mapped[str | None] = mapped_column(String(200))  # SAT's publication date(s) as printed
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class SatListImport(Base):
    """The last import of each list: which file (SHA-256), when, how many taxpayers."""

    __tablename__ = "sat_list_imports"

    list_key: Mapped[str] = mapped_column(String(40), primary_key=True)
    article: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(String(200), default="")
    source_sha256: Mapped[str] = mapped_column(String(64))
    source_title: Mapped[str] = mapped_column(String(500), default="")
    rows: Mapped[int] = mapped_column(Integer, default=0)
    imported_at: Mapped[int] = mapped_column(BigInteger, default=now_ms)
