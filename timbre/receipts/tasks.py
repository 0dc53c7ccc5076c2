"""Receipt jobs: the daily global-invoice run (23:59 Mexico City = 05:59 UTC: central Mexico has had no
daylight-saving time since 2022; Huey's crontab runs in UTC here), and the receipt e-mail under its old name.

Huey finds a queued job's function by `<module>.<function name>`: a task that moves to another module leaves
the jobs queued under its old name unrunnable (a consumer drops them with "not found in TaskRegistry"), so the
old name stays registered, calling the task where it lives now."""

from __future__ import annotations

import logging

from huey import crontab

from timbre.auth.jobs import job_auth
from timbre.config import get_settings
from timbre.errors import TimbreError
from timbre.kit.clock import now_ms
from timbre.kit.db import get_sessionmaker, session_scope
from timbre.receipts import globals as global_invoices
from timbre.receipts.mail_tasks import send_receipt_email
from timbre.receipts.repository import ReceiptRepository
from timbre.worker.queue import huey

log = logging.getLogger("timbre.receipts")


@huey.task()
def run_global_invoices(team_id: str, livemode: bool) -> dict[str, object]:
    """One team's global invoices for its closed periods (what `POST /invoices/eom/run` does)."""
    settings = get_settings()
    session = get_sessionmaker(settings.db_url)()
    try:
        auth = job_auth(session, team_id, livemode, None)
        if auth is None or (auth.team.settings or {}).get("global_invoice_disabled"):
            return {"skipped": True}
        result = global_invoices.run(session, auth, settings)
        session.commit()
        return result.to_dict()
    except TimbreError as exc:
        session.rollback()
        log.warning("global invoices of team %s not issued: %s", team_id, exc.detail)
        return {"error": exc.detail}
    finally:
        session.close()


@huey.task(name="send_receipt_email")
def send_receipt_email_queued_before_its_move(receipt_id: str, team_id: str, livemode: bool,
                                              emails: list[str] | None) -> bool:
    """`mail_tasks.send_receipt_email` for the jobs queued as `timbre.receipts.tasks.send_receipt_email` (its
    name until it moved, December 2026): queue the new one, never this."""
    sent: bool = send_receipt_email.call_local(receipt_id, team_id, livemode, emails)
    return sent


@huey.periodic_task(crontab(minute="59", hour="5"))
def end_of_period() -> int:
    """Daily at 23:59 Mexico City: queue the global-invoice run of every team with unclaimed receipts."""
    with session_scope(get_settings().db_url) as session:
        scopes = ReceiptRepository.from_session(session).teams_with_unclaimed(now_ms())
    for team_id, livemode in scopes:
        run_global_invoices(team_id, livemode)
    return len(scopes)
