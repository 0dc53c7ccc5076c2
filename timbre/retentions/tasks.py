"""Retention jobs: recovery of retentions left `pending` by a PAC that did not answer (as invoices').

`recover_retention` re-sends the retention's sealed bytes (never a new document, so never a second stamp)
with growing delays; a periodic sweep re-queues pending retentions nobody touched for a while, in case a
job was lost. A pending retention that was never sealed (its request died right after taking the folio)
reached no PAC: it becomes `failed`, its folio skipped with a visible failed attempt, its credit back.
"""

from __future__ import annotations

import logging

from huey import crontab

from timbre.invoices.recovery import Recovery, no_event, recover, sweep
from timbre.retentions.repository import RetentionRepository
from timbre.retentions.stamping import abandon, apply, attempt
from timbre.worker.queue import huey

log = logging.getLogger("timbre.retentions")


@huey.task()
def recover_retention(retention_id: str, team_id: str, livemode: bool) -> str:
    """One more stamping attempt of a pending retention; returns its status afterwards."""
    return recover(RETENTIONS, retention_id, team_id, livemode)


RETENTIONS = Recovery(noun="retention", log=log, repository=RetentionRepository.from_session, abandon=abandon,
                      attempt=attempt, apply=apply, emit=no_event, task=recover_retention)


@huey.periodic_task(crontab(minute="*/5"))
def sweep_pending_retentions() -> int:
    """Queue a recovery for every pending retention untouched for STALE_AFTER_MS."""
    return sweep(RETENTIONS)
