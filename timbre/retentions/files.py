"""A retention's stored files and their signed, expiring download links (the XML; the acuse once
cancelled)."""

from __future__ import annotations

from typing import Literal

from timbre.config import Settings
from timbre.errors import BadRequest, Conflict
from timbre.kit.storage import get_storage
from timbre.models import Retention

FileType = Literal["pdf", "xml", "acuse"]
LINK_TTL = 3600


def _stem(r: Retention) -> str:
    return f"teams/{r.team_id}/{'live' if r.livemode else 'test'}/retentions/{r.id}"


def links(settings: Settings, r: Retention, file_type: FileType | None) -> dict[str, str]:
    if r.status not in ("valid", "canceled") or r.xml is None:
        raise Conflict("Retention is not stamped", f"Files exist once the retention is stamped (status: {r.status})",
                       code="retention_not_stamped")
    if file_type == "pdf":
        raise BadRequest("PDF not available", "Retention PDFs are not rendered yet: ask for file_type=xml",
                         code="pdf_not_available")
    storage = get_storage(settings)
    name = f"{r.series}{r.folio_number}_{r.uuid}"
    out: dict[str, str] = {}
    stored = [("xml", r.xml, f"{_stem(r)}.xml", f"{name}.xml")]
    if r.acuse_xml is not None:
        stored.append(("acuse", r.acuse_xml, f"{_stem(r)}-acuse.xml", f"{name}.acuse.xml"))
    for kind, data, key, filename in stored:
        if file_type not in (None, kind):
            continue
        if not storage.exists(key):
            storage.put(key, data, "application/xml")
        out[kind] = storage.url(key, expires_in=LINK_TTL, filename=filename)
    if file_type == "acuse" and "acuse" not in out:
        raise Conflict("No cancellation acuse", "The retention has not been cancelled", code="no_acuse")
    return out
