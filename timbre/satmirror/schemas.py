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
