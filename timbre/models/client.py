from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from timbre.models.base import TeamScoped


class Client(TeamScoped):
    """A customer of a team: the receiver (Receptor) of its CFDI.

    Every field is optional (gigstack's API allows it); values that were given are valid, missing
    ones only make the client not ready for invoicing (`is_valid` false).
    """

    __tablename__ = "clients"
    __table_args__ = (
        Index("ix_clients_scope_tax_id", "team_id", "livemode", "tax_id"),
        Index("ix_clients_scope_email", "team_id", "livemode", "email"),
        Index("ix_clients_scope_created", "team_id", "livemode", "created_at", "id"),
    )

    name: Mapped[str | None] = mapped_column(String(300))
    legal_name: Mapped[str | None] = mapped_column(String(300))
    company: Mapped[str | None] = mapped_column(String(300))
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(40))
    tax_id: Mapped[str | None] = mapped_column(String(40))
    tax_system: Mapped[str | None] = mapped_column(String(10))
    use: Mapped[str | None] = mapped_column(String(10))
    foreign_tax_id: Mapped[str | None] = mapped_column(String(40))
    address: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    bcc: Mapped[list[str]] = mapped_column(JSON, default=list)
    defaults: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", JSON, default=dict)
    # gigstack's `from`: where the client came from ("api", ...).
    source: Mapped[str] = mapped_column(String(30), default="api")
    # SAT lists: the 69-B situation the daily re-check last saw, and when it first saw Definitivo.
    sat_status: Mapped[str | None] = mapped_column(String(30))
    sat_flagged_at: Mapped[int | None] = mapped_column(BigInteger)
    owner_id: Mapped[str | None] = mapped_column(String(40))
    # Accent- and case-folded "|name|legal name|company|email|tax id|" for GET /clients/search.
    search_text: Mapped[str] = mapped_column(Text, default="")
