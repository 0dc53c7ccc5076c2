"""A retention's files (XML, PDF in our template, the cancellation acuse) and their signed, expiring
download links. The PDF is rendered on first download and cached (per status: a cancelled one is
watermarked CANCELADO; test mode's carry "SIN VALIDEZ FISCAL - PRUEBA")."""

from __future__ import annotations

from typing import Literal

from timbre.cfdi import xmlsafe
from timbre.cfdi.pdf.retenciones import render_retenciones_pdf
from timbre.config import Settings
from timbre.errors import Conflict
from timbre.invoices.files import CANCELLED_WATERMARK, LINK_TTL, TEST_WATERMARK, branding
from timbre.kit.storage import get_storage
from timbre.models import Retention, Team

FileType = Literal["pdf", "xml", "acuse"]


def _stem(r: Retention) -> str:
    return f"teams/{r.team_id}/{'live' if r.livemode else 'test'}/retentions/{r.id}"


def download_name(r: Retention, extension: str) -> str:
    return f"{r.series}{r.folio_number}_{r.uuid}.{extension}"


def render_pdf(r: Retention, team: Team) -> bytes:
    assert r.xml is not None
    marks = ([CANCELLED_WATERMARK] if r.status == "canceled" else []) + ([] if r.livemode else [TEST_WATERMARK])
    english = (team.settings or {}).get("pdf_language") == "en"
    return render_retenciones_pdf(xmlsafe.parse(r.xml), branding(team), watermark=" - ".join(marks) or None,
                                  lang="en" if english else "es")


def links(settings: Settings, r: Retention, team: Team, file_type: FileType | None, *,
          ttl: int = LINK_TTL) -> dict[str, str]:
    if r.status not in ("valid", "canceled") or r.xml is None:
        raise Conflict("Retention is not stamped", f"Files exist once the retention is stamped (status: {r.status})",
                       code="retention_not_stamped")
    if file_type == "acuse" and r.acuse_xml is None:
        raise Conflict("No cancellation acuse", "The retention has not been cancelled", code="no_acuse")
    storage = get_storage(settings)
    wanted = [file_type] if file_type else ["pdf", "xml"] + (["acuse"] if r.acuse_xml is not None else [])
    out: dict[str, str] = {}
    for kind in wanted:
        if kind == "pdf":
            key, filename = f"{_stem(r)}-{r.status}.pdf", download_name(r, "pdf")
            if not storage.exists(key):
                storage.put(key, render_pdf(r, team), "application/pdf")
        else:
            data = r.xml if kind == "xml" else r.acuse_xml
            key = f"{_stem(r)}.xml" if kind == "xml" else f"{_stem(r)}-acuse.xml"
            filename = download_name(r, "xml" if kind == "xml" else "acuse.xml")
            if not storage.exists(key):
                assert data is not None
                storage.put(key, data, "application/xml")
        out[kind] = storage.url(key, expires_in=ttl, filename=filename)
    return out
