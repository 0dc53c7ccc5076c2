from sqlalchemy import BigInteger, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from timbre.models.base import JSON, TeamScoped


class Webhook(TeamScoped):
    """A team's endpoint for events of its mode (a test key's webhook gets test events only).

    The signing secret is AES-GCM encrypted; after a rotation the previous one keeps signing (a second
    signature) until `previous_secret_expires_at`. `failing_since` is the first failed attempt with no success
    after it: an endpoint failing for 5 days is `disabled`."""

    __tablename__ = "webhooks"

    url: Mapped[str] = mapped_column(Text)
    events: Mapped[list[str]] = mapped_column(JSON, default=list)
    description: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(12), default="active")
    owner: Mapped[str | None] = mapped_column(String(40))
    secret_enc: Mapped[bytes] = mapped_column(LargeBinary)
    previous_secret_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    previous_secret_expires_at: Mapped[int | None] = mapped_column(BigInteger)
    failing_since: Mapped[int | None] = mapped_column(BigInteger)
    disabled_at: Mapped[int | None] = mapped_column(BigInteger)
