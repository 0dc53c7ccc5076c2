"""A receipt's PDF in storage (rendered on first request, re-rendered when the receipt changes) and its
e-mail: the PDF link and the self-invoice link, to the client's e-mail (or `emails`) plus the team's
`emails.receipts_bcc`; never when the team set `emails.avoid_receipts_emails` (test mode also honours
`emails.avoid_test_invoice_emails`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from timbre.config import Settings
from timbre.emails.service import queue_email
from timbre.errors import BadRequest
from timbre.invoices.files import branding
from timbre.kit.storage import get_storage
from timbre.models import Receipt, Team
from timbre.receipts import links
from timbre.receipts.pdf import render_receipt_pdf

LINK_TTL = 3600
EMAIL_LINK_TTL = 7 * 24 * 3600


def pdf_key(receipt: Receipt) -> str:
    mode = "live" if receipt.livemode else "test"
    return f"teams/{receipt.team_id}/{mode}/receipts/{receipt.id}-{receipt.updated_at}.pdf"


def pdf_link(settings: Settings, receipt: Receipt, team: Team, *, ttl: int = LINK_TTL) -> str:
    storage = get_storage(settings)
    key = pdf_key(receipt)
    if not storage.exists(key):
        url = links.self_invoice_url(settings.public_url, settings.secret(), receipt)
        storage.put(key, render_receipt_pdf(receipt, branding(team), url, test_mode=not receipt.livemode),
                    "application/pdf")
    return storage.url(key, expires_in=ttl, filename=f"recibo_{receipt.series}{receipt.folio_number}.pdf")


def suppressed(receipt: Receipt, team: Team) -> bool:
    emails = (team.settings or {}).get("emails") or {}
    return bool(emails.get("avoid_receipts_emails")) or (not receipt.livemode
                                                         and bool(emails.get("avoid_test_invoice_emails")))


def send(session: Session, settings: Settings, receipt: Receipt, team: Team,
         emails: list[str] | None) -> dict[str, Any]:
    wanted = list(emails or []) or [e for e in [(receipt.client or {}).get("email")] if e]
    bcc = ((team.settings or {}).get("emails") or {}).get("receipts_bcc") or []
    to = list(dict.fromkeys([*wanted, *bcc]))
    if not to:
        raise BadRequest("No recipients", "Give `emails`: the receipt has no client e-mail", code="no_recipients")
    if suppressed(receipt, team):
        return {"recipients": [], "suppressed": True}
    pdf = pdf_link(settings, receipt, team, ttl=EMAIL_LINK_TTL)
    url = links.self_invoice_url(settings.public_url, settings.secret(), receipt)
    body = "\n".join([
        f"{team.legal_name} le envía su recibo {receipt.series}-{receipt.folio_number}.",
        f"Total: {receipt.total:.2f} {receipt.currency}", "",
        f"Recibo (PDF): {pdf}", f"Genere su factura aquí: {url}", "",
    ])
    for address in to:
        queue_email(session, to=address, subject=f"Recibo {receipt.series}-{receipt.folio_number} de "
                    f"{team.legal_name}", body=body, team_id=team.id, document_id=receipt.id)
    return {"recipients": to, "suppressed": False}
