"""gigstack's lower-level SAT download routes: registration, the sync period, the sync toggle and the FIEL as
a PKCS#12. Mounted beside `download_endpoints.router`. Guide: docs/sat-mirror.md."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from timbre.auth.dependencies import AdminAuth
from timbre.deps import SessionDep, SettingsDep
from timbre.errors import ERROR_RESPONSES
from timbre.kit.envelope import Envelope, ok
from timbre.satmirror.registration import Registration, registration
from timbre.satmirror.schemas import EnableSyncIn, PfxIn, RegisterIn, SyncPeriodIn

router = APIRouter(prefix="/invoices/download", tags=["SAT download"], responses=ERROR_RESPONSES)


@router.post("/register", response_model=Envelope[dict[str, Any]])
def register(body: RegisterIn, auth: AdminAuth, session: SessionDep) -> dict[str, Any]:
    """Register the team for the SAT sync: `phone` and `sync_start_date` (YYYY-MM-DD, at most 71 months back;
    default the 71 months). Only needed when `/fiel` was sent without them; the FIEL must be stored first (400
    otherwise). `legal_name` and `max_monthly_invoices` are accepted and not used."""
    data = registration.register(session, auth.team, auth.livemode,
                                 Registration(phone=body.phone, sync_start_date=body.sync_start_date))
    return ok("Business registered with SAT sync enabled.", data)


@router.put("/sync-period", response_model=Envelope[dict[str, Any]])
def sync_period(body: SyncPeriodIn, auth: AdminAuth, session: SessionDep) -> dict[str, Any]:
    """Set the first day the mirror covers: `{}` re-registers the maximum (71 months back), `sync_from`
    (YYYY-MM-DD) a later day."""
    return ok("Sync period updated", registration.sync_period(session, auth.team, auth.livemode, body.sync_from))


@router.post("/enable-sync", response_model=Envelope[dict[str, Any]])
def enable_sync(body: EnableSyncIn, auth: AdminAuth, session: SessionDep) -> dict[str, Any]:
    """Turn the daily download on (`{}`) or off (`{"enabled": false}`), with `PUT /schedule`'s checks
    (activated, FIEL stored, team RFC). Answers the schedule, as `GET /schedule`."""
    data = registration.enable_sync(session, auth.team, auth.livemode, body.enabled)
    return ok("Sync enabled" if body.enabled else "Sync disabled", data)


@router.post("/pfx", response_model=Envelope[dict[str, Any]])
def upload_pfx(body: PfxIn, auth: AdminAuth, session: SessionDep, settings: SettingsDep) -> dict[str, Any]:
    """The team's FIEL as one PKCS#12 (`pfx`, base64) and `pfx_password`: opened, then checked and stored
    exactly like `POST /fiel` (a 400 naming the part for a wrong password, a CSD, another RFC, an expired or
    untrusted certificate). Answers as `/fiel`."""
    data = registration.upload_pfx(session, settings, auth.team, auth.livemode, body.pfx, body.pfx_password)
    return ok("FIEL credentials stored successfully.", data)
