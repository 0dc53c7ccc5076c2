"""E-mail jobs."""

from __future__ import annotations

import logging
import smtplib

from timbre.config import get_settings
from timbre.emails import smtp
from timbre.emails.service import open_body
from timbre.kit.db import session_scope
from timbre.models import EmailMessage
from timbre.worker.queue import huey

log = logging.getLogger("timbre.emails")


@huey.task(retries=3, retry_delay=30)
def send_email(message_id: str) -> str:
    """Send one stored message by SMTP, or mark it `recorded` when no SMTP server is configured."""
    settings = get_settings()
    with session_scope(settings.db_url) as session:
        message = session.get(EmailMessage, message_id)
        if message is None or message.status in ("sent", "recorded"):
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
        with session_scope(settings.db_url) as session:
            failed = session.get(EmailMessage, message_id)
            if failed is not None:
                failed.status, failed.error = "failed", type(exc).__name__
        raise
    with session_scope(settings.db_url) as session:
        sent = session.get(EmailMessage, message_id)
        if sent is not None:
            # The body may hold a single-use link: once delivered it need not stay at rest.
            sent.status, sent.body = "sent", ""
    return "sent"
