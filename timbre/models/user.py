from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from timbre.models.base import Record


class User(Record):
    __tablename__ = "users"

    billing_account_id: Mapped[str] = mapped_column(ForeignKey("billing_accounts.id"), index=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    first_name: Mapped[str] = mapped_column(String(120), default="")
    last_name: Mapped[str] = mapped_column(String(120), default="")
    phone: Mapped[str | None] = mapped_column(String(40))
    company_role: Mapped[str | None] = mapped_column(String(120))
    address: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    password_hash: Mapped[str | None] = mapped_column(String(200))
    last_login: Mapped[int | None] = mapped_column(BigInteger)

    @property
    def name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p)
