from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from timbre.models.base import TeamScoped
from timbre.models.types import ExactDecimal


class SatInvoice(TeamScoped):
    """A CFDI as SAT holds it for a team: issued by it or received by it (the SAT mirror).

    One row per (team, mode, UUID): SAT's metadata fills it first (`resource_status: metadata`), the XML
    later (`xml_downloaded`). `verification` holds the outcome of the checks run on the XML (SAT's schema,
    the issuer's seal, the TFD's seal, the issuer on SAT's 69-B list); a forged document stays listed,
    flagged. `issued_at` (ms, from the CFDI's Fecha read as Mexico City time) orders and filters lists.
    """

    __tablename__ = "sat_invoices"
    __table_args__ = (
        Index("uq_sat_invoices_uuid", "team_id", "livemode", "uuid", unique=True),
        Index("ix_sat_invoices_list", "team_id", "livemode", "issued_at", "id"),
        Index("ix_sat_invoices_direction", "team_id", "livemode", "direction", "issued_at", "id"),
        Index("ix_sat_invoices_issuer", "team_id", "livemode", "issuer_rfc", "issued_at", "id"),
        Index("ix_sat_invoices_receiver", "team_id", "livemode", "receiver_rfc", "issued_at", "id"),
        Index("ix_sat_invoices_status", "team_id", "livemode", "status", "direction", "issued_at", "id"),
    )

    uuid: Mapped[str] = mapped_column(String(36))
    direction: Mapped[str] = mapped_column(String(8))
    invoice_type: Mapped[str] = mapped_column(String(1))
    version: Mapped[str | None] = mapped_column(String(4))
    issuer_rfc: Mapped[str] = mapped_column(String(13))
    issuer_name: Mapped[str | None] = mapped_column(String(300))
    receiver_rfc: Mapped[str] = mapped_column(String(13))
    receiver_name: Mapped[str | None] = mapped_column(String(300))
    pac_rfc: Mapped[str | None] = mapped_column(String(13))
    total: Mapped[Decimal] = mapped_column(ExactDecimal(24, 6))
    currency: Mapped[str | None] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(10), default="Vigente")
    issued_at: Mapped[int] = mapped_column(BigInteger)
    certified_at: Mapped[int | None] = mapped_column(BigInteger)
    cancelled_at: Mapped[int | None] = mapped_column(BigInteger)
    resource_status: Mapped[str] = mapped_column(String(16), default="metadata")
    source: Mapped[str] = mapped_column(String(12), default="download")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    verification: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    xml: Mapped[bytes | None] = mapped_column(LargeBinary)
