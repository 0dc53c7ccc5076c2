"""The preview of a draft: the invoice it would be, as a PDF watermarked PREFACTURA-0000-0000-0000-SINVALIDEZ.

It is composed exactly as the stamp would compose it (clients, items, defaults, taxes) but never
sealed nor stamped: no folio is taken (the series is printed without one), no credit is spent, and
whatever a `search` would create is rolled back. The PDF is kept with the draft (its files).
"""

from __future__ import annotations

import base64
from dataclasses import replace
from typing import Any

from sqlalchemy.orm import Session

from timbre.auth.dependencies import AuthContext
from timbre.cfdi.build import build
from timbre.cfdi.pdf import render_cfdi_pdf
from timbre.config import Settings
from timbre.drafts.service import draft as draft_service
from timbre.invoices.compose import compose
from timbre.invoices.files import LINK_TTL, branding
from timbre.kit.storage import get_storage

WATERMARK = "PREFACTURA-0000-0000-0000-SINVALIDEZ"
NOTE = f"Prefactura sin validez fiscal. Folio fiscal: {WATERMARK}"


def preview_key(auth: AuthContext, draft_id: str) -> str:
    return f"teams/{auth.team_id}/{'live' if auth.livemode else 'test'}/drafts/{draft_id}-preview.pdf"


def preview(session: Session, auth: AuthContext, settings: Settings, draft_id: str) -> dict[str, Any]:
    session.commit()  # end the read-only authentication transaction
    found = draft_service.get(session, auth, draft_id)
    body = draft_service.invoice_input(found)
    try:
        composed = compose(session, auth, settings.secret(), body, found.invoice_type,  # type: ignore[arg-type]
                           require_csd=False)
    finally:
        session.rollback()  # clients or services a search would create are not kept
    notes = "\n".join(n for n in (NOTE, composed.pdf_notes) if n)
    english = (auth.team.settings or {}).get("pdf_language") == "en"
    pdf = render_cfdi_pdf(build(replace(composed.data, serie=composed.series)), branding(auth.team),
                          watermark=WATERMARK, notes=notes, lang="en" if english else "es")
    storage = get_storage(settings)
    key = preview_key(auth, draft_id)
    storage.put(key, pdf, "application/pdf")
    stored = draft_service.get(session, auth, draft_id, lock=True)
    stored.preview_key = key
    session.commit()
    return {"pdf_base64": base64.b64encode(pdf).decode(), "draft_id": draft_id, "watermark": True,
            "url": storage.url(key, expires_in=LINK_TTL, filename=f"{draft_id}-prefactura.pdf")}
