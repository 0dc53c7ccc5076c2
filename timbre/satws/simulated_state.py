"""What the simulated SAT says about one CFDI stamped on this server: Estado, EstatusCancelacion and the date
of cancellation, from its own cancellation requests (`sat_sim_cancellations`) and, for documents cancelled
before SAT kept any, the invoice's own status. A cancellation "En proceso" whose receiver has not answered
within 72 hours reads "Plazo vencido" (cancelled) from then on: evaluated when read, so nothing has to run."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from timbre.kit.clock import utcnow
from timbre.models import SatSimCancellation
from timbre.satws.acceptance import ANSWER_WINDOW

IN_PROCESS = "En proceso"
EXPIRED = "Plazo vencido"
WITHOUT_ACCEPTANCE = "Cancelado sin aceptación"
WITH_ACCEPTANCE = "Cancelado con aceptación"
REJECTED = "Solicitud rechazada"
CANCELLED = (EXPIRED, WITHOUT_ACCEPTANCE, WITH_ACCEPTANCE)


def clock() -> datetime:
    """The simulated SAT's clock (tests move it forward to see the 72 hours pass)."""
    return utcnow()


@dataclass(frozen=True)
class SatState:
    state: str  # "Vigente" | "Cancelado"
    cancellation_status: str  # EstatusCancelacion ("" when never asked)
    cancelled_at: datetime | None


def _ms(value: int) -> datetime:
    return datetime.fromtimestamp(value / 1000, UTC)


def effective_status(row: SatSimCancellation, now: datetime | None = None) -> tuple[str, datetime | None]:
    """The request's EstatusCancelacion now, and when it was cancelled (if it was)."""
    if row.status == IN_PROCESS:
        deadline = _ms(row.requested_at) + ANSWER_WINDOW
        if (now or clock()) >= deadline:
            return EXPIRED, deadline
        return IN_PROCESS, None
    if row.status in CANCELLED:
        return row.status, _ms(row.answered_at or row.requested_at)
    return row.status, None


def sat_state(status: str, cancellation: dict[str, Any] | None, row: SatSimCancellation | None,
              now: datetime | None = None) -> SatState:
    """SAT's view of a stamped CFDI whose invoice has `status` and `cancellation`."""
    if row is not None:
        current, cancelled_at = effective_status(row, now)
        return SatState("Cancelado" if current in CANCELLED else "Vigente", current, cancelled_at)
    if status == "cancelled":
        at = (cancellation or {}).get("cancelled_at")
        return SatState("Cancelado", WITHOUT_ACCEPTANCE, datetime.fromtimestamp(at, UTC) if at else None)
    return SatState("Vigente", "", None)
