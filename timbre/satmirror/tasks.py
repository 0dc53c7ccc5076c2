"""The SAT mirror's jobs: working on a download run until SAT has delivered everything, and the periodic
tick that starts each team's scheduled run and resumes runs a killed worker left behind."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from huey import crontab
from sqlalchemy.orm import Session

from timbre.config import get_settings
from timbre.kit import jobs
from timbre.kit.clock import now_ms
from timbre.kit.db import session_scope
from timbre.models import SatDownloadRun
from timbre.satmirror import job
from timbre.satmirror.download_repository import DownloadRunRepository
from timbre.satmirror.downloads import downloads
from timbre.satmirror.repository import SatMirrorSettingsRepository
from timbre.satws.services import download_service
from timbre.teams.repository import TeamRepository
from timbre.worker.queue import huey

log = logging.getLogger("timbre.satmirror")


def context(livemode: bool) -> job.Context:
    settings = get_settings()
    return job.Context(db_url=settings.db_url, secret=settings.secret(), service=download_service(livemode),
                       lease_ms=int(settings.sat_lease_seconds * 1000), poll_ms=int(settings.sat_poll_seconds * 1000))


@huey.task()
def work_on_run(run_id: str, team_id: str, livemode: bool, token: int | None = None) -> str:
    ctx = context(livemode)
    outcome, next_token = job.work(ctx, run_id, team_id, livemode, token)
    if outcome == "wait":
        work_on_run.schedule(args=(run_id, team_id, livemode, next_token), delay=ctx.poll_ms / 1000)
    log.info("SAT download run %s: %s", run_id, outcome)
    return outcome


def enqueue_run(session: Session, run: SatDownloadRun) -> None:
    jobs.enqueue(session, work_on_run, run.id, run.team_id, run.livemode)


def start_due(now: datetime | None = None) -> list[str]:
    """Start the scheduled run of every team whose time of day has come (once per local day)."""
    started: list[str] = []
    url = get_settings().db_url
    with session_scope(url) as session:
        due = SatMirrorSettingsRepository.from_session(session).scheduled()
    for team_id, livemode in due:
        with session_scope(url) as session:
            settings = SatMirrorSettingsRepository.from_session(session).lock_of_team(team_id, livemode)
            team = TeamRepository.from_session(session).get(team_id)
            if settings is None or team is None or not team.tax_id:
                continue
            run = downloads.start_scheduled(session, team, settings, now or datetime.now(UTC))
            if run is not None:
                enqueue_run(session, run)
                started.append(run.id)
    return started


def resume() -> list[str]:
    """Send the job of every running run whose lease lapsed (its worker died, or its continuation was lost)."""
    with session_scope(get_settings().db_url) as session:
        abandoned = DownloadRunRepository.from_session(session).abandoned(now_ms())
    for run_id, team_id, livemode in abandoned:
        work_on_run(run_id, team_id, livemode)
    return [run_id for run_id, _team, _mode in abandoned]


@huey.periodic_task(crontab(minute="*"))
def tick() -> dict[str, list[str]]:
    return {"started": start_due(), "resumed": resume()}
