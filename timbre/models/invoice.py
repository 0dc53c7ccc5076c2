from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, Integer, LargeBinary, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from timbre.models.base import TeamScoped
from timbre.models.types import ExactDecimal


class Invoice(TeamScoped):
    """An income (I) or egress (E) CFDI of a team, from its stamping attempt on.

    Lifecycle (`status`): `pending` (folio taken, sealed, being stamped or waiting for a PAC that did
    not answer: a job recovers it) → `valid` (stamped; the XML is in storage) or `failed` (the PAC
    refused it: the row stays visible with the error, and its folio may be given again); `valid` →
    `cancelled`. Amounts are exact decimals; `items`, `client` and the request-level choices are
    snapshots of what was stamped, so later edits of clients or services never change a document.
    """

    __tablename__ = "invoices"
    __table_args__ = (
        # A folio belongs to one live attempt; a failed attempt releases it (issue 4: a folio is skipped
        # only when its stamping attempt failed, and the user may give that folio again).
        Index(
            "uq_invoices_folio", "team_id", "livemode", "invoice_type", "series", "folio_number", unique=True,
            sqlite_where=text("status != 'failed'"), postgresql_where=text("status != 'failed'"),
        ),
        Index("ix_invoices_scope_type", "team_id", "livemode", "invoice_type", "created_at"),
        Index("ix_invoices_status", "status", "updated_at"),
        # Large tenants (migration 0011): one index per documented list filter, in the lists' order.
        Index("ix_invoices_scope_status", "team_id", "livemode", "invoice_type", "status", "created_at", "id"),
        Index("ix_invoices_scope_client", "team_id", "livemode", "invoice_type", "client_id", "created_at", "id"),
        Index("ix_invoices_scope_series", "team_id", "livemode", "invoice_type", "series", "created_at", "id"),
        Index("ix_invoices_scope_method", "team_id", "livemode", "invoice_type", "payment_method", "created_at", "id"),
        Index("ix_invoices_scope_created", "team_id", "livemode", "created_at", "id"),
        # Migration 0013: the poll of cancellations awaiting the receiver's acceptance.
        Index("ix_invoices_cancellation_status", "cancellation_status", "updated_at"),
    )

    invoice_type: Mapped[str] = mapped_column(String(1))
    status: Mapped[str] = mapped_column(String(12), default="pending")
    uuid: Mapped[str | None] = mapped_column(String(36), unique=True)
    series: Mapped[str] = mapped_column(String(10), default="")
    folio_number: Mapped[int] = mapped_column(BigInteger)
    client_id: Mapped[str | None] = mapped_column(String(40), index=True)
    client: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    currency: Mapped[str] = mapped_column(String(3), default="MXN")
    exchange_rate: Mapped[Decimal | None] = mapped_column(ExactDecimal(24, 6))
    subtotal: Mapped[Decimal] = mapped_column(ExactDecimal(24, 6))
    discount: Mapped[Decimal] = mapped_column(ExactDecimal(24, 6))
    taxes_transferred: Mapped[Decimal] = mapped_column(ExactDecimal(24, 6))
    taxes_withheld: Mapped[Decimal] = mapped_column(ExactDecimal(24, 6))
    total: Mapped[Decimal] = mapped_column(ExactDecimal(24, 6))
    last_balance: Mapped[Decimal | None] = mapped_column(ExactDecimal(24, 6))
    payment_form: Mapped[str | None] = mapped_column(String(2))
    payment_method: Mapped[str | None] = mapped_column(String(3))
    use: Mapped[str | None] = mapped_column(String(4))
    exports: Mapped[str] = mapped_column(String(2), default="01")
    automation_type: Mapped[str] = mapped_column(String(40), default="none")
    related_documents: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # "|<relationship>:<UUID>|..." so related documents are found with a portable LIKE.
    related_text: Mapped[str] = mapped_column(Text, default="|")
    global_: Mapped[dict[str, Any] | None] = mapped_column("global", JSON)
    pdf_notes: Mapped[str | None] = mapped_column(Text)
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", JSON, default=dict)
    # The Fecha written in the CFDI (Mexico's wall clock, ISO without zone).
    issued_at: Mapped[str] = mapped_column(String(19))
    csd_id: Mapped[str | None] = mapped_column(String(40))
    no_certificado: Mapped[str | None] = mapped_column(String(40))
    # While pending: the sealed document sent to the PAC. A recovery re-sends exactly these bytes, which
    # a PAC never stamps twice (SAT's rule 307), so a lost answer can never produce a second UUID.
    # Once valid: the stamped CFDI, committed with the status change (storage holds a copy for downloads).
    xml: Mapped[bytes | None] = mapped_column(LargeBinary)
    pac: Mapped[str] = mapped_column(String(20), default="")
    stamp: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    cancellation_status: Mapped[str | None] = mapped_column(String(20))
    cancellation: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    acuse_xml: Mapped[bytes | None] = mapped_column(LargeBinary)
    # SAT's last answer about this CFDI (Consulta de estado): state, cancellable, cancellation_status,
    # efos_validation, checked_at (seconds). PUT /invoices/{uuid}/status and the cancellation poll write it.
    sat_status: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    owner_id: Mapped[str | None] = mapped_column(String(40))
    # Accent- and case-folded "|uuid|series-folio|client names|tax id|email|" for GET /invoices/search.
    search_text: Mapped[str] = mapped_column(Text, default="")
    stamped_at: Mapped[int | None] = mapped_column(BigInteger)
