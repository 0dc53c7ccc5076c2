"""The poll of cancellations awaiting the receiver's acceptance: every 10 minutes each pending one is asked about
at SAT (`sat_status`) until SAT cancels it (accepted, or 72 hours without an answer: `invoice.canceled`) or the
receiver refuses it (`invoice.cancellation_status_updated`, `rejected`). SAT unavailable: asked again next time."""

from __future__ import annotations

import logging

from huey import crontab

from timbre.config import get_settings
from timbre.errors import ServiceUnavailable
from timbre.invoices.repository import InvoiceRepository
from timbre.invoices.sat_status import apply, ask, status_query
from timbre.kit.clock import now_ms
from timbre.kit.db import session_scope
from timbre.worker.queue import huey

log = logging.getLogger("timbre.invoices")
RECHECK_AFTER_MS = 5 * 60 * 1000  # an invoice asked about (or changed) within 5 minutes waits for the next round


@huey.task()
def check_cancellation(invoice_id: str, team_id: str, livemode: bool) -> str | None:
    """Ask SAT about one pending cancellation and follow its answer; the invoice's cancellation_status after."""
    url = get_settings().db_url
    with session_scope(url) as session:
        invoice = InvoiceRepository.from_session(session).get_scoped(invoice_id, team_id, livemode)
        if invoice is None or invoice.cancellation_status != "pending" or invoice.status != "valid":
            return None if invoice is None else invoice.cancellation_status
        query = status_query(invoice)
    try:
        answer = ask(livemode, query)  # outside any transaction
    except ServiceUnavailable:
        log.warning("SAT unavailable while polling the cancellation of %s; next round retries", invoice_id)
        return "pending"
    with session_scope(url) as session:
        invoice = InvoiceRepository.from_session(session).get_scoped(invoice_id, team_id, livemode)
        if invoice is None:
            return None
        apply(session, invoice, answer)
        return invoice.cancellation_status


@huey.periodic_task(crontab(minute="*/10"))
def poll_pending_cancellations() -> int:
    """Queue a check of every cancellation awaiting its receiver (not asked about in the last 5 minutes)."""
    with session_scope(get_settings().db_url) as session:
        pending = InvoiceRepository.from_session(session).pending_cancellations(now_ms() - RECHECK_AFTER_MS)
    for invoice_id, team_id, livemode in pending:
        check_cancellation(invoice_id, team_id, livemode)
    return len(pending)
