from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from timbre.models.base import TeamScoped
from timbre.models.types import ExactDecimal


class Payment(TeamScoped):
    """A charge of a team to a client: registered as received, or requested through a payment link.

    Lifecycle (`status`): a request starts `pending` (the payer may report a transfer: `processing`;
    a card processor may ask for another method: `requires_payment_method` or fail: `failed`) and
    ends `succeeded` (paid) or `cancelled`; a registered payment is `succeeded` at once. A succeeded
    payment refunded in full becomes `refunded`. Amounts are exact decimals of the priced `items`
    snapshot, so the invoice an automation issues carries exactly the same amounts.

    The automation (`automation_status`: none, pending, waiting, done, failed, skipped,
    receipt_pending) links the documents it produced (`invoice_id`, `complement_id`) in the same
    transaction that reserves them, which is what makes it run exactly once.
    """

    __tablename__ = "payments"
    __table_args__ = (
        # A retried registration with the same key finds the first payment (also after the 48 h the
        # idempotency middleware remembers responses, and after a 5xx it did not store).
        Index("uq_payments_idempotency", "team_id", "livemode", "idempotency_key", unique=True,
              sqlite_where=text("idempotency_key IS NOT NULL"),
              postgresql_where=text("idempotency_key IS NOT NULL")),
        Index("ix_payments_scope_status", "team_id", "livemode", "status", "created_at"),
        Index("ix_payments_automation", "automation_status", "updated_at"),
        Index("ix_payments_scope_created", "team_id", "livemode", "created_at", "id"),
        Index("ix_payments_scope_client", "team_id", "livemode", "client_id", "created_at", "id"),
        Index("ix_payments_scope_currency", "team_id", "livemode", "currency", "created_at", "id"),
        Index("ix_payments_scope_email", "team_id", "livemode", "client_email", "created_at", "id"),  # 0015
        Index("ix_payments_scope_tax_id", "team_id", "livemode", "client_tax_id", "created_at", "id"),  # 0015
    )

    status: Mapped[str] = mapped_column(String(30), default="pending")
    client_id: Mapped[str | None] = mapped_column(String(40), index=True)
    client: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    client_email: Mapped[str | None] = mapped_column(String(320))
    client_tax_id: Mapped[str | None] = mapped_column(String(20))
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    currency: Mapped[str] = mapped_column(String(3), default="MXN")
    exchange_rate: Mapped[Decimal | None] = mapped_column(ExactDecimal(24, 6))
    subtotal: Mapped[Decimal] = mapped_column(ExactDecimal(24, 6))
    discount: Mapped[Decimal] = mapped_column(ExactDecimal(24, 6))
    taxes: Mapped[Decimal] = mapped_column(ExactDecimal(24, 6))
    taxes_withheld: Mapped[Decimal] = mapped_column(ExactDecimal(24, 6))
    total: Mapped[Decimal] = mapped_column(ExactDecimal(24, 6))
    amount_refunded: Mapped[Decimal] = mapped_column(ExactDecimal(24, 6), default=Decimal(0))
    payment_form: Mapped[str | None] = mapped_column(String(2))
    operation_number: Mapped[str | None] = mapped_column(String(100))
    payment_processor: Mapped[str] = mapped_column(String(20), default="api")
    allowed_payment_methods: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The capability in the hosted page's URL (`/pay/<token>`): it shows the charge, changes nothing
    # but "I sent the transfer", and must stay printable in `short_url`, so it is kept as is.
    link_token: Mapped[str | None] = mapped_column(String(40), unique=True)
    automation_type: Mapped[str] = mapped_column(String(40), default="none")
    automation_status: Mapped[str] = mapped_column(String(20), default="none")
    automation_error: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    invoice_id: Mapped[str | None] = mapped_column(String(40), index=True)
    complement_id: Mapped[str | None] = mapped_column(String(40))
    ppd_invoice_id: Mapped[str | None] = mapped_column(String(40), index=True)
    # What the receipts domain completes: {"status": "pending" | "cancelled", "created_at": ms}.
    receipt: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    refunds: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    idempotency_key: Mapped[str | None] = mapped_column(String(255))
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", JSON, default=dict)
    emails: Mapped[list[str]] = mapped_column(JSON, default=list)
    send_email: Mapped[bool] = mapped_column(default=False)
    payer_notice: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    succeeded_at: Mapped[int | None] = mapped_column(BigInteger)
    cancelled_at: Mapped[int | None] = mapped_column(BigInteger)
    refunded_at: Mapped[int | None] = mapped_column(BigInteger)
    owner_id: Mapped[str | None] = mapped_column(String(40))
    # Accent- and case-folded "|id|client names|tax id|email|" for GET /payments/search.
    search_text: Mapped[str] = mapped_column(Text, default="")
