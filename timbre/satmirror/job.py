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

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from timbre.cfdi.certs import Credential
from timbre.kit.clock import now_ms
from timbre.kit.db import session_scope
from timbre.kit.ids import new_id
from timbre.models import SatDownloadPackage, SatDownloadRequest, SatDownloadRun
from timbre.sat import fiel
from timbre.satmirror.download_repository import (
    DownloadPackageRepository,
    DownloadRequestRepository,
    DownloadRunRepository,
)
from timbre.satmirror.ingest import Ingest
from timbre.satws.base import (
    Code,
    Direction,
    DownloadKind,
    DownloadQuery,
    DownloadService,
    PackageAnswer,
    RequestState,
    SatUnavailable,
)
from timbre.teams.repository import TeamRepository

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


class _Run:
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

    def _request(self, session: Session, request_id: str) -> SatDownloadRequest:
        row = DownloadRequestRepository.from_session(session).get_scoped(request_id, self.team_id, self.livemode)
        assert row is not None
        return row

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
        return self._download(snap)

    def _set(self, snap: Snapshot, **values: Any) -> None:
        def change(session: Session, _run: SatDownloadRun) -> None:
            row = self._request(session, snap.id)
            for key, value in values.items():
                setattr(row, key, value)
            if values.get("status") in FINISHED:
                row.completed_at = self.ctx.clock()
        self.write(change)

    def _again(self, snap: Snapshot, code: str | None, message: str) -> bool:
        """Ask again on a later pass, or give up after MAX_ATTEMPTS."""
        attempts = snap.attempts + 1
        status = "failed" if attempts >= MAX_ATTEMPTS else "retry"
        self._set(snap, status=status, attempts=attempts, code=code, message=message[:500], sat_request_id=None)
        return status == "failed"

    def _ask(self, snap: Snapshot) -> bool:
        assert self.credential is not None
        query = DownloadQuery(rfc=self.rfc, direction=Direction(snap.direction), kind=DownloadKind(snap.kind),
                              start=datetime.fromisoformat(snap.window_start),
                              end=datetime.fromisoformat(snap.window_end))
        try:
            answer = self.ctx.service.request(self.credential, query)
        except SatUnavailable as exc:
            return self._again(snap, None, f"SAT unavailable: {exc}")
        message = f"{answer.code}: {answer.message}"[:500]
        if answer.code == Code.ACCEPTED and answer.request_id:
            self._set(snap, status="accepted", sat_request_id=answer.request_id, code=answer.code, message=message,
                      attempts=snap.attempts + 1)
        elif answer.code == Code.NOT_FOUND:
            self._set(snap, status="completed", code=answer.code, message=message)
        elif answer.code == Code.MAX_LIMIT:
            self._split(snap, message)
        elif answer.code == Code.DUPLICATE:
            return self._again(snap, answer.code, message)
        else:  # 5002 quota, 300/301/302 and anything else SAT refuses with
            self._set(snap, status="failed", code=answer.code, message=message)
        return True

    def _split(self, snap: Snapshot, message: str) -> None:
        start, end = datetime.fromisoformat(snap.window_start), datetime.fromisoformat(snap.window_end)
        if end - start < timedelta(seconds=2):
            self._set(snap, status="failed", code=Code.MAX_LIMIT, message=message)
            return
        middle = start + (end - start) / 2
        halves = ((start, middle), (middle + timedelta(seconds=1), end))

        def change(session: Session, _run: SatDownloadRun) -> None:
            parent = self._request(session, snap.id)
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
                return self._again(snap, answer.code, message)
            self._set(snap, status="failed", code=answer.code, message=message)
            return True
        if answer.state in (RequestState.ACCEPTED, RequestState.IN_PROGRESS):
            return False
        if answer.state == RequestState.FINISHED:
            if not answer.package_ids:
                self._set(snap, status="completed", code=answer.request_code, message=message,
                          cfdi_count=answer.cfdi_count)
                return True
            self._packages(snap, answer.package_ids, answer.cfdi_count, answer.request_code, message)
            return True
        if answer.request_code == Code.MAX_LIMIT:
            self._split(snap, message)
        elif answer.request_code == Code.NOT_FOUND:
            self._set(snap, status="completed", code=answer.request_code, message=message)
        elif answer.state == RequestState.EXPIRED:
            return self._again(snap, answer.request_code, message)
        else:  # ERROR, REJECTED
            self._set(snap, status="failed", code=answer.request_code or answer.code, message=message)
        return True

    def _packages(self, snap: Snapshot, package_ids: tuple[str, ...], count: int, code: str, message: str) -> None:
        def change(session: Session, _run: SatDownloadRun) -> None:
            row = self._request(session, snap.id)
            row.status, row.cfdi_count, row.code, row.message = "downloading", count, code, message
            row.package_ids = list(package_ids)
            repo = DownloadPackageRepository.from_session(session)
            for package_id in package_ids:
                repo.add(SatDownloadPackage(id=new_id("satpkg"), team_id=self.team_id, livemode=self.livemode,
                                            request_id=row.id, package_id=package_id, status="pending", imported=0))
        self.write(change)

    def _download(self, snap: Snapshot) -> bool:
        assert self.credential is not None
        progressed = False
        for package_id in snap.pending_packages:
            try:
                answer = self.ctx.service.download(self.credential, self.rfc, package_id)
            except SatUnavailable:
                return progressed
            self.write(functools.partial(self._import, snap=snap, package_id=package_id, answer=answer))
            progressed = True

        def finish(session: Session, _run: SatDownloadRun) -> None:
            row = self._request(session, snap.id)
            packages = DownloadPackageRepository.from_session(session).of_request(self.team_id, self.livemode, row.id)
            if all(p.status != "pending" for p in packages):
                failed = [p for p in packages if p.status == "failed"]
                row.status = "failed" if failed and len(failed) == len(packages) else "completed"
                if failed:
                    row.message = f"{len(failed)} of {len(packages)} packages refused: {failed[0].message}"[:500]
                row.completed_at = self.ctx.clock()
        self.write(finish)
        return True

    def _import(self, session: Session, run: SatDownloadRun, *, snap: Snapshot, package_id: str,
                answer: PackageAnswer) -> None:
        package = next(p for p in DownloadPackageRepository.from_session(session).of_request(
            self.team_id, self.livemode, snap.id) if p.package_id == package_id)
        if package.status != "pending":
            return
        if answer.code != Code.ACCEPTED or answer.package is None:
            package.status, package.code = "failed", answer.code
            package.message = f"{answer.code}: {answer.message}"[:500]
            return
        team = TeamRepository.from_session(session).get(self.team_id)
        assert team is not None
        ingest = Ingest(session, team, self.livemode, source="download")
        ingest.package(answer.package, package_id)
        result = ingest.result
        package.status, package.imported = "imported", result.created + result.updated
        row = self._request(session, snap.id)
        row.processed += result.created + result.updated + result.unchanged
        issued = [r.issued_at for r in ingest.repo.by_uuids(self.team_id, self.livemode, result.uuids).values()]
        if issued:
            row.earliest_issue = min([*issued, row.earliest_issue or issued[0]])
            row.latest_issue = max([*issued, row.latest_issue or issued[0]])
        run.imported += result.created + result.updated


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
