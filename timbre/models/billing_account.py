from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from timbre.models.base import Record


class BillingAccount(Record):
    """Owns teams (gigstack Connect): keys of its master team may act on any of its teams."""

    __tablename__ = "billing_accounts"

    name: Mapped[str] = mapped_column(String(200), default="")
