"""Invoice jobs: recovery of invoices left `pending` by a PAC that did not answer.

`recover_invoice` re-sends the invoice's sealed bytes (never a new document, so never a second
stamp) with growing delays; a periodic sweep re-queues pending invoices nobody touched for a while,
in case a job was lost (a crash between the transactions of a create, a queue outage). A pending
invoice that was never sealed (its request died right after taking the folio) reached no PAC: it
becomes `failed`, so its folio is skipped with a visible failed attempt and its credit comes back.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from huey import crontab

from timbre.config import get_settings
from timbre.errors import TimbreError
from timbre.invoices.events import emit_status
from timbre.invoices.repository import InvoiceRepository
from timbre.invoices.send import recipients, send, suppressed
from timbre.invoices.stamping import abandon, apply, attempt, pac_for
from timbre.kit.clock import now_ms
from timbre.kit.db import session_scope
from timbre.models import Team
from timbre.worker.queue import huey

log = logging.getLogger("timbre.invoices")
RETRY_DELAYS = (30, 60, 120, 300, 600, 1800, 3600)  # seconds; then the sweep, every ~10 minutes
STALE_AFTER_MS = 10 * 60 * 1000  # a request waits at most its PAC timeout (30 s) before recording


@huey.task()
def recover_invoice(invoice_id: str, team_id: str, livemode: bool) -> str:
    """One more stamping attempt of a pending invoice; returns its status afterwards."""
    settings = get_settings()
    with session_scope(settings.db_url) as session:
        repo = InvoiceRepository.from_session(session)
        invoice = repo.get_scoped(invoice_id, team_id, livemode)
        if invoice is None or invoice.status != "pending":
            return invoice.status if invoice is not None else "missing"
        if invoice.xml is None:
            if invoice.updated_at >= now_ms() - STALE_AFTER_MS:
                return "busy"  # its request is sealing it right now
            abandon(session, invoice)  # the request died before sealing: nothing reached a PAC
            emit_status(session, invoice)
            return invoice.status
        if not repo.claim_attempt(invoice):
            return "busy"
        xml, attempts = invoice.xml, invoice.attempts
    try:
        pac = pac_for(settings, livemode)
    except TimbreError as exc:  # live PAC unconfigured since: keep the invoice for when it is back
        log.warning("invoice %s stays pending: %s", invoice_id, exc.detail)
        return "pending"
    outcome = attempt(pac, xml, recovering=True)
    with session_scope(settings.db_url) as session:
        repo = InvoiceRepository.from_session(session)
        invoice = repo.get_scoped(invoice_id, team_id, livemode)
        if invoice is None:
            return "missing"
        repo.lock(invoice)
        if invoice.status != "pending":
            return invoice.status
        status = apply(session, invoice, outcome, pac)
        emit_status(session, invoice)
    if status == "pending" and attempts <= len(RETRY_DELAYS):
        delay = RETRY_DELAYS[min(attempts, len(RETRY_DELAYS)) - 1]
        recover_invoice.schedule(args=(invoice_id, team_id, livemode), eta=datetime.now(UTC) + timedelta(seconds=delay))
    return status


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
    with session_scope(get_settings().db_url) as session:
        stale = InvoiceRepository.from_session(session).stale_pending(now_ms() - STALE_AFTER_MS)
    for invoice_id, team_id, livemode in stale:
        recover_invoice(invoice_id, team_id, livemode)
    return len(stale)
