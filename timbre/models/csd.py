from __future__ import annotations

from sqlalchemy import BigInteger, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from timbre.models.base import TeamScoped


class Csd(TeamScoped):
    """A team's CSD (certificado de sello digital) for one mode: the certificate, and its private key
    AES-GCM encrypted with a key derived from the server secret (never stored or returned in clear).

    A new upload deactivates the previous one; old rows stay, because a document is cancelled with
    the CSD that sealed it (`no_certificado`)."""

    __tablename__ = "csds"
    __table_args__ = (Index("ix_csds_scope_active", "team_id", "livemode", "active"),)

    rfc: Mapped[str] = mapped_column(String(13))
    legal_name: Mapped[str] = mapped_column(String(300), default="")
    no_certificado: Mapped[str] = mapped_column(String(40), index=True)
    cer: Mapped[bytes] = mapped_column(LargeBinary)
    key_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    not_before: Mapped[int] = mapped_column(BigInteger)
    not_after: Mapped[int] = mapped_column(BigInteger)
    active: Mapped[bool] = mapped_column(default=True)
