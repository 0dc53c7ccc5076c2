from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from timbre.models.base import Record


class ApiKey(Record):
    """A JWT API key, kept only as a hash so it can be listed and revoked.

    `id` is the token's `key_id` claim (it contains "test" for test keys, as gigstack's CLI expects).
    """

    __tablename__ = "api_keys"

    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    livemode: Mapped[bool] = mapped_column(index=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    role: Mapped[str] = mapped_column(String(10), default="admin")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    issued_at: Mapped[int] = mapped_column(BigInteger)
    created_by: Mapped[str | None] = mapped_column(String(40))
    revoked_at: Mapped[int | None] = mapped_column(BigInteger)
    last_used_at: Mapped[int | None] = mapped_column(BigInteger)
    prefix: Mapped[str] = mapped_column(String(16), default="")
