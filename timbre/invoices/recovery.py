"""Recovery of stamped documents left `pending` by a PAC that did not answer: invoices' and retentions' alike.

`recover` re-sends a pending document's sealed bytes (never a new document, so never a second stamp) and
reschedules itself with growing delays; `sweep` re-queues pending documents nobody touched for a while, in
case a job was lost (a crash between the transactions of a create, a queue outage). A pending document that
was never sealed (its request died right after taking the folio) reached no PAC: `abandon` fails it, so its
folio is skipped with a visible failed attempt and its credit comes back.

What differs between the domains is a `Recovery`: its repository, its stamping steps, its status-event hook
and the Huey task that runs it (each domain's `tasks.py` holds the task; this module imports none of them).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy.orm import Session

from timbre.cfdi.pac import PAC
from timbre.config import get_settings
from timbre.errors import TimbreError
from timbre.invoices.stamping import Attempt, pac_for
from timbre.kit.clock import now_ms
from timbre.kit.db import session_scope

RETRY_DELAYS = (30, 60, 120, 300, 600, 1800, 3600)  # seconds; then the sweep, every ~10 minutes
STALE_AFTER_MS = 10 * 60 * 1000  # a request waits at most its PAC timeout (30 s) before recording


class Pending(Protocol):
    """What recovery reads of a document row (an `Invoice`, a `Retention`)."""

    @property
    def status(self) -> str: ...
    @property
    def xml(self) -> bytes | None: ...
    @property
    def updated_at(self) -> int: ...
    @property
    def attempts(self) -> int: ...


Row = TypeVar("Row", bound=Pending)


class PendingRepository(Protocol[Row]):
    """The team-scoped repository of the documents (`InvoiceRepository`, `RetentionRepository`)."""

    def get_scoped(self, id: str, team_id: str, livemode: bool) -> Row | None: ...
    def claim_attempt(self, row: Row, /) -> bool: ...
    def lock(self, row: Row, /) -> None: ...
    def stale_pending(self, updated_before: int, limit: int = 100) -> Sequence[tuple[str, str, bool]]: ...


class Attempter(Protocol):
    def __call__(self, pac: PAC, xml: bytes, *, recovering: bool = False) -> Attempt: ...


@dataclass(frozen=True, slots=True)
class Recovery(Generic[Row]):
    """One domain's recovery: how to read its rows, stamp them, record the outcome and be run again."""

    noun: str  # in log lines: "invoice", "retention"
    log: logging.Logger
    repository: Callable[[Session], PendingRepository[Row]]
    abandon: Callable[[Session, Row], None]
    attempt: Attempter
    apply: Callable[[Session, Row, Attempt, PAC], str]
    emit: Callable[[Session, Row], None]  # the status-event hook, called after `abandon` and `apply`
    task: Any  # the Huey task `(id, team_id, livemode) -> status` that calls `recover` with this recovery


def no_event(_session: Session, _row: Any) -> None:
    """The status-event hook of a domain that records no event of its own on recovery."""


def retry_delay(attempts: int) -> int | None:
    """Seconds until the next attempt of a document still pending after `attempts` attempts; None once the
    delays are spent (the sweep takes over)."""
    if attempts > len(RETRY_DELAYS):
        return None
    return RETRY_DELAYS[min(attempts, len(RETRY_DELAYS)) - 1]


def recover(recovery: Recovery[Row], id: str, team_id: str, livemode: bool) -> str:
    """One more stamping attempt of a pending document; returns its status afterwards (`missing`, `busy`
    when another worker or its own request holds it)."""
    settings = get_settings()
    with session_scope(settings.db_url) as session:
        repo = recovery.repository(session)
        row = repo.get_scoped(id, team_id, livemode)
        if row is None or row.status != "pending":
            return row.status if row is not None else "missing"
        if row.xml is None:
            if row.updated_at >= now_ms() - STALE_AFTER_MS:
                return "busy"  # its request is sealing it right now
            recovery.abandon(session, row)  # the request died before sealing: nothing reached a PAC
            recovery.emit(session, row)
            return row.status
        if not repo.claim_attempt(row):
            return "busy"
        xml, attempts = row.xml, row.attempts
    try:
        pac = pac_for(settings, livemode)
    except TimbreError as exc:  # live PAC unconfigured since: keep the document for when it is back
        recovery.log.warning("%s %s stays pending: %s", recovery.noun, id, exc.detail)
        return "pending"
    outcome = recovery.attempt(pac, xml, recovering=True)  # outside any transaction: no lock held meanwhile
    with session_scope(settings.db_url) as session:
        repo = recovery.repository(session)
        row = repo.get_scoped(id, team_id, livemode)
        if row is None:
            return "missing"
        repo.lock(row)
        if row.status != "pending":
            return row.status
        status = recovery.apply(session, row, outcome, pac)
        recovery.emit(session, row)
    delay = retry_delay(attempts) if status == "pending" else None
    if delay is not None:
        recovery.task.schedule(args=(id, team_id, livemode), eta=datetime.now(UTC) + timedelta(seconds=delay))
    return status


def sweep(recovery: Recovery[Any]) -> int:
    """Queue a recovery for every pending document untouched for STALE_AFTER_MS; how many were queued."""
    with session_scope(get_settings().db_url) as session:
        stale = recovery.repository(session).stale_pending(now_ms() - STALE_AFTER_MS)
    for id, team_id, livemode in stale:
        recovery.task(id, team_id, livemode)
    return len(stale)
