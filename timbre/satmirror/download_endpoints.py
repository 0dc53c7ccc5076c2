"""The SAT download API (`/invoices/download/*`, gigstack's "Descarga Masiva"): activation, the team's FIEL,
the daily schedule, downloads on demand and their history. Guide: docs/sat-mirror.md."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Request

from timbre.auth.dependencies import AdminAuth, ReadAuth, WriteAuth
from timbre.deps import SessionDep, SettingsDep
from timbre.errors import ERROR_RESPONSES, BadRequest
from timbre.kit.envelope import Envelope, ok
from timbre.kit.uploads import read_multipart, upload_responses
from timbre.sat.manifest_service import MAX_FILE_BYTES, FielUpload
from timbre.satmirror import tasks
from timbre.satmirror.activation import ScheduleInput, activation
from timbre.satmirror.downloads import downloads
from timbre.satmirror.read import local_ms
from timbre.satmirror.schemas import DownloadRequestIn, ScheduleIn
from timbre.satmirror.service import sat_mirror

router = APIRouter(prefix="/invoices/download", tags=["SAT download"], responses=ERROR_RESPONSES)
_FIEL_PARTS = {
    "cert": {"type": "string", "format": "binary", "description": "The FIEL's .cer file"},
    "key": {"type": "string", "format": "binary", "description": "The FIEL's .key file"},
    "password": {"type": "string", "maxLength": 200, "description": "The .key's password"},
    "sync_start_date": {"type": "string", "maxLength": 10, "description": "YYYY-MM-DD, at most 71 months back"},
    "phone": {"type": "string", "maxLength": 20, "description": "Contact phone (+52…)"},
}
FIEL_BODY: dict[str, Any] = {"requestBody": {"required": True, "content": {"multipart/form-data": {
    "schema": {"type": "object", "properties": _FIEL_PARTS}}}}}


@router.get("/activate/status", response_model=Envelope[dict[str, Any]])
def activation_status(auth: ReadAuth, session: SessionDep) -> dict[str, Any]:
    """Whether the SAT download is on for the team in this mode: `status` (`active` | `needs_activation`),
    `isActivated`, `planIncludesFeature` (always true: self-hosted) and `pricing` (free)."""
    return ok("Activation status retrieved successfully", activation.status(session, auth.team, auth.livemode))


@router.post("/activate", response_model=Envelope[dict[str, Any]])
def activate(auth: AdminAuth, session: SessionDep) -> dict[str, Any]:
    """Turn the SAT download on for the team in this mode (no body). `data.type: "activated"`."""
    return ok("Activated successfully", activation.activate(session, auth.team, auth.livemode, True))


@router.post("/deactivate", response_model=Envelope[dict[str, Any]])
def deactivate(auth: AdminAuth, session: SessionDep) -> dict[str, Any]:
    """Turn it off (no body): scheduled runs stop; the mirror and the FIEL stay. `data.type: "deactivated"`."""
    return ok("Deactivated successfully (or already inactive)",
              activation.activate(session, auth.team, auth.livemode, False))


async def _fiel_form(request: Request, session: SessionDep) -> dict[str, Any]:
    session.commit()  # release SQLite's write lock while the body arrives
    form = await read_multipart(request, max_file_size=MAX_FILE_BYTES, max_field_size=4 * MAX_FILE_BYTES,
                                max_parts=6)

    def part(name: str) -> str | bytes | None:
        upload = form.files.get(name)
        return upload.data if upload is not None else form.fields.get(name)

    return {"upload": FielUpload(key=part("key"), cert=part("cert"), password=form.fields.get("password")),
            "sync_start_date": form.fields.get("sync_start_date"), "phone": form.fields.get("phone")}


@router.post("/fiel", response_model=Envelope[dict[str, Any]], openapi_extra=FIEL_BODY,
             responses=upload_responses(MAX_FILE_BYTES))
def upload_fiel(auth: AdminAuth, session: SessionDep, settings: SettingsDep,
                form: dict[str, Any] = Depends(_fiel_form)) -> dict[str, Any]:
    """The team's FIEL (e.firma) for SAT's download service, multipart `cert`, `key`, `password` (optional
    `sync_start_date`, `phone`). Checked like the manifest's FIEL: it must open with the password, be a FIEL
    (not a CSD), be valid today, be issued by SAT (test mode: also the Timbre Test CA) and carry the team's
    RFC; each failure is a 400 naming the part. Stored encrypted; never returned."""
    phone = form["phone"]
    if phone is not None and len(phone) > 20:
        raise BadRequest("Invalid phone", "phone has at most 20 characters", code="invalid_field_value")
    data = activation.upload_fiel(session, settings, auth.team, auth.livemode, form["upload"],
                                  sync_start_date=form["sync_start_date"], phone=phone)
    return ok("FIEL credentials stored successfully. Business registered with SAT sync enabled.", data)


@router.get("/schedule", response_model=Envelope[dict[str, Any]])
def get_schedule(auth: ReadAuth, session: SessionDep) -> dict[str, Any]:
    """The daily download's configuration, with the FIEL and activation status."""
    return ok("Schedule retrieved successfully", activation.schedule(session, auth.team, auth.livemode))


