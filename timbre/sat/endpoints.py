"""SAT connection API (spec §2.6): upload of the team's CSD."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, File, Form, UploadFile

from timbre.auth.dependencies import AdminAuth, ReadAuth
from timbre.deps import SessionDep, SettingsDep
from timbre.errors import ERROR_RESPONSES, NotFound
from timbre.kit.envelope import Envelope, ok
from timbre.sat.schemas import SatConnectionOut
from timbre.sat.service import MAX_FILE_BYTES, Upload, sat_connection
from timbre.teams.service import team as team_service

router = APIRouter(prefix="/teams", tags=["Teams"], responses=ERROR_RESPONSES)


def _read(upload: UploadFile | None) -> bytes | None:
    if upload is None:
        return None
    # One byte more than allowed is enough to tell "too large" without reading a huge upload.
    return upload.file.read(MAX_FILE_BYTES + 1)


@router.post("/{team_id}/sat-connection", response_model=Envelope[SatConnectionOut])
def connect(
    team_id: str,
    auth: AdminAuth,
    session: SessionDep,
    settings: SettingsDep,
    cert: UploadFile | None = File(None, description="The CSD certificate (.cer, DER)"),
    key: UploadFile | None = File(None, description="The CSD private key (.key, DER PKCS#8, encrypted)"),
    keyPass: str | None = Form(None, max_length=200, description="The private key's password"),
) -> dict[str, Any]:
    """Upload the team's CSD (multipart `cert`, `key`, `keyPass`) for the key's mode.

    The key must open with the password and match the certificate; it must be a CSD (not a FIEL) of the
    team's RFC, valid today, issued by SAT's production CA (live mode) or by SAT's test CA or the Timbre
    Test CA (test mode; see `timbre test-csd`). Each failure is a 400 naming the file at fault. The key
    is stored encrypted and never returned; the team's `sat` status is updated.
    """
    team = team_service.get(session, auth, team_id)
    upload = Upload(cer=_read(cert), key=_read(key), password=keyPass)
    csd = sat_connection.connect(session, settings.secret(), team, upload, livemode=auth.livemode)
    return ok("SAT connection established successfully", sat_connection.serialize(csd))


@router.get("/{team_id}/sat-connection", response_model=Envelope[SatConnectionOut])
def get_connection(team_id: str, auth: ReadAuth, session: SessionDep) -> dict[str, Any]:
    """The team's active CSD for the key's mode (certificate details only, never the key)."""
    team = team_service.get(session, auth, team_id)
    csd = sat_connection.active(session, team.id, auth.livemode)
    if csd is None:
        raise NotFound("SAT connection not found", "The team has no CSD in this mode; upload one first")
    return ok("SAT connection retrieved successfully", sat_connection.serialize(csd))
