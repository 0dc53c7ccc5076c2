from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from timbre.models.base import TeamScoped


class InvoiceDraft(TeamScoped):
    """A pre-invoice (pre-factura): any part of an income or egress invoice, completed over time.

    `payload` holds the fields given so far, shaped like the create-invoice request; nothing is
    resolved or priced until a preview or the stamp, so a draft spends no folio and no credit.
    `status` is `draft` until stamped (`stamped`, with `invoice_id`); `errors` keeps the SAT rule
    violations of the last failed stamp.
    """

    __tablename__ = "invoice_drafts"
    __table_args__ = (Index("ix_invoice_drafts_scope", "team_id", "livemode", "status", "created_at"),)

    invoice_type: Mapped[str] = mapped_column(String(1))
    status: Mapped[str] = mapped_column(String(12), default="draft")
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    client_id: Mapped[str | None] = mapped_column(String(60), index=True)
    invoice_id: Mapped[str | None] = mapped_column(String(40))
    errors: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    preview_key: Mapped[str | None] = mapped_column(String(500))
    owner_id: Mapped[str | None] = mapped_column(String(40))
