from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from timbre.models.base import Record


class EmailMessage(Record):
    """An e-mail we send: `queued` → `sent` (SMTP) or `recorded` (no SMTP configured) or `failed`."""

    __tablename__ = "email_messages"

    team_id: Mapped[str | None] = mapped_column(String(40), index=True)
    to: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default="queued")
    error: Mapped[str | None] = mapped_column(Text)
