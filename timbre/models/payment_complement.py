from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from timbre.models.base import TeamScoped
from timbre.models.types import ExactDecimal


class PaymentComplement(TeamScoped):
    """The payment (Pago node) a payment complement records. The CFDI of type P itself is an
    `Invoice` row (`invoice_id`, invoice_type P): folio, seal, stamp, files and cancellation are
    the invoices'."""

    __tablename__ = "payment_complements"

    invoice_id: Mapped[str] = mapped_column(String(40), unique=True)
    payment_id: Mapped[str | None] = mapped_column(String(40), index=True)
    # FechaPago: Mexico's wall clock, ISO without zone, as written in the complement.
    paid_at: Mapped[str] = mapped_column(String(19))
    payment_form: Mapped[str] = mapped_column(String(2))
    currency: Mapped[str] = mapped_column(String(3))
    exchange_rate: Mapped[Decimal] = mapped_column(ExactDecimal(24, 6))
    amount: Mapped[Decimal] = mapped_column(ExactDecimal(24, 6))
    operation_number: Mapped[str | None] = mapped_column(String(100))
    bank: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
