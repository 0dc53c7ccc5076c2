"""Advancing a download run against SAT: request → verify → download → import, one durable step at a time.

Every SAT call happens outside any database transaction, and its outcome is written (and committed) at
once, so a worker killed at any instant loses at most the call in flight: the next worker asks again, and
a package imported twice changes nothing (rows are upserted by UUID, and a package is marked imported in
the transaction that imports it). The job holds the run's lease (`lease_until`) while it works; a lapsed
lease lets another worker take over.

SAT's answers, each with one outcome:
- 5000 accepted → keep IdSolicitud; 5004 nothing found → completed, 0 CFDI;
- 5003 more than SAT's cap (200,000 CFDI / 1,000,000 metadata) → the window is split in halves, retried;
- 5002 quota for this query spent → failed (SAT accepts the same query again only later);
- 5005 duplicate (SAT still works on the same query) and SatUnavailable → asked again on the next pass,
  failed after MAX_ATTEMPTS; verify's 404 (SAT lost the request) and state 6 (expired) → asked anew;
- any other code (300 authentication, 301/302 malformed, ...) → failed with SAT's code and message.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from timbre.kit.db import session_scope
from timbre.kit.ids import new_id
from timbre.models import SatDownloadRequest, SatDownloadRun
from timbre.sat import fiel
from timbre.satmirror.download_repository import (
    DownloadPackageRepository,
    DownloadRequestRepository,
    DownloadRunRepository,
)
from timbre.satmirror.job_packages import PackageSteps
from timbre.satmirror.job_state import FINISHED, Context, Snapshot
from timbre.satws.base import Code, Direction, DownloadKind, DownloadQuery, RequestState, SatUnavailable
from timbre.teams.repository import TeamRepository

__all__ = ["Context", "work"]


class _Run(PackageSteps):
    """One job's pass over a run: its requests asked, verified, split (the packages in `job_packages`)."""

    # ---- a pass ------------------------------------------------------------------------------------
    def begin(self, token: int | None) -> str | None:
        """Take the lease and load the FIEL; the outcome when the run cannot be worked on now."""
        with session_scope(self.ctx.db_url) as session:
            runs = DownloadRunRepository.from_session(session)
            run = runs.get_scoped(self.run_id, self.team_id, self.livemode)
            if run is None or run.status != "running":
                return "gone"
            now = self.ctx.clock()
            if not runs.take(self.team_id, self.livemode, self.run_id, now=now, lease_until=now + self.ctx.lease_ms,
                             token=token):
                return "busy"
            team = TeamRepository.from_session(session).get(self.team_id)
            self.rfc = run.rfc
            self.credential = fiel.load(self.ctx.secret, team, livemode=self.livemode) if team else None
            if self.credential is None:
                run.status, run.message, run.completed_at = "failed", "The team has no FIEL in this mode", now
                return "failed"
        return None

    def active(self) -> list[Snapshot] | None:
        """The unfinished requests of the lowest unfinished sequence (metadata before CFDI); None when all
        are finished (the run is then closed)."""
        def read(session: Session, run: SatDownloadRun) -> list[Snapshot] | None:
            rows = DownloadRequestRepository.from_session(session).of_run(self.team_id, self.livemode, self.run_id)
            open_rows = [row for row in rows if row.status not in FINISHED]
            if not open_rows:
                self._close(run, rows)
                return None
            sequence = min(row.sequence for row in open_rows)
            packages = DownloadPackageRepository.from_session(session)
            return [Snapshot(row.id, row.status, row.direction, row.kind, row.window_start, row.window_end,
                             row.sat_request_id, row.attempts,
                             tuple(p.package_id for p in packages.of_request(self.team_id, self.livemode, row.id)
                                   if p.status == "pending"))
                    for row in open_rows if row.sequence == sequence]
        result: list[Snapshot] | None = self.write(read)
        return result

    def _close(self, run: SatDownloadRun, rows: Any) -> None:
        leaves = [row for row in rows if row.status != "split"]
        failed = [row for row in leaves if row.status in ("failed", "expired")]
        run.status = "failed" if leaves and len(failed) == len(leaves) else "completed"
        run.message = "; ".join(f"{r.direction} {r.kind}: {r.message}" for r in failed)[:500] or None
        run.completed_at = self.ctx.clock()
        run.lease_until = 0

    def hold_until_next_pass(self) -> int:
        """Keep the lease for the continuation the caller schedules in `poll_ms`: its token. Should that
        continuation be lost, the lease lapses `lease_ms` later and the periodic job resumes the run."""
        token = self.ctx.clock() + self.ctx.poll_ms + self.ctx.lease_ms
        with session_scope(self.ctx.db_url) as session:
            run = DownloadRunRepository.from_session(session).get_scoped(self.run_id, self.team_id, self.livemode)
            assert run is not None
            run.lease_until = token
        return token

    # ---- one request -------------------------------------------------------------------------------
    def advance(self, snap: Snapshot) -> bool:
        """One SAT call (or several downloads) for the request; whether it made progress."""
        if snap.status in ("new", "retry"):
            return self._ask(snap)
        if snap.status == "accepted":
            return self._verify(snap)
        return self.download(snap)

    def _ask(self, snap: Snapshot) -> bool:
        assert self.credential is not None
        query = DownloadQuery(rfc=self.rfc, direction=Direction(snap.direction), kind=DownloadKind(snap.kind),
                              start=datetime.fromisoformat(snap.window_start),
                              end=datetime.fromisoformat(snap.window_end))
        try:
            answer = self.ctx.service.request(self.credential, query)
        except SatUnavailable as exc:
            return self.again(snap, None, f"SAT unavailable: {exc}")
        message = f"{answer.code}: {answer.message}"[:500]
        if answer.code == Code.ACCEPTED and answer.request_id:
            self.set(snap, status="accepted", sat_request_id=answer.request_id, code=answer.code, message=message,
                      attempts=snap.attempts + 1)
        elif answer.code == Code.NOT_FOUND:
            self.set(snap, status="completed", code=answer.code, message=message)
        elif answer.code == Code.MAX_LIMIT:
            self._split(snap, message)
        elif answer.code == Code.DUPLICATE:
            return self.again(snap, answer.code, message)
        else:  # 5002 quota, 300/301/302 and anything else SAT refuses with
            self.set(snap, status="failed", code=answer.code, message=message)
        return True

    def _split(self, snap: Snapshot, message: str) -> None:
        start, end = datetime.fromisoformat(snap.window_start), datetime.fromisoformat(snap.window_end)
        if end - start < timedelta(seconds=2):
            self.set(snap, status="failed", code=Code.MAX_LIMIT, message=message)
            return
        middle = start + (end - start) / 2
        halves = ((start, middle), (middle + timedelta(seconds=1), end))

        def change(session: Session, _run: SatDownloadRun) -> None:
            parent = self.request_row(session, snap.id)
            parent.status, parent.code, parent.message = "split", Code.MAX_LIMIT, message
            repo = DownloadRequestRepository.from_session(session)
            for low, high in halves:
                repo.add(SatDownloadRequest(
                    id=new_id("satreq"), team_id=self.team_id, livemode=self.livemode, run_id=self.run_id,
                    parent_id=parent.id, sequence=parent.sequence, direction=parent.direction, kind=parent.kind,
                    window_start=low.replace(microsecond=0).isoformat(),
                    window_end=high.replace(microsecond=0).isoformat(), status="new", source=parent.source,
                    owner_id=parent.owner_id, package_ids=[], cfdi_count=0, processed=0, attempts=0))
        self.write(change)

    def _verify(self, snap: Snapshot) -> bool:
        assert self.credential is not None and snap.sat_request_id is not None
        try:
            answer = self.ctx.service.verify(self.credential, self.rfc, snap.sat_request_id)
        except SatUnavailable:
            return False
        message = f"{answer.request_code or answer.code}: {answer.message}"[:500]
        if answer.code != Code.ACCEPTED:
            if answer.code == Code.UNKNOWN_REQUEST:  # SAT no longer knows the request: ask anew
                return self.again(snap, answer.code, message)
            self.set(snap, status="failed", code=answer.code, message=message)
            return True
        if answer.state in (RequestState.ACCEPTED, RequestState.IN_PROGRESS):
            return False
        if answer.state == RequestState.FINISHED:
            if not answer.package_ids:
                self.set(snap, status="completed", code=answer.request_code, message=message,
                          cfdi_count=answer.cfdi_count)
                return True
            self.packages(snap, answer.package_ids, answer.cfdi_count, answer.request_code, message)
            return True
        if answer.request_code == Code.MAX_LIMIT:
            self._split(snap, message)
        elif answer.request_code == Code.NOT_FOUND:
            self.set(snap, status="completed", code=answer.request_code, message=message)
        elif answer.state == RequestState.EXPIRED:
            return self.again(snap, answer.request_code, message)
        else:  # ERROR, REJECTED
            self.set(snap, status="failed", code=answer.request_code or answer.code, message=message)
        return True


def work(ctx: Context, run_id: str, team_id: str, livemode: bool, token: int | None = None) -> tuple[str, int | None]:
    """Advance the run as far as SAT allows now: `completed`/`failed` (finished), `wait` (SAT still
    working: call again in `poll_ms` with the token returned), `busy` (another worker holds the lease),
    `gone` (nothing to do)."""
    job = _Run(ctx, run_id, team_id, livemode)
    outcome = job.begin(token)
    if outcome is not None:
        return outcome, None
    while True:
        active = job.active()
        if active is None:
            with session_scope(ctx.db_url) as session:
                run = DownloadRunRepository.from_session(session).get_scoped(run_id, team_id, livemode)
                return (run.status if run is not None else "gone"), None
        progressed = False
        for snap in active:
            progressed = job.advance(snap) or progressed
        if not progressed:
            return "wait", job.hold_until_next_pass()
