from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from timbre.models.base import Record


class Team(Record):
    """The tenant. Exists in both modes; its documents are split by `livemode`."""

    __tablename__ = "teams"

    billing_account_id: Mapped[str] = mapped_column(ForeignKey("billing_accounts.id"), index=True)
    is_master: Mapped[bool] = mapped_column(default=False)
    legal_name: Mapped[str] = mapped_column(String(300), default="")
    tax_id: Mapped[str | None] = mapped_column(String(13), index=True)
    tax_system: Mapped[str | None] = mapped_column(String(3))
    address: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    brand: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    integrations: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    sat: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", JSON, default=dict)
    support_email: Mapped[str | None] = mapped_column(String(320))
    support_phone: Mapped[str | None] = mapped_column(String(40))
    owner_id: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(30), default="active")
    scheduled_deletion: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    credit_limit: Mapped[int | None] = mapped_column(Integer)
    used_credits: Mapped[int] = mapped_column(Integer, default=0)
    credit_period_start: Mapped[int] = mapped_column(BigInteger, default=0)
    # Changing it invalidates every onboarding link issued before.
    onboarding_nonce: Mapped[str] = mapped_column(String(40), default="")
