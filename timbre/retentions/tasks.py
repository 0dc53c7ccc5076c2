"""Retention jobs: recovery of retentions left `pending` by a PAC that did not answer (as invoices').

`recover_retention` re-sends the retention's sealed bytes (never a new document, so never a second stamp)
with growing delays; a periodic sweep re-queues pending retentions nobody touched for a while, in case a
job was lost. A pending retention that was never sealed (its request died right after taking the folio)
reached no PAC: it becomes `failed`, its folio skipped with a visible failed attempt, its credit back.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from huey import crontab

from timbre.config import get_settings
from timbre.errors import TimbreError
from timbre.invoices.stamping import pac_for
from timbre.invoices.tasks import RETRY_DELAYS, STALE_AFTER_MS
from timbre.kit.clock import now_ms
from timbre.kit.db import session_scope
from timbre.retentions.repository import RetentionRepository
from timbre.retentions.stamping import abandon, apply, attempt
from timbre.worker.queue import huey

log = logging.getLogger("timbre.retentions")


@huey.task()
def recover_retention(retention_id: str, team_id: str, livemode: bool) -> str:
    """One more stamping attempt of a pending retention; returns its status afterwards."""
    settings = get_settings()
    with session_scope(settings.db_url) as session:
        repo = RetentionRepository.from_session(session)
        retention = repo.get_scoped(retention_id, team_id, livemode)
        if retention is None or retention.status != "pending":
            return retention.status if retention is not None else "missing"
        if retention.xml is None:
            if retention.updated_at >= now_ms() - STALE_AFTER_MS:
                return "busy"  # its request is sealing it right now
            abandon(session, retention)  # the request died before sealing: nothing reached a PAC
            return retention.status
        if not repo.claim_attempt(retention):
            return "busy"
        xml, attempts = retention.xml, retention.attempts
    try:
        pac = pac_for(settings, livemode)
    except TimbreError as exc:  # live PAC unconfigured since: keep the retention for when it is back
        log.warning("retention %s stays pending: %s", retention_id, exc.detail)
        return "pending"
    outcome = attempt(pac, xml, recovering=True)
    with session_scope(settings.db_url) as session:
        repo = RetentionRepository.from_session(session)
        retention = repo.get_scoped(retention_id, team_id, livemode)
        if retention is None:
            return "missing"
        repo.lock(retention)
        if retention.status != "pending":
            return retention.status
        status = apply(session, retention, outcome, pac)
    if status == "pending" and attempts <= len(RETRY_DELAYS):
        delay = RETRY_DELAYS[min(attempts, len(RETRY_DELAYS)) - 1]
        recover_retention.schedule(args=(retention_id, team_id, livemode),
                                   eta=datetime.now(UTC) + timedelta(seconds=delay))
    return status


@huey.periodic_task(crontab(minute="*/5"))
def sweep_pending_retentions() -> int:
    """Queue a recovery for every pending retention untouched for STALE_AFTER_MS."""
    with session_scope(get_settings().db_url) as session:
        stale = RetentionRepository.from_session(session).stale_pending(now_ms() - STALE_AFTER_MS)
    for retention_id, team_id, livemode in stale:
        recover_retention(retention_id, team_id, livemode)
    return len(stale)
