"""What a download job's pass holds (`RunState`): the run it works on, and each write as its own committed
transaction, which keeps the run's lease (see `job`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from timbre.cfdi.certs import Credential
from timbre.kit.clock import now_ms
from timbre.kit.db import session_scope
from timbre.models import SatDownloadRequest, SatDownloadRun
from timbre.satmirror.download_repository import DownloadRequestRepository, DownloadRunRepository
from timbre.satws.base import DownloadService

MAX_ATTEMPTS = 5
FINISHED = frozenset({"completed", "failed", "split", "expired"})


@dataclass(frozen=True)
class Context:
    db_url: str
    secret: str
    service: DownloadService
    lease_ms: int
    poll_ms: int
    clock: Callable[[], int] = now_ms


@dataclass(frozen=True)
class Snapshot:
    """What a pass needs of a request, read in a short transaction."""

    id: str
    status: str
    direction: str
    kind: str
    window_start: str
    window_end: str
    sat_request_id: str | None
    attempts: int
    pending_packages: tuple[str, ...]


class RunState:
    """One job's pass over a run (all writes go through `write`, each its own committed transaction)."""

    def __init__(self, ctx: Context, run_id: str, team_id: str, livemode: bool) -> None:
        self.ctx, self.run_id, self.team_id, self.livemode = ctx, run_id, team_id, livemode
        self.rfc = ""
        self.credential: Credential | None = None

    def write(self, change: Callable[[Session, SatDownloadRun], Any]) -> Any:
        with session_scope(self.ctx.db_url) as session:
            run = DownloadRunRepository.from_session(session).get_scoped(self.run_id, self.team_id, self.livemode)
            assert run is not None
            run.lease_until = self.ctx.clock() + self.ctx.lease_ms
            return change(session, run)

    def request_row(self, session: Session, request_id: str) -> SatDownloadRequest:
        """One of the run's requests, in `session`."""
        row = DownloadRequestRepository.from_session(session).get_scoped(request_id, self.team_id, self.livemode)
        assert row is not None
        return row

    def set(self, snap: Snapshot, **values: Any) -> None:
        """Write a request's columns (and its completion time when it finishes)."""
        def change(session: Session, _run: SatDownloadRun) -> None:
            row = self.request_row(session, snap.id)
            for key, value in values.items():
                setattr(row, key, value)
            if values.get("status") in FINISHED:
                row.completed_at = self.ctx.clock()
        self.write(change)

    def again(self, snap: Snapshot, code: str | None, message: str) -> bool:
        """Ask again on a later pass, or give up after MAX_ATTEMPTS."""
        attempts = snap.attempts + 1
        status = "failed" if attempts >= MAX_ATTEMPTS else "retry"
        self.set(snap, status=status, attempts=attempts, code=code, message=message[:500], sat_request_id=None)
        return status == "failed"
