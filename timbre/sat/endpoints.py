"""SAT connection API (spec §2.6): upload of the team's CSD."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from timbre.auth.dependencies import AdminAuth, ReadAuth
from timbre.deps import SessionDep, SettingsDep
from timbre.errors import ERROR_RESPONSES, NotFound
from timbre.kit.envelope import Envelope, ok
from timbre.kit.uploads import read_multipart, upload_responses
from timbre.sat.manifest_service import MAX_FILE_BYTES as MAX_FIEL_BYTES
from timbre.sat.manifest_service import FielUpload, manifest_service
from timbre.sat.schemas import ManifestSignIn, ManifestSignOut, SatConnectionOut
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


_FIEL_PARTS = {
    "key": {"type": "string", "format": "binary", "description": "The FIEL's .key file (or its base64)"},
    "cert": {"type": "string", "format": "binary", "description": "The FIEL's .cer file (or its base64)"},
    "password": {"type": "string", "maxLength": 200, "description": "The .key's password"},
}
MANIFEST_BODY: dict[str, Any] = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": ManifestSignIn.model_json_schema()},
    "multipart/form-data": {"schema": {"type": "object", "properties": _FIEL_PARTS}},
}}}


async def _fiel_upload(request: Request, session: SessionDep) -> FielUpload:
    """The FIEL from a JSON body (base64 `key`, `cert`, `password`) or a multipart one (files or base64 text)."""
    if request.headers.get("content-type", "").lower().startswith("multipart/"):
        session.commit()  # release SQLite's write lock while the body arrives (nothing is written yet)
        form = await read_multipart(request, max_file_size=MAX_FIEL_BYTES, max_field_size=4 * MAX_FIEL_BYTES,
                                    max_parts=3)

        def part(name: str) -> str | bytes | None:
            upload = form.files.get(name)
            return upload.data if upload is not None else form.fields.get(name)

        return FielUpload(key=part("key"), cert=part("cert"), password=form.fields.get("password"))
    raw = await request.body()
    try:
        body = ManifestSignIn.model_validate_json(raw) if raw.strip() else ManifestSignIn()
    except ValidationError as exc:
        raise RequestValidationError(exc.errors(include_url=False), body=None) from None
    return FielUpload(key=body.key, cert=body.cert, password=body.password)


@router.post("/{team_id}/manifest/sign", response_model=Envelope[ManifestSignOut], openapi_extra=MANIFEST_BODY,
             responses=upload_responses(MAX_FIEL_BYTES))
def sign_manifest(team_id: str, auth: AdminAuth, session: SessionDep, settings: SettingsDep,
                  upload: FielUpload = Depends(_fiel_upload)) -> dict[str, Any]:
    """Sign the PAC's service manifest with the team's FIEL (e.firma), for the key's mode.

    JSON `{key, cert, password}` with the .key and .cer in base64, or multipart with the files. The FIEL must
    open with the password, be a FIEL (not a CSD), be valid today, be issued by SAT (test mode: also SAT's
    test CA and the Timbre Test CA) and carry the team's RFC (`Certificado FIEL invalido`, `El RFC del
    certificado no coincide con el RFC del equipo`); the team needs its tax_id, legal name, tax system and
    CSD in this mode (`SAT configuration is incomplete`). The manifest is signed as XML with an enveloped
    XML-DSig signature (RSA-SHA256, exclusive C14N) and rendered as PDF; both are stored, the FIEL is kept
    encrypted and `teams.sat.manifest.signed` is emitted.
    """
    team = team_service.get(session, auth, team_id)
    data = manifest_service.sign(session, settings, team, upload, livemode=auth.livemode)
    return ok("Manifest signed successfully", data)
