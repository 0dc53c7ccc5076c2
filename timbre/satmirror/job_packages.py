"""The last steps of a download request: the packages SAT announced, downloaded and imported one by one (each
import in the transaction that marks its package imported, so a package imported twice changes nothing)."""

from __future__ import annotations

import functools

from sqlalchemy.orm import Session

from timbre.kit.ids import new_id
from timbre.models import SatDownloadPackage, SatDownloadRun
from timbre.satmirror.download_repository import DownloadPackageRepository
from timbre.satmirror.ingest import Ingest
from timbre.satmirror.job_state import RunState, Snapshot
from timbre.satws.base import Code, PackageAnswer, SatUnavailable
from timbre.teams.repository import TeamRepository


class PackageSteps(RunState):
    """Record the packages of a finished request, then download and import them."""

    def packages(self, snap: Snapshot, package_ids: tuple[str, ...], count: int, code: str, message: str) -> None:
        """SAT finished the request with these packages: record them, to download."""
        def change(session: Session, _run: SatDownloadRun) -> None:
            row = self.request_row(session, snap.id)
            row.status, row.cfdi_count, row.code, row.message = "downloading", count, code, message
            row.package_ids = list(package_ids)
            repo = DownloadPackageRepository.from_session(session)
            for package_id in package_ids:
                repo.add(SatDownloadPackage(id=new_id("satpkg"), team_id=self.team_id, livemode=self.livemode,
                                            request_id=row.id, package_id=package_id, status="pending", imported=0))
        self.write(change)

    def download(self, snap: Snapshot) -> bool:
        """Download and import the request's pending packages; whether any progressed."""
        assert self.credential is not None
        progressed = False
        for package_id in snap.pending_packages:
            try:
                answer = self.ctx.service.download(self.credential, self.rfc, package_id)
            except SatUnavailable:
                return progressed
            self.write(functools.partial(self.import_package, snap=snap, package_id=package_id, answer=answer))
            progressed = True

        def finish(session: Session, _run: SatDownloadRun) -> None:
            row = self.request_row(session, snap.id)
            packages = DownloadPackageRepository.from_session(session).of_request(self.team_id, self.livemode, row.id)
            if all(p.status != "pending" for p in packages):
                failed = [p for p in packages if p.status == "failed"]
                row.status = "failed" if failed and len(failed) == len(packages) else "completed"
                if failed:
                    row.message = f"{len(failed)} of {len(packages)} packages refused: {failed[0].message}"[:500]
                row.completed_at = self.ctx.clock()
        self.write(finish)
        return True

    def import_package(self, session: Session, run: SatDownloadRun, *, snap: Snapshot, package_id: str,
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
        row = self.request_row(session, snap.id)
        row.processed += result.created + result.updated + result.unchanged
        issued = [r.issued_at for r in ingest.repo.by_uuids(self.team_id, self.livemode, result.uuids).values()]
        if issued:
            row.earliest_issue = min([*issued, row.earliest_issue or issued[0]])
            row.latest_issue = max([*issued, row.latest_issue or issued[0]])
        run.imported += result.created + result.updated
