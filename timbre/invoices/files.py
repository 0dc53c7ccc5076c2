"""An invoice's files (XML, PDF, cancellation acuse) and the signed, expiring links that download
them without an API key (`GET /v2/files/{key}?expires&signature`, or presigned S3 URLs).

The XML is stored when the invoice is stamped (the database keeps it too, so a missing copy is
re-created). The PDF is rendered on its first download — off the stamping path, which it would
otherwise slow down — and cached in storage; test-mode PDFs carry a "not a fiscal document"
watermark, cancelled ones "CANCELADO" (their own cached file).
"""

from __future__ import annotations

import base64
import binascii
from typing import Literal

from satcfdi.cfdi import CFDI

from timbre.cfdi import xmlsafe
from timbre.cfdi.pdf import Branding, render_cfdi_pdf
from timbre.cfdi.pdf.branding import DEFAULT_PRIMARY, DEFAULT_SECONDARY
from timbre.config import Settings
from timbre.errors import Conflict
from timbre.invoices.output import Listed
from timbre.invoices.stamping import xml_key
from timbre.kit.storage import Storage, get_storage
from timbre.models import Invoice, Team

FileType = Literal["pdf", "xml", "acuse"]
LINK_TTL = 3600
TEST_WATERMARK = "SIN VALIDEZ FISCAL - PRUEBA"
CANCELLED_WATERMARK = "CANCELADO"


def _stem(invoice: Listed) -> str:
    return f"teams/{invoice.team_id}/{'live' if invoice.livemode else 'test'}/invoices/{invoice.id}"


def pdf_key(invoice: Invoice) -> str:
    return f"{_stem(invoice)}-{invoice.status}.pdf"


def acuse_key(invoice: Listed) -> str:
    return f"{_stem(invoice)}-acuse.xml"


def download_name(invoice: Listed, extension: str) -> str:
    return f"{invoice.series}{invoice.folio_number}_{invoice.uuid or invoice.id}.{extension}"


def _logo(value: object) -> bytes | None:
    """A team logo given as a data URI (PNG/JPEG); a URL would need a network fetch while rendering."""
    if not isinstance(value, str) or not value.startswith("data:image/") or ";base64," not in value:
        return None
    try:
        return base64.b64decode(value.split(";base64,", 1)[1], validate=True)
    except (binascii.Error, ValueError):
        return None


def branding(team: Team) -> Branding:
    brand = team.brand or {}
    return Branding(legal_name=team.legal_name, alias=brand.get("alias"),
                    primary_color=brand.get("primary_color") or DEFAULT_PRIMARY,
                    secondary_color=brand.get("secondary_color") or DEFAULT_SECONDARY, logo=_logo(brand.get("logo")))


def render_pdf(invoice: Invoice, team: Team) -> bytes:
    assert invoice.xml is not None
    watermarks = [CANCELLED_WATERMARK] if invoice.status == "cancelled" else []
    if not invoice.livemode:
        watermarks.append(TEST_WATERMARK)
    cfdi = CFDI.from_xml(xmlsafe.parse(invoice.xml))
    english = (team.settings or {}).get("pdf_language") == "en"
    return render_cfdi_pdf(cfdi, branding(team), watermark=" - ".join(watermarks) or None, notes=invoice.pdf_notes,
                           lang="en" if english else "es")


def _ensure(storage: Storage, key: str, make: bytes | None, content_type: str, render: bool, invoice: Invoice,
            team: Team) -> None:
    if storage.exists(key):
        return
    data = render_pdf(invoice, team) if render else make
    assert data is not None
    storage.put(key, data, content_type)


def links(settings: Settings, invoice: Invoice, team: Team, file_type: FileType | None, *,
          ttl: int = LINK_TTL) -> dict[str, str]:
    """Signed links to the invoice's files (all of them when `file_type` is None), valid `ttl` seconds."""
    if invoice.status not in ("valid", "cancelled") or invoice.xml is None:
        raise Conflict("Invoice is not stamped", f"Files exist once the invoice is stamped (status: {invoice.status})",
                       code="invoice_not_stamped")
    storage = get_storage(settings)
    wanted: list[FileType] = [file_type] if file_type else ["pdf", "xml"]
    if file_type is None and invoice.acuse_xml is not None:
        wanted.append("acuse")
    out: dict[str, str] = {}
    for kind in wanted:
        if kind == "xml":
            _ensure(storage, xml_key(invoice), invoice.xml, "application/xml", False, invoice, team)
            out["xml"] = storage.url(xml_key(invoice), expires_in=ttl, filename=download_name(invoice, "xml"))
        elif kind == "pdf":
            _ensure(storage, pdf_key(invoice), None, "application/pdf", True, invoice, team)
            out["pdf"] = storage.url(pdf_key(invoice), expires_in=ttl, filename=download_name(invoice, "pdf"))
        else:
            if invoice.acuse_xml is None:
                raise Conflict("No cancellation acuse", "The invoice has not been cancelled", code="no_acuse")
            _ensure(storage, acuse_key(invoice), invoice.acuse_xml, "application/xml", False, invoice, team)
            out["acuse"] = storage.url(acuse_key(invoice), expires_in=ttl,
                                       filename=download_name(invoice, "acuse.xml"))
    return out


def acuse_link(settings: Settings, invoice: Listed) -> str | None:
    """The `cancellation_receipt` link of a cancelled invoice."""
    if invoice.acuse_xml is None:
        return None
    storage = get_storage(settings)
    if not storage.exists(acuse_key(invoice)):
        storage.put(acuse_key(invoice), invoice.acuse_xml, "application/xml")
    return storage.url(acuse_key(invoice), expires_in=LINK_TTL, filename=download_name(invoice, "acuse.xml"))
