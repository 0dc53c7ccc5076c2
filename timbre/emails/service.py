"""Outgoing e-mail: every message is stored, then sent by a job after commit (or recorded when no
SMTP server is configured)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from timbre.kit import jobs
from timbre.kit.ids import new_id
from timbre.models import EmailMessage


def queue_email(session: Session, *, to: str, subject: str, body: str, team_id: str | None = None) -> EmailMessage:
    from timbre.emails import tasks

    message = EmailMessage(id=new_id("email"), team_id=team_id, to=to, subject=subject, body=body, status="queued")
    session.add(message)
    session.flush()
    jobs.enqueue(session, tasks.send_email, message.id)
    return message
