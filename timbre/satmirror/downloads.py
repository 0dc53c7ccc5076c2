"""Download runs: starting one (by the schedule or on demand), the schedule's daily trigger, the history.

A run covers a window for one or both directions; it asks SAT for the metadata first, then the CFDI
(SAT's rule). Its requests and packages are rows (see `job.py`, which advances them), so nothing of a
run lives only in a worker's memory.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, NoReturn

from sqlalchemy.orm import Session

from timbre.errors import BadRequest, Conflict, NotFound
from timbre.kit.ids import new_id
from timbre.models import SatDownloadRequest, SatDownloadRun, SatMirrorSettings, Team
from timbre.satmirror.download_repository import (
    DownloadPackageRepository,
    DownloadRequestRepository,
    DownloadRunRepository,
)
from timbre.satmirror.ingest import team_rfc
from timbre.satmirror.output import local_iso
from timbre.satmirror.read import MEXICO

KINDS = ("Metadata", "CFDI")
# A request's status as gigstack's history reports it.
_HISTORY_STATUS = {"new": "pending", "retry": "pending", "accepted": "accepted", "downloading": "processing",
                   "completed": "completed", "failed": "failed", "expired": "expired"}


def mexico_wall(value: datetime) -> str:
    """A datetime as SAT reads a query bound: Mexico City wall clock, seconds."""
    if value.tzinfo is not None:
        value = value.astimezone(MEXICO).replace(tzinfo=None)
    return value.replace(microsecond=0).isoformat()


class Downloads:
    def start(self, session: Session, team: Team, livemode: bool, *, directions: Sequence[str],
              kinds: Sequence[str] = KINDS, start: datetime, end: datetime, source: str,
              owner_id: str | None = None) -> SatDownloadRun:
        """A new run, its requests in the `new` state (the caller enqueues `tasks.work_on_run`)."""
        rfc = team_rfc(team)
        if not directions:
            raise BadRequest("Nothing to download", "download_types must name issued and/or received",
                             code="invalid_field_value")
        runs = DownloadRunRepository.from_session(session)
        if runs.running_of_team(team.id, livemode) is not None:
            raise Conflict("A download is already running", "Wait for the team's current SAT download to finish",
                           code="download_in_progress")
        window_start, window_end = mexico_wall(start), mexico_wall(end)
        run = runs.add(SatDownloadRun(id=new_id("satrun"), team_id=team.id, livemode=livemode, source=source,
                                      rfc=rfc, directions=list(directions), window_start=window_start,
                                      window_end=window_end, owner_id=owner_id, status="running", lease_until=0,
                                      imported=0))
        requests = DownloadRequestRepository.from_session(session)
        for sequence, kind in enumerate(kinds):
            for direction in directions:
                requests.add(SatDownloadRequest(
                    id=new_id("satreq"), team_id=team.id, livemode=livemode, run_id=run.id, sequence=sequence,
                    direction=direction, kind=kind, window_start=window_start, window_end=window_end,
                    status="new", source=source, owner_id=owner_id, package_ids=[], cfdi_count=0, processed=0,
                    attempts=0))
        return run

    def start_scheduled(self, session: Session, team: Team, settings: SatMirrorSettings,
                        now: datetime) -> SatDownloadRun | None:
        """The schedule's run for today (local), once `settings.time` has passed; None if not due."""
        local = now.astimezone(MEXICO)
        today = local.date().isoformat()
        if settings.last_scheduled_on == today or local.strftime("%H:%M") < settings.time:
            return None
        if DownloadRunRepository.from_session(session).running_of_team(team.id, settings.livemode) is not None:
            return None
        settings.last_scheduled_on = today
        window_start = (local - timedelta(days=settings.days_back)).replace(hour=0, minute=0, second=0)
        return self.start(session, team, settings.livemode, directions=list(settings.download_types),
                          start=window_start, end=local, source="schedule")

    def history(self, session: Session, team_id: str, livemode: bool) -> list[dict[str, Any]]:
        rows = DownloadRequestRepository.from_session(session).history(team_id, livemode)
        return [self.history_item(row) for row in rows]

    def request_status(self, session: Session, team_id: str, livemode: bool, request_id: str) -> dict[str, Any]:
        """One request as the history shows it, plus its packages (id, status, CFDI imported, SAT's refusal)."""
        row = DownloadRequestRepository.from_session(session).get_scoped(request_id, team_id, livemode)
        if row is None:
            raise NotFound("Download request not found", "No SAT download request with this id for the team")
        packages = DownloadPackageRepository.from_session(session).of_request(team_id, livemode, row.id)
        return {**self.history_item(row), "packages": [
            {"id": p.package_id, "status": p.status, "imported": p.imported, "code": p.code, "message": p.message}
            for p in packages]}

    def package(self, session: Session, team_id: str, livemode: bool, package_id: str) -> NoReturn:
        """Packages are imported into the mirror and not kept: a known one is a 404 saying so."""
        row = DownloadPackageRepository.from_session(session).by_package_id(team_id, livemode, package_id)
        if row is None:
            raise NotFound("Package not found", "No SAT package with this id for the team")
        raise NotFound("Package not kept", f"Package {package_id} was {row.status}: packages are not kept once "
                       "imported; read its CFDI with GET /v2/invoices/sat or /v2/invoices/download/invoice/{uuid}",
                       code="package_not_kept")

    @staticmethod
    def history_item(row: SatDownloadRequest) -> dict[str, Any]:
        return {
            "id": row.id, "run_id": row.run_id, "rfcType": row.direction, "requestType": row.kind.lower(),
            "startDate": row.window_start, "endDate": row.window_end,
            "status": _HISTORY_STATUS.get(row.status, row.status), "invoiceCount": row.cfdi_count,
            "processedCount": row.processed, "statusMessage": row.message, "satCode": row.code,
            "satRequestId": row.sat_request_id, "source": row.source, "owner": row.owner_id,
            "earliestIssueDate": local_iso(row.earliest_issue), "latestIssueDate": local_iso(row.latest_issue),
            "createdAt": row.created_at, "completedAt": row.completed_at,
        }


downloads = Downloads()
