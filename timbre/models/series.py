from sqlalchemy import BigInteger, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from timbre.models.base import Record


class Series(Record):
    """A team's invoice series with one folio counter per mode (the last folio used)."""

    __tablename__ = "series"
    __table_args__ = (UniqueConstraint("team_id", "document_type", "series"),)

    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    document_type: Mapped[str] = mapped_column(String(20))
    series: Mapped[str] = mapped_column(String(10))
    counter_live: Mapped[int] = mapped_column(BigInteger, default=0)
    counter_test: Mapped[int] = mapped_column(BigInteger, default=0)