@router.put("/schedule", response_model=Envelope[dict[str, Any]])
def set_schedule(body: ScheduleIn, auth: AdminAuth, session: SessionDep) -> dict[str, Any]:
    """Set the daily download: `enabled`, `time` (HH:MM, America/Mexico_City), `download_types`
    (issued/received), `days_back`. Enabling needs the feature activated and the FIEL uploaded."""
    time = body.time
    if time is None and body.hour is not None:  # older clients send the hour in UTC
        time = _utc_hour_to_mexico(body.hour)
    change = ScheduleInput(enabled=body.enabled, time=time, download_types=body.download_types or body.types,
                           days_back=body.days_back)
    return ok("Schedule updated successfully", activation.set_schedule(session, auth.team, auth.livemode, change))


def _utc_hour_to_mexico(hour: int) -> str:
    return f"{(hour - 6) % 24:02d}:00"  # Mexico City has kept UTC-6 all year since 2022


@router.get("/schedule/history", response_model=Envelope[dict[str, Any]])
def schedule_history(auth: ReadAuth, session: SessionDep) -> dict[str, Any]:
    """The last 20 requests made to SAT for the team (scheduled and on demand), newest first."""
    return ok("History retrieved successfully",
              {"history": downloads.history(session, auth.team_id, auth.livemode)})


def _window_bound(value: str, name: str, *, end: bool) -> datetime:
    text = value if len(value) > 10 else f"{value}T{'23:59:59' if end else '00:00:00'}"
    try:
        ms = local_ms(text)
    except ValueError:
        ms = None
    if ms is None:
        raise BadRequest("Invalid date", f"{name} must be YYYY-MM-DD or an ISO date-time", code="invalid_field_value",
                         details=[{"field": name, "message": f"{name}: {value!r}"}])
    return datetime.fromisoformat(text)


@router.post("/request", response_model=Envelope[dict[str, Any]])
def request_download(body: DownloadRequestIn, auth: WriteAuth, session: SessionDep) -> dict[str, Any]:
    """Download a window now (dates inclusive, Mexico City): SAT is asked asynchronously; follow the requests
    in `GET /v2/invoices/download/schedule/history`. One run per team at a time (409 otherwise)."""
    start = _window_bound(body.start_date, "start_date", end=False)
    end = _window_bound(body.end_date, "end_date", end=True)
    if end < start:
        raise BadRequest("Invalid window", "end_date is before start_date", code="invalid_field_value")
    directions = ["issued", "received"] if body.rfc_type == "both" else [body.rfc_type]
    kinds = {"metadata": ("Metadata",), "cfdi": ("CFDI",), "both": ("Metadata", "CFDI")}[body.request_type]
    run = downloads.start(session, auth.team, auth.livemode, directions=directions, kinds=kinds, start=start,
                          end=end, source="manual", owner_id=auth.user_id)
    tasks.enqueue_run(session, run)
    return ok("Download requested", {"run_id": run.id, "status": run.status, "start_date": run.window_start,
                                     "end_date": run.window_end, "directions": run.directions})


@router.get("/status/{request_id}", response_model=Envelope[dict[str, Any]])
def request_status(request_id: str, auth: ReadAuth, session: SessionDep) -> dict[str, Any]:
    """One SAT download request's state, as its row in `/schedule/history` (`status`: pending, accepted,
    processing, completed, failed, expired), with its `packages` (id, status, CFDI imported). It is the state
    our job last recorded; the job, not this read, asks SAT."""
    return ok("Request status retrieved successfully",
              downloads.request_status(session, auth.team_id, auth.livemode, request_id))


@router.get("/package/{package_id}", response_model=Envelope[dict[str, Any]])
def package(package_id: str, auth: ReadAuth, session: SessionDep) -> dict[str, Any]:
    """A SAT package's ZIP. Timbre imports each package into the mirror and does not keep it, so this is
    always a 404: `package_not_kept` for a package it imported (read its CFDI with `GET /invoices/sat` or
    `GET /invoices/download/invoice/{uuid}`), `not_found` for one it never saw."""
    downloads.package(session, auth.team_id, auth.livemode, package_id)


@router.get("/invoice/{uuid}", response_model=Envelope[dict[str, Any]])
def invoice_xml(uuid: str, auth: ReadAuth, session: SessionDep) -> dict[str, Any]:
    """A mirrored CFDI's XML (`data.xml`, text; `data.encoding: "utf-8"`), from the mirror: this GET never
    asks SAT nor charges anything. 404 if the UUID is not mirrored; 409 `xml_missing` when only SAT's
    metadata is known (`POST /invoices/sat/{uuid}/retry-xml` asks SAT for it)."""
    row = sat_mirror.get(session, auth.team_id, auth.livemode, uuid)
    return ok("Invoice XML retrieved successfully", sat_mirror.xml(row))

