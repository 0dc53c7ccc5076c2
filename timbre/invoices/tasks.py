"""Invoice jobs: recovery of invoices left `pending` by a PAC that did not answer.

`recover_invoice` re-sends the invoice's sealed bytes (never a new document, so never a second
stamp) with growing delays; a periodic sweep re-queues pending invoices nobody touched for a while,
in case a job was lost (a crash between the transactions of a create, a queue outage). A pending
invoice that was never sealed (its request died right after taking the folio) reached no PAC: it
becomes `failed`, so its folio is skipped with a visible failed attempt and its credit comes back.
"""

from __future__ import annotations

import logging

from huey import crontab

from timbre.config import get_settings
from timbre.invoices.events import emit_status
from timbre.invoices.recovery import Recovery, recover, sweep
from timbre.invoices.repository import InvoiceRepository
from timbre.invoices.send import recipients, send, suppressed
from timbre.invoices.stamping import abandon, apply, attempt
from timbre.kit.db import session_scope
from timbre.models import Team
from timbre.worker.queue import huey

log = logging.getLogger("timbre.invoices")


@huey.task()
def recover_invoice(invoice_id: str, team_id: str, livemode: bool) -> str:
    """One more stamping attempt of a pending invoice; returns its status afterwards."""
    return recover(INVOICES, invoice_id, team_id, livemode)


INVOICES = Recovery(noun="invoice", log=log, repository=InvoiceRepository.from_session, abandon=abandon,
                    attempt=attempt, apply=apply, emit=emit_status, task=recover_invoice)


@huey.task(retries=3, retry_delay=60)
def send_invoice_email(invoice_id: str, team_id: str, livemode: bool, emails: list[str] | None) -> list[str]:
    """E-mail a just-stamped invoice (`send_email: true` on create): the PDF is rendered here."""
    settings = get_settings()
    with session_scope(settings.db_url) as session:
        invoice = InvoiceRepository.from_session(session).get_scoped(invoice_id, team_id, livemode)
        team = session.get(Team, team_id)
        if invoice is None or team is None or invoice.status != "valid" or suppressed(invoice, team):
            return []
        if not recipients(invoice, team, emails):
            return []
        sent: list[str] = send(session, settings, invoice, team, emails)["recipients"]
        return sent


@huey.periodic_task(crontab(minute="*/5"))
def sweep_pending() -> int:
    """Queue a recovery for every pending invoice untouched for STALE_AFTER_MS."""
    return sweep(INVOICES)
