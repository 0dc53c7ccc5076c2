"""Payloads of the SAT mirror (`/invoices/sat*`) and of the SAT download (`/invoices/download/*`)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from timbre.kit.envelope import Envelope
from timbre.schemas import Strict

Direction = Literal["issued", "received"]


class ScheduleIn(Strict):
    """gigstack's CLI body `{enabled, time, download_types, days_back}`; the older n8n node's
    `{enabled, hour (UTC), types}` is accepted too."""

    enabled: bool | None = None
    time: str | None = Field(None, max_length=5, description="HH:MM, America/Mexico_City (default 21:00)")
    download_types: list[Direction] | None = Field(None, max_length=2, description="issued and/or received")
    days_back: int | None = Field(None, ge=1, le=90, description="Days before today the daily window starts")
    hour: int | None = Field(None, ge=0, le=23, description="Older clients: the hour in UTC")
    types: list[Direction] | None = Field(None, max_length=2, description="Older clients: download_types")


class DownloadRequestIn(Strict):
    """A download on demand: the window (dates inclusive, Mexico City) and what to ask SAT for."""

    start_date: str = Field(..., max_length=19, description="YYYY-MM-DD (or an ISO date-time)")
    end_date: str = Field(..., max_length=19, description="YYYY-MM-DD (or an ISO date-time)")
    rfc_type: Direction | Literal["both"] = Field("both", description="issued, received or both")
    request_type: Literal["metadata", "cfdi", "both"] = Field(
        "both", description="metadata only, CFDI only, or metadata then CFDI")


class PdfEnvelope(Envelope[dict[str, Any]]):
    pdf: str  # gigstack's CLI reads the PDF at the top level


class RegisterIn(Strict):
    """gigstack's `{phone, sync_start_date, legal_name?, max_monthly_invoices?}`; the last two are accepted
    and not used (the legal name is the team's; a self-hosted mirror has no monthly cap)."""

    phone: str | None = Field(None, max_length=20, description="Contact phone (+52…)")
    sync_start_date: str | None = Field(None, max_length=10, description="YYYY-MM-DD, at most 71 months back")
    legal_name: str | None = Field(None, max_length=300, description="Accepted, not used: the team's is")
    max_monthly_invoices: int | None = Field(None, ge=0, description="Accepted, not used: no monthly cap")


class SyncPeriodIn(Strict):
    """`{}` moves the sync start back to the most SAT keeps (71 months); older clients send `sync_from`."""

    sync_from: str | None = Field(None, max_length=10, description="YYYY-MM-DD (default: 71 months back)")


class EnableSyncIn(Strict):
    """`{}` turns the daily download on; `{"enabled": false}` turns it off."""

    enabled: bool = True


class PfxIn(Strict):
    """The FIEL as one PKCS#12 (.pfx) file, base64, and its password."""

    pfx: str = Field(..., max_length=200_000, description="The .pfx file, base64")
    pfx_password: str = Field(..., max_length=200, description="The .pfx's password")
