from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from timbre.models.base import TeamScoped
from timbre.models.types import ExactDecimal


class Receipt(TeamScoped):
    """A receipt (ticket, "nota de venta"): a sale to a customer who may invoice it themselves.

    Lifecycle (`status` as stored): `pending` (open: the customer can self-invoice it until
    `valid_until`; past it the API shows `expired`) → `invoiced` (a CFDI was issued to a named client:
    `invoice_id`), `completed` (it went into a global invoice to público en general:
    `global_invoice_id`) or `cancelled`. A completed receipt later invoiced by name keeps both ids (the
    global invoice was cancelled with motive 04 and re-issued without it). `invoice_id` is set in the
    transaction that reserves the invoice, which is what makes stamping happen once.
    """

    __tablename__ = "receipts"
    __table_args__ = (
        Index("uq_receipts_idempotency", "team_id", "livemode", "idempotency_key", unique=True,
              sqlite_where=text("idempotency_key IS NOT NULL"),
              postgresql_where=text("idempotency_key IS NOT NULL")),
        Index("uq_receipts_folio", "team_id", "livemode", "series", "folio_number", unique=True),
        Index("ix_receipts_scope_status", "team_id", "livemode", "status", "created_at"),
    )

    status: Mapped[str] = mapped_column(String(12), default="pending")
    series: Mapped[str] = mapped_column(String(10), default="R")
    folio_number: Mapped[int] = mapped_column(BigInteger)
    client_id: Mapped[str | None] = mapped_column(String(40), index=True)
    client: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    currency: Mapped[str] = mapped_column(String(3), default="MXN")
    exchange_rate: Mapped[Decimal | None] = mapped_column(ExactDecimal(24, 6))
    subtotal: Mapped[Decimal] = mapped_column(ExactDecimal(24, 6))
    discount: Mapped[Decimal] = mapped_column(ExactDecimal(24, 6))
    taxes: Mapped[Decimal] = mapped_column(ExactDecimal(24, 6))
    taxes_withheld: Mapped[Decimal] = mapped_column(ExactDecimal(24, 6))
    total: Mapped[Decimal] = mapped_column(ExactDecimal(24, 6))
    payment_form: Mapped[str] = mapped_column(String(2), default="03")
    periodicity: Mapped[str] = mapped_column(String(12), default="month")
    valid_until: Mapped[int] = mapped_column(BigInteger)
    invoice_id: Mapped[str | None] = mapped_column(String(40), index=True)
    global_invoice_id: Mapped[str | None] = mapped_column(String(40), index=True)
    invoiced_at: Mapped[int | None] = mapped_column(BigInteger)
    cancelled_at: Mapped[int | None] = mapped_column(BigInteger)
    payment_id: Mapped[str | None] = mapped_column(String(40), index=True)
    invoice_config: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    history: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    idempotency_key: Mapped[str | None] = mapped_column(String(255))
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", JSON, default=dict)
    owner_id: Mapped[str | None] = mapped_column(String(40))
    # Accent- and case-folded "|id|series-folio|client names|tax id|email|" for GET /receipts/search.
    search_text: Mapped[str] = mapped_column(Text, default="")
