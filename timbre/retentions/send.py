"""E-mailing a retention (`POST /retentions/{id}/send`): one message per recipient with links to its
PDF and XML valid for a week — to `emails`, else the client's e-mail, plus the team's
`emails.invoices_bcc` (as invoices)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from timbre.config import Settings
from timbre.emails.service import queue_email
from timbre.errors import BadRequest
from timbre.invoices.send import EMAIL_LINK_TTL
from timbre.models import Client, Retention, Team
from timbre.retentions import files


def send(session: Session, settings: Settings, r: Retention, team: Team, client: Client | None,
         emails: list[str] | None) -> dict[str, Any]:
    wanted = list(emails or []) or [e for e in [client.email if client else None] if e]
    bcc = ((team.settings or {}).get("emails") or {}).get("invoices_bcc") or []
    to = list(dict.fromkeys([*wanted, *bcc]))
    if not to:
        raise BadRequest("No recipients", "Give `emails`: the client has no e-mail address", code="no_recipients")
    links = files.links(settings, r, team, None, ttl=EMAIL_LINK_TTL)
    name = f"{r.series}-{r.folio_number}"
    body = "\n".join([
        f"{team.legal_name} le envía su constancia de retenciones {name} (folio fiscal {r.uuid}).",
        f"Periodo: {r.period.get('start')}-{r.period.get('end')}/{r.period.get('year')}. "
        f"Total retenido: {r.total_retained} MXN", "",
        f"PDF: {links['pdf']}", f"XML: {links['xml']}", "",
        "Los enlaces son válidos durante 7 días.",
    ])
    for address in to:
        queue_email(session, to=address, subject=f"Constancia de retenciones {name} de {team.legal_name}", body=body,
                    team_id=team.id)
    return {"recipients": to, "attachments": [files.download_name(r, "pdf"), files.download_name(r, "xml")]}
