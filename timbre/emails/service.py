"""Outgoing e-mail: every message is stored, then sent by a job after commit (or recorded when no
SMTP server is configured).

A body may hold a single-use link (password reset, invitation), so it is stored AES-GCM encrypted while the
message waits, and emptied once it is sent or recorded: what stays shows that a message was sent (to,
subject, status, time), never a usable link.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from timbre.config import get_settings
from timbre.kit import jobs
from timbre.kit.crypto import b64url, b64url_decode, decrypt, encrypt
from timbre.kit.ids import new_id
from timbre.models import EmailMessage

_PURPOSE = "email-body"
_SEALED = "aesgcm:"


def seal_body(secret: str, body: str) -> str:
    return _SEALED + b64url(encrypt(secret, _PURPOSE, body.encode()))


def open_body(secret: str, stored: str) -> str:
    if not stored.startswith(_SEALED):
        return stored  # written before bodies were sealed
    return decrypt(secret, _PURPOSE, b64url_decode(stored[len(_SEALED):])).decode()


def queue_email(session: Session, *, to: str, subject: str, body: str, team_id: str | None = None) -> EmailMessage:
    from timbre.emails import tasks

    sealed = seal_body(get_settings().secret(), body)
    message = EmailMessage(id=new_id("email"), team_id=team_id, to=to, subject=subject, body=sealed, status="queued")
    session.add(message)
    session.flush()
    jobs.enqueue(session, tasks.send_email, message.id)
    return message
