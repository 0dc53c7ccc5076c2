from sqlalchemy import BigInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from timbre.models.base import Record


class EmailMessage(Record):
    """An e-mail we send: `queued` → `sent` (SMTP) or `recorded` (no SMTP configured), `retrying` between
    attempts, `failed` once the retries are spent. `document_id` ties it to the invoice, complement or receipt
    it carries (shown on that document as `emails`)."""

    __tablename__ = "email_messages"

    team_id: Mapped[str | None] = mapped_column(String(40), index=True)
    document_id: Mapped[str | None] = mapped_column(String(40), index=True)
    to: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default="queued")
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    sent_at: Mapped[int | None] = mapped_column(BigInteger)
