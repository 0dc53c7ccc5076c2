from __future__ import annotations

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from timbre.models.base import Record


class SatSimCancellation(Record):
    """A cancellation request as the simulated SAT holds it (test mode): `id` is the CFDI's UUID.
    `status` is SAT's EstatusCancelacion ("En proceso", "Cancelado sin aceptación", "Cancelado con aceptación",
    "Solicitud rechazada", "Plazo vencido"); "En proceso" turns into "Plazo vencido" when the receiver has not
    answered within 72 hours (evaluated when read)."""

    __tablename__ = "sat_sim_cancellations"

    issuer_rfc: Mapped[str] = mapped_column(String(13))
    receiver_rfc: Mapped[str] = mapped_column(String(13), index=True)
    status: Mapped[str] = mapped_column(String(30))
    requested_at: Mapped[int] = mapped_column(BigInteger)  # ms
    answered_at: Mapped[int | None] = mapped_column(BigInteger)
