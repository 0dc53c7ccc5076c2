"""All SQL of the download runs, their SAT requests and packages (the resumable job's state)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import or_, select, update

from timbre.kit.repository import TeamScopedRepository
from timbre.models import SatDownloadPackage, SatDownloadRequest, SatDownloadRun


class DownloadRunRepository(TeamScopedRepository[SatDownloadRun]):
    model = SatDownloadRun

    def take(self, team_id: str, livemode: bool, run_id: str, *, now: int, lease_until: int,
             token: int | None = None) -> bool:
        """Take the run's lease when it has lapsed, or when it is still the one (`token`) the job that scheduled
        this continuation left (one atomic UPDATE: two workers never both take it)."""
        free = SatDownloadRun.lease_until <= now
        result = self.session.execute(
            update(SatDownloadRun)
            .where(SatDownloadRun.id == run_id, SatDownloadRun.team_id == team_id,
                   SatDownloadRun.livemode == livemode, SatDownloadRun.status == "running",
                   free if token is None else or_(free, SatDownloadRun.lease_until == token))
            .values(lease_until=lease_until)
            .execution_options(synchronize_session=False))
        return bool(getattr(result, "rowcount", 0))

    def running_of_team(self, team_id: str, livemode: bool) -> SatDownloadRun | None:
        row: SatDownloadRun | None = self.session.scalars(
            self.scoped(team_id, livemode).where(SatDownloadRun.status == "running")).first()
        return row

    def abandoned(self, now: int) -> list[tuple[str, str, bool]]:
        """(run id, team_id, livemode) of every running run nobody holds (its lease lapsed), across teams."""
        stmt = select(SatDownloadRun.id, SatDownloadRun.team_id, SatDownloadRun.livemode).where(
            SatDownloadRun.status == "running", SatDownloadRun.lease_until <= now)
        return [(run_id, team_id, livemode) for run_id, team_id, livemode in self.session.execute(stmt).tuples()]


class DownloadRequestRepository(TeamScopedRepository[SatDownloadRequest]):
    model = SatDownloadRequest

    def of_run(self, team_id: str, livemode: bool, run_id: str) -> Sequence[SatDownloadRequest]:
        stmt = self.scoped(team_id, livemode).where(SatDownloadRequest.run_id == run_id).order_by(
            SatDownloadRequest.sequence, SatDownloadRequest.created_at, SatDownloadRequest.id)
        return self.session.scalars(stmt).all()

    def history(self, team_id: str, livemode: bool, limit: int = 20) -> Sequence[SatDownloadRequest]:
        stmt = self.scoped(team_id, livemode).where(SatDownloadRequest.status != "split").order_by(
            SatDownloadRequest.created_at.desc(), SatDownloadRequest.id.desc()).limit(limit)
        return self.session.scalars(stmt).all()


class DownloadPackageRepository(TeamScopedRepository[SatDownloadPackage]):
    model = SatDownloadPackage

    def of_request(self, team_id: str, livemode: bool, request_id: str) -> Sequence[SatDownloadPackage]:
        stmt = self.scoped(team_id, livemode).where(SatDownloadPackage.request_id == request_id).order_by(
            SatDownloadPackage.package_id)
        return self.session.scalars(stmt).all()

    def by_package_id(self, team_id: str, livemode: bool, package_id: str) -> SatDownloadPackage | None:
        row: SatDownloadPackage | None = self.session.scalars(self.scoped(team_id, livemode).where(
            SatDownloadPackage.package_id == package_id)).first()
        return row
