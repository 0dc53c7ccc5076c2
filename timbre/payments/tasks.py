"""Payment jobs: resume automations left unfinished (a PAC that did not answer, a lost request)."""

from __future__ import annotations

import logging

from huey import crontab

from timbre.auth.jobs import job_auth
from timbre.complements import balances  # noqa: F401  # recovery jobs of complements must release balances
from timbre.config import get_settings
from timbre.kit.clock import now_ms
from timbre.kit.db import get_sessionmaker, session_scope
from timbre.payments import automation
from timbre.payments.repository import PaymentRepository
from timbre.worker.queue import huey

log = logging.getLogger("timbre.payments")
STALE_AFTER_MS = 2 * 60 * 1000  # the request that paid runs the automation itself first


@huey.task()
def run_automation(payment_id: str, team_id: str, livemode: bool) -> str:
    """Advance one payment's automation; returns its status afterwards."""
    settings = get_settings()
    session = get_sessionmaker(settings.db_url)()
    try:
        payment = PaymentRepository.from_session(session).get_scoped(payment_id, team_id, livemode)
        auth = job_auth(session, team_id, livemode, payment.owner_id) if payment is not None else None
        if payment is None or auth is None:
            return "missing"
        automation.run_safely(session, auth, settings, payment_id)
        session.commit()
        session.refresh(payment)
        return payment.automation_status
    finally:
        session.close()


@huey.periodic_task(crontab(minute="*/5"))
def sweep_automations() -> int:
    """Queue the automation of every paid payment whose automation has not finished for a while."""
    with session_scope(get_settings().db_url) as session:
        stale = PaymentRepository.from_session(session).unfinished_automations(now_ms() - STALE_AFTER_MS)
    for payment_id, team_id, livemode in stale:
        run_automation(payment_id, team_id, livemode)
    return len(stale)
