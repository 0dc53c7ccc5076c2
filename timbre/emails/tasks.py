"""E-mail jobs: one send per job; a failure is retried with growing delays (30 s × 4ⁿ with jitter, 6 tries
over ~3 hours), then the message is `failed`. A sweep re-queues messages whose job was lost."""

from __future__ import annotations

import logging
import random
import smtplib
from datetime import UTC, datetime, timedelta

from huey import crontab

from timbre.config import get_settings
from timbre.emails import smtp
from timbre.emails.repository import EmailRepository
from timbre.emails.sealing import open_body
from timbre.kit.clock import now_ms
from timbre.kit.db import session_scope
from timbre.models import EmailMessage
from timbre.worker.queue import huey

log = logging.getLogger("timbre.emails")
MAX_ATTEMPTS = 6
STALL_MS = 10 * 60 * 1000


def retry_delay_s(attempts: int) -> float:
    return 30.0 * float(4 ** (attempts - 1)) * random.uniform(0.8, 1.2)


@huey.task()
def send_email(message_id: str) -> str:
    """Send one stored message by SMTP, or mark it `recorded` when no SMTP server is configured."""
    settings = get_settings()
    with session_scope(settings.db_url) as session:
        message = session.get(EmailMessage, message_id)
        if message is None or message.status in ("sent", "recorded", "failed"):
            return "skipped"
        if not settings.smtp_url:
            # Recorded, not sent: keep that it was, not the body (which may hold a usable link).
            message.status, message.body = "recorded", ""
            return message.status
        to, subject, body = message.to, message.subject, open_body(settings.secret(), message.body)
    try:
        smtp.send(settings.smtp_url, settings.smtp_from, to, subject, body)
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("e-mail %s not sent: %s", message_id, type(exc).__name__)
        return _failed(message_id, type(exc).__name__)
    with session_scope(settings.db_url) as session:
        sent = session.get(EmailMessage, message_id)
        if sent is not None:
            # The body may hold a single-use link: once delivered it need not stay at rest.
            sent.status, sent.body, sent.sent_at = "sent", "", now_ms()
            sent.attempts += 1
    return "sent"


def _failed(message_id: str, error: str) -> str:
    with session_scope(get_settings().db_url) as session:
        failed = session.get(EmailMessage, message_id)
        if failed is None:
            return "skipped"
        failed.attempts += 1
        failed.error = error
        failed.status = "failed" if failed.attempts >= MAX_ATTEMPTS else "retrying"
        status, attempts = failed.status, failed.attempts
    if status == "retrying":
        send_email.schedule(args=(message_id,), eta=datetime.now(UTC) + timedelta(seconds=retry_delay_s(attempts)))
    return status


@huey.periodic_task(crontab(minute="*/10"))
def sweep_stalled() -> int:
    """Re-queue messages whose job was lost (a crash after the commit, a queue outage)."""
    now = now_ms()
    longest = int(retry_delay_s(MAX_ATTEMPTS - 1) * 1.5 * 1000)
    with session_scope(get_settings().db_url) as session:
        stalled = EmailRepository.from_session(session).stalled(now - STALL_MS, now - longest)
    for message_id in stalled:
        send_email(message_id)
    return len(stalled)
