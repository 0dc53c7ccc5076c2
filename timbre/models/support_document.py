from __future__ import annotations

from sqlalchemy import BigInteger, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from timbre.models.base import TeamScoped


class SupportDocument(TeamScoped):
    """A file (contract, proof of delivery, ...) attached to a team's client, payment or invoice.

    The bytes live in the storage (`kit.storage`) under `storage_key`; this row is its index.
    """

    __tablename__ = "support_documents"
    __table_args__ = (Index("ix_support_documents_entity", "entity_type", "entity_id"),)

    entity_type: Mapped[str] = mapped_column(String(20))
    entity_id: Mapped[str] = mapped_column(String(60))
    document_type: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(String(1000))
    file_name: Mapped[str] = mapped_column(String(255))
    mime_type: Mapped[str] = mapped_column(String(60))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(500))
    created_by: Mapped[str | None] = mapped_column(String(40))
