from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from timbre.models.base import TeamScoped
from timbre.models.types import ExactDecimal


class Service(TeamScoped):
    """A product or service a team sells, with its SAT keys, price and taxes (a Concepto template)."""

    __tablename__ = "services"

    description: Mapped[str] = mapped_column(String(1000))
    sku: Mapped[str | None] = mapped_column(String(100))
    product_key: Mapped[str] = mapped_column(String(8))
    unit_key: Mapped[str] = mapped_column(String(10))
    unit_name: Mapped[str | None] = mapped_column(String(100))
    unit_price: Mapped[Decimal] = mapped_column(ExactDecimal(24, 6))
    # TaxElements as JSON with rates as strings, so they stay exact.
    taxes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", JSON, default=dict)
