from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from timbre.models.base import TeamScoped


class WebhookDelivery(TeamScoped):
    """One event to one webhook: `pending` → `succeeded`, or `retrying` until 3 days have passed → `failed`.

    A sender claims it by moving `lease_until` forward in one conditional UPDATE, so two workers (or the
    relay's job and its sweep) never send it at once; a sender killed mid-flight lets its lease expire."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (UniqueConstraint("event_id", "webhook_id", name="uq_webhook_deliveries_event_webhook"),
                      Index("ix_webhook_deliveries_due", "status", "next_attempt_at"))

    event_id: Mapped[str] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    webhook_id: Mapped[str] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"), index=True)
    event_type: Mapped[str] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    first_attempt_at: Mapped[int | None] = mapped_column(BigInteger)
    next_attempt_at: Mapped[int] = mapped_column(BigInteger)
    lease_until: Mapped[int | None] = mapped_column(BigInteger)
    response_code: Mapped[int | None] = mapped_column(Integer)
