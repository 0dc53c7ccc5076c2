"""Which implementation of SAT's web services a mode talks to: test mode → the simulated SAT of this server
(state in the database), live mode → SAT's SOAP services."""

from __future__ import annotations

from timbre.config import get_settings
from timbre.satws.base import DownloadService, StatusService
from timbre.satws.live_download import LiveDownload
from timbre.satws.live_status import LiveStatus
from timbre.satws.simulated_download import SimulatedDownload, SimulatedRules
from timbre.satws.simulated_status import SimulatedStatus


def simulated_rules() -> SimulatedRules:
    settings = get_settings()
    return SimulatedRules(steps=settings.sat_sim_steps, package_size=settings.sat_sim_package_size,
                          quota=settings.sat_sim_quota, downloads=settings.sat_sim_downloads)


def download_service(livemode: bool) -> DownloadService:
    settings = get_settings()
    if livemode:
        return LiveDownload(timeout=settings.sat_timeout)
    return SimulatedDownload(settings.db_url, simulated_rules())


def status_service(livemode: bool) -> StatusService:
    settings = get_settings()
    if livemode:
        return LiveStatus(timeout=settings.sat_timeout)
    return SimulatedStatus(settings.db_url)


def simulated_status() -> SimulatedStatus:
    """The simulated SAT's cancellation desk (test mode only): the sandbox PAC records requests there."""
    return SimulatedStatus(get_settings().db_url)
