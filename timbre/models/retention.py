from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from timbre.models.base import TeamScoped
from timbre.models.types import ExactDecimal


class Retention(TeamScoped):
    """A CFDI de Retenciones e Información de Pagos 2.0 of a team.

    Lifecycle: `pending` (folio and credit taken, being stamped; a PAC that did not answer leaves it pending
    with its sealed `xml`, re-sent by `retentions.tasks.recover_retention`, `attempts` counting the calls) →
    `valid` (stamped; `xml` holds it) or `failed` (the PAC refused it; the credit is refunded, the error
    kept); `valid` → `canceled`.
    Amounts are MXN (SAT's rule for this document); `currency`/`exchange_rate` record what the request
    expressed them in. `receiver`, `taxes` and `complement` are snapshots of what was stamped.
    """

    __tablename__ = "retentions"
    __table_args__ = (
        Index("uq_retentions_folio", "team_id", "livemode", "series", "folio_number", unique=True),
        Index("ix_retentions_scope", "team_id", "livemode", "created_at"),
    )

    status: Mapped[str] = mapped_column(String(12), default="pending")
    uuid: Mapped[str | None] = mapped_column(String(36), unique=True)
    retention_key: Mapped[str] = mapped_column(String(2))
    description: Mapped[str | None] = mapped_column(String(100))
    series: Mapped[str] = mapped_column(String(10), default="RET")
    folio_number: Mapped[int] = mapped_column(BigInteger)
    client_id: Mapped[str | None] = mapped_column(String(40), index=True)
    issuer: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    receiver: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    period: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    currency: Mapped[str] = mapped_column(String(3), default="MXN")
    exchange_rate: Mapped[Decimal | None] = mapped_column(ExactDecimal(24, 6))
    total_operation: Mapped[Decimal] = mapped_column(ExactDecimal(24, 6))
    total_taxable: Mapped[Decimal] = mapped_column(ExactDecimal(24, 6))
    total_exempt: Mapped[Decimal] = mapped_column(ExactDecimal(24, 6))
    total_retained: Mapped[Decimal] = mapped_column(ExactDecimal(24, 6))
    taxes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    complement: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    issued_at: Mapped[str] = mapped_column(String(19))
    xml: Mapped[bytes | None] = mapped_column(LargeBinary)
    pac: Mapped[str] = mapped_column(String(20), default="")
    stamp: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    cancellation: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    acuse_xml: Mapped[bytes | None] = mapped_column(LargeBinary)
    owner_id: Mapped[str | None] = mapped_column(String(40))
    stamped_at: Mapped[int | None] = mapped_column(BigInteger)
