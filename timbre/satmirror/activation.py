"""Turning the SAT download on and off for a team, its FIEL, and its daily schedule (`/invoices/download/*`).

A self-hosted server has no plans nor add-ons: every team's plan includes the feature and a download costs
nothing (`pricing.perDownload: "$0.00 MXN"`); `status` is `active` once activated, else `needs_activation`.
The FIEL is checked like the manifest's (`sat.manifest_service.check`: password, FIEL not CSD, validity,
issuer, the team's RFC) and stored encrypted in the team (`sat.fiel`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from timbre.config import Settings
from timbre.errors import BadRequest
from timbre.kit.clock import now_ms
from timbre.kit.ids import new_id
from timbre.models import SatMirrorSettings, Team
from timbre.sat import fiel
from timbre.sat.manifest_service import FielUpload, iso_ms, manifest_service
from timbre.satmirror.repository import SatMirrorSettingsRepository

PRICING = {"perDownload": "$0.00 MXN", "addonMonthly": None}
MAX_SYNC_MONTHS = 71  # SAT keeps 5 years plus the current one: gigstack's limit
TIME_RE = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
DIRECTIONS = ("issued", "received")


@dataclass(frozen=True)
class ScheduleInput:
    enabled: bool | None
    time: str | None
    download_types: Sequence[str] | None
    days_back: int | None


def stored_fiel(team: Team, livemode: bool) -> dict[str, Any]:
    """The stored FIEL's public facts (rfc, serial_number, expires_at), {} when none."""
    found: dict[str, Any] = ((team.sat or {}).get("fiel") or {}).get("live" if livemode else "test") or {}
    return found


def _months_back(day: date, months: int) -> date:
    month_index = day.year * 12 + day.month - 1 - months
    return date(month_index // 12, month_index % 12 + 1, 1)


class Activation:
    def settings(self, session: Session, team: Team, livemode: bool, *, create: bool = False
                 ) -> SatMirrorSettings | None:
        repo = SatMirrorSettingsRepository.from_session(session)
        row = repo.of_team(team.id, livemode)
        if row is None and create:
            row = repo.add(SatMirrorSettings(id=new_id("satcfg"), team_id=team.id, livemode=livemode,
                                             activated=False, enabled=False, time="21:00",
                                             download_types=list(DIRECTIONS), days_back=3))
        return row

    def status(self, session: Session, team: Team, livemode: bool) -> dict[str, Any]:
        row = self.settings(session, team, livemode)
        active = bool(row and row.activated)
        return {"status": "active" if active else "needs_activation", "isActivated": active,
                "planIncludesFeature": True, "pricing": dict(PRICING),
                "activatedAt": row.activated_at if row else None, "livemode": livemode}

    def activate(self, session: Session, team: Team, livemode: bool, on: bool) -> dict[str, Any]:
        row = self.settings(session, team, livemode, create=on)
        if row is not None and row.activated != on:
            row.activated, row.activated_at = on, now_ms() if on else row.activated_at
            session.flush()
        return {**self.status(session, team, livemode), "type": "activated" if on else "deactivated"}

    def upload_fiel(self, session: Session, settings: Settings, team: Team, livemode: bool, upload: FielUpload,
                    *, sync_start_date: str | None, phone: str | None) -> dict[str, Any]:
        credential = manifest_service.check(team, upload, livemode=livemode)
        start = self.sync_start(sync_start_date)
        fiel.store(settings.secret(), team, credential, livemode=livemode)
        row = self.settings(session, team, livemode, create=True)
        assert row is not None
        row.sync_start_date, row.phone, row.registered_at = start, phone, now_ms()
        session.flush()
        expires = int(credential.not_after.timestamp() * 1000)
        return {"rfc": credential.rfc, "expires_at": expires, "expires_at_readable": iso_ms(expires),
                "serial_number": credential.no_certificado, "sync_start_date": start, "phone": phone,
                "registered": True, "registered_at": row.registered_at}

    @staticmethod
    def sync_start(value: str | None) -> str:
        earliest = _months_back(date.today(), MAX_SYNC_MONTHS)
        if not value:
            return earliest.isoformat()
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise BadRequest("Invalid sync_start_date", "sync_start_date must be YYYY-MM-DD",
                             code="invalid_field_value") from None
        if day < earliest or day > date.today() + timedelta(days=1):
            raise BadRequest("Invalid sync_start_date", f"sync_start_date must be between {earliest} and today "
                             f"(SAT keeps {MAX_SYNC_MONTHS} months)", code="invalid_field_value")
        return day.isoformat()

    def schedule(self, session: Session, team: Team, livemode: bool) -> dict[str, Any]:
        row = self.settings(session, team, livemode)
        stored = stored_fiel(team, livemode)
        return {
            "fiel_uploaded": bool(stored), "fiel_expires_at": stored.get("expires_at"), "rfc": stored.get("rfc"),
            "registered": bool(row and row.registered_at), "sat_completed": bool(row and row.activated and stored),
            "sync_start_date": row.sync_start_date if row else None,
            "activated": bool(row and row.activated),
            "schedule": {
                "enabled": bool(row and row.enabled), "time": row.time if row else "21:00",
                "timezone": "America/Mexico_City",
                "download_types": list(row.download_types) if row else list(DIRECTIONS),
                "days_back": row.days_back if row else 3,
                "last_run_on": row.last_scheduled_on if row else None,
            },
            "prodigia": {"registered": bool(row and row.registered_at), "provider": "sat_direct"},
        }

    def set_schedule(self, session: Session, team: Team, livemode: bool, change: ScheduleInput) -> dict[str, Any]:
        row = self.settings(session, team, livemode, create=True)
        assert row is not None
        if change.time is not None:
            if not TIME_RE.match(change.time):
                raise BadRequest("Invalid time", "time must be HH:MM (24 h, America/Mexico_City)",
                                 code="invalid_field_value", details=[{"field": "time", "message": "HH:MM"}])
            row.time = change.time
        if change.download_types is not None:
            row.download_types = [d for d in DIRECTIONS if d in set(change.download_types)]
        if change.days_back is not None:
            row.days_back = change.days_back
        if change.enabled is not None:
            row.enabled = change.enabled
        if row.enabled:
            missing = [what for what, ok in (
                ("activate the SAT download (POST /v2/invoices/download/activate)", row.activated),
                ("upload the team's FIEL (POST /v2/invoices/download/fiel)",
                 bool(stored_fiel(team, livemode))),
                ("set the team's tax_id", bool(team.tax_id)),
                ("choose at least one download type", bool(row.download_types))) if not ok]
            if missing:
                raise BadRequest("Schedule cannot be enabled", "First " + "; ".join(missing),
                                 code="business_rule_violation")
        session.flush()
        return self.schedule(session, team, livemode)


activation = Activation()
