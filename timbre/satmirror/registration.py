"""The SAT download's registration knobs (`/invoices/download/register`, `/sync-period`, `/enable-sync`,
`/pfx`): gigstack's lower-level routes, each stored on the team's mirror settings or its FIEL.

A self-hosted server talks to SAT directly with the team's FIEL: "registering" records the contact phone
and the first day the mirror covers (`sync_start_date`, at most 71 months back); no third party is told.
The PKCS#12 (`.pfx`) form of the FIEL is opened here and then checked and stored exactly like `/fiel`.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from sqlalchemy.orm import Session

from timbre.config import Settings
from timbre.errors import BadRequest
from timbre.kit.clock import now_ms
from timbre.models import Team
from timbre.sat.manifest_service import MAX_FILE_BYTES, FielUpload
from timbre.satmirror.activation import ScheduleInput, activation, stored_fiel


@dataclass(frozen=True)
class Registration:
    phone: str | None
    sync_start_date: str | None


def _pfx_error(message: str, code: str) -> BadRequest:
    return BadRequest("Invalid PFX", message, code=code, details=[{"field": "pfx", "message": f"pfx: {message}"}])


def pfx_upload(pfx: str, password: str) -> FielUpload:
    """The FIEL inside a base64 PKCS#12 as `/fiel`'s parts: the certificate (DER) and the key as SAT's
    encrypted PKCS#8 under the same password (so the one check opens it)."""
    try:
        raw = base64.b64decode("".join(pfx.split()), validate=True)
    except (binascii.Error, ValueError):
        raise _pfx_error("pfx is not valid base64", "invalid_base64") from None
    if not raw or len(raw) > 2 * MAX_FILE_BYTES:
        raise _pfx_error("pfx is empty or too large", "invalid_file")
    if not password:
        raise BadRequest("Password required", "Send the PFX's pfx_password", code="missing_field",
                         details=[{"field": "pfx_password", "message": "pfx_password is required"}])
    try:
        key, cert, _extra = pkcs12.load_key_and_certificates(raw, password.encode())
    except ValueError:
        raise _pfx_error("pfx is not a PKCS#12 file, or pfx_password does not open it", "wrong_password") from None
    if key is None or cert is None:
        raise _pfx_error("pfx must hold the FIEL's certificate and its private key", "invalid_file")
    encrypted = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                  serialization.BestAvailableEncryption(password.encode()))
    return FielUpload(key=encrypted, cert=cert.public_bytes(serialization.Encoding.DER), password=password)


class RegistrationService:
    def register(self, session: Session, team: Team, livemode: bool, change: Registration) -> dict[str, Any]:
        """Record the phone and the sync start (default: the 71 months SAT keeps); needs the FIEL first."""
        if not stored_fiel(team, livemode):
            raise BadRequest("FIEL required", "Upload the team's FIEL first (POST /v2/invoices/download/fiel or "
                             "/v2/invoices/download/pfx)", code="business_rule_violation")
        start = activation.sync_start(change.sync_start_date)
        row = activation.settings(session, team, livemode, create=True)
        assert row is not None
        row.sync_start_date, row.registered_at = start, now_ms()
        if change.phone is not None:
            row.phone = change.phone
        session.flush()
        return {"registered": True, "registered_at": row.registered_at, "sync_start_date": start,
                "phone": row.phone, "rfc": stored_fiel(team, livemode).get("rfc")}

    def sync_period(self, session: Session, team: Team, livemode: bool, sync_from: str | None) -> dict[str, Any]:
        """Move the sync start: to `sync_from`, or back to the most SAT keeps (71 months)."""
        row = activation.settings(session, team, livemode, create=True)
        assert row is not None
        row.sync_start_date = activation.sync_start(sync_from)
        session.flush()
        return {"sync_start_date": row.sync_start_date, "registered": row.registered_at is not None}

    def enable_sync(self, session: Session, team: Team, livemode: bool, enabled: bool) -> dict[str, Any]:
        """The daily download on or off, with `PUT /schedule`'s checks."""
        change = ScheduleInput(enabled=enabled, time=None, download_types=None, days_back=None)
        return activation.set_schedule(session, team, livemode, change)

    def upload_pfx(self, session: Session, settings: Settings, team: Team, livemode: bool, pfx: str,
                   password: str) -> dict[str, Any]:
        return activation.upload_fiel(session, settings, team, livemode, pfx_upload(pfx, password),
                                      sync_start_date=None, phone=None)


registration = RegistrationService()
