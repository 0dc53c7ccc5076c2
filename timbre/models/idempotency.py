from sqlalchemy import BigInteger, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from timbre.models.base import Record


class IdempotencyRecord(Record):
    """The first response to a POST with an idempotency key, replayed to retries (kept ≥ 24 h)."""

    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("team_id", "livemode", "key"),)

    team_id: Mapped[str] = mapped_column(String(40))
    livemode: Mapped[bool] = mapped_column()
    key: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(12), default="processing")
    locked_until: Mapped[int] = mapped_column(BigInteger)
    response_status: Mapped[int | None] = mapped_column(Integer)
    response_body: Mapped[bytes | None] = mapped_column(LargeBinary)
