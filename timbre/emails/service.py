"""Outgoing e-mail: every message is stored, then sent by a job after commit (or recorded when no
SMTP server is configured). Failed sends are retried with growing delays; the outcome stays on the message
and, for a document's e-mails (`document_id`), on the document (`emails: [{to, status, sent_at}]`).

A body may hold a single-use link (password reset, invitation), so it is stored AES-GCM encrypted while the
message waits (`emails.sealing`), and emptied once it is sent or recorded: what stays shows that a message was
sent (to, subject, status, time), never a usable link."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from timbre.config import get_settings
from timbre.emails import tasks
from timbre.emails.repository import EmailRepository
from timbre.emails.sealing import seal_body
from timbre.kit import jobs
from timbre.kit.ids import new_id
from timbre.models import EmailMessage


def queue_email(session: Session, *, to: str, subject: str, body: str, team_id: str | None = None,
                document_id: str | None = None) -> EmailMessage:
    sealed = seal_body(get_settings().secret(), body)
    message = EmailMessage(id=new_id("email"), team_id=team_id, document_id=document_id, to=to, subject=subject,
                           body=sealed, status="queued", attempts=0)
    session.add(message)
    session.flush()
    jobs.enqueue(session, tasks.send_email, message.id)
    return message


def outcomes(session: Session, team_id: str, document_ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """Per document id, its e-mails as documents show them: `{to, status, sent_at}` (sent_at in seconds)."""
    found: dict[str, list[dict[str, Any]]] = {}
    if not document_ids:
        return found
    for document_id, to, status, sent_at in EmailRepository.from_session(session).of_documents(team_id, document_ids):
        found.setdefault(document_id or "", []).append({"to": to, "status": status,
                                                        "sent_at": sent_at // 1000 if sent_at else None})
    return found
