"""E-mailing an invoice (`POST /invoices/{uuid}/send`, and `send_email: true` on create): one message per
recipient with links to the PDF and XML, valid for a week (messages carry links, not attachments).

Recipients: the `emails` given, else the client's e-mail; plus the team's `emails.invoices_bcc`. On
create, e-mails go out only when `send_email` is true, from a job after the commit (the PDF is rendered
there, off the request), and never when the team set `emails.avoid_invoice_emails` (or, for test-mode
invoices, `emails.avoid_test_invoice_emails`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from timbre.config import Settings
from timbre.emails.service import queue_email
from timbre.errors import BadRequest
from timbre.invoices import files
from timbre.models import Invoice, Team

EMAIL_LINK_TTL = 7 * 24 * 3600


def recipients(invoice: Invoice, team: Team, emails: list[str] | None) -> list[str]:
    wanted = list(emails or []) or [e for e in [(invoice.client or {}).get("email")] if e]
    bcc = ((team.settings or {}).get("emails") or {}).get("invoices_bcc") or []
    return list(dict.fromkeys([*wanted, *bcc]))


def suppressed(invoice: Invoice, team: Team) -> bool:
    settings = (team.settings or {}).get("emails") or {}
    return bool(settings.get("avoid_invoice_emails")) or (not invoice.livemode
                                                           and bool(settings.get("avoid_test_invoice_emails")))


_KINDS = {"E": "Nota de crédito", "P": "Complemento de pago"}


def send(session: Session, settings: Settings, invoice: Invoice, team: Team,
         emails: list[str] | None) -> dict[str, Any]:
    to = recipients(invoice, team, emails)
    if not to:
        raise BadRequest("No recipients", "Give `emails`: the client has no e-mail address", code="no_recipients")
    links = files.links(settings, invoice, team, None, ttl=EMAIL_LINK_TTL)
    name = f"{invoice.series}-{invoice.folio_number}"
    kind = _KINDS.get(invoice.invoice_type, "Factura")
    body = "\n".join([
        f"{team.legal_name} le envía su {kind.lower()} {name} (folio fiscal {invoice.uuid}).",
        f"Total: {invoice.total} {invoice.currency}", "",
        f"PDF: {links['pdf']}", f"XML: {links['xml']}", "",
        "Los enlaces son válidos durante 7 días.",
    ])
    for address in to:
        queue_email(session, to=address, subject=f"{kind} {name} de {team.legal_name}", body=body,
                    team_id=team.id, document_id=invoice.id)
    return {"recipients": to, "attachments": [files.download_name(invoice, "pdf"), files.download_name(invoice, "xml")]}
