from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from timbre.models.base import TeamScoped
from timbre.models.types import ExactDecimal


class PaymentComplementDocument(TeamScoped):
    """One invoice paid by a payment complement (its DoctoRelacionado): installment, previous
    balance, amount paid and balance left, in the invoice's currency.

    `status` is `applied` while the complement is pending or valid — the amount counts against the
    invoice's `last_balance` — and `released` once the complement failed or was cancelled.
    """

    __tablename__ = "payment_complement_documents"
    __table_args__ = (Index("ix_complement_documents_invoice", "invoice_id", "status"),)

    complement_id: Mapped[str] = mapped_column(String(40), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)  # its place among the Pago's DoctoRelacionado
    invoice_id: Mapped[str] = mapped_column(String(40))
    invoice_uuid: Mapped[str] = mapped_column(String(36))
    installment: Mapped[int] = mapped_column(Integer)
    previous_balance: Mapped[Decimal] = mapped_column(ExactDecimal(24, 6))
    amount: Mapped[Decimal] = mapped_column(ExactDecimal(24, 6))
    balance: Mapped[Decimal] = mapped_column(ExactDecimal(24, 6))
    currency: Mapped[str] = mapped_column(String(3))
    equivalence: Mapped[Decimal | None] = mapped_column(ExactDecimal(30, 10))
    status: Mapped[str] = mapped_column(String(10), default="applied")
