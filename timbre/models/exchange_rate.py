from __future__ import annotations

from decimal import Decimal

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from timbre.kit.clock import now_ms
from timbre.models.base import Base
from timbre.models.types import ExactDecimal


class ExchangeRate(Base):
    """Banxico's FIX (pesos per unit of `currency`) determined on `day`. Shared by every team."""

    __tablename__ = "exchange_rates"

    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    day: Mapped[str] = mapped_column(String(10), primary_key=True)  # ISO date: YYYY-MM-DD
    rate: Mapped[Decimal] = mapped_column(ExactDecimal(18, 6))
    series: Mapped[str] = mapped_column(String(20))  # Banxico's series id, e.g. SF43718
    source: Mapped[str] = mapped_column(String(10))  # "import" (a CSV) or "sie" (Banxico's API)
    updated_at: Mapped[int] = mapped_column(BigInteger, default=now_ms, onupdate=now_ms)
