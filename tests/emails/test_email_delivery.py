"""Document e-mails on the same rails as webhooks: sent by jobs, retried with growing delays, the outcome
recorded and shown on the invoice as `emails: [{to, status, sent_at}]` (real local SMTP server)."""

from __future__ import annotations

import pytest

from tests.factories import run_jobs
from tests.invoices.conftest import Ready
from tests.mail import smtp_server
from tests.procs import free_port
from timbre.config import get_settings
from timbre.emails import tasks
from timbre.kit.db import session_scope
from timbre.models import EmailMessage
from timbre.worker import huey


def _invoice(ready: Ready, uuid: str) -> dict[str, object]:
    res = ready.client.get(f"/v2/invoices/income/{uuid}", headers=ready.headers)
    assert res.status_code == 200, res.text
    data: dict[str, object] = res.json()["data"]
    return data


class TestInvoiceEmails:
    def test_sent_email_shows_on_the_invoice(self, ready: Ready, monkeypatch: pytest.MonkeyPatch) -> None:
        with smtp_server() as inbox:
            monkeypatch.setattr(get_settings(), "smtp_url", inbox.url)
            created = ready.create(send_email=True, emails=["ap@example.com"]).json()["data"]
            assert created["emails"] == []  # nothing is sent on the request's path
            run_jobs()
            assert len(inbox.messages) == 1
        [email] = _invoice(ready, created["uuid"])["emails"]  # type: ignore[misc]
        assert email["to"] == "ap@example.com" and email["status"] == "sent" and email["sent_at"] > 0
        listed = ready.client.get("/v2/invoices/income", headers=ready.headers).json()["data"]
        assert listed[0]["emails"] == [email]

    def test_failed_sends_are_retried_then_given_up(self, ready: Ready, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(get_settings(), "smtp_url", f"smtp://127.0.0.1:{free_port()}")  # nobody listens
        created = ready.create(send_email=True, emails=["ap@example.com"]).json()["data"]
        run_jobs()
        [email] = _invoice(ready, created["uuid"])["emails"]  # type: ignore[misc]
        assert email["status"] == "retrying" and email["sent_at"] is None
        assert [t.name for t in huey.scheduled()] == ["send_email"]  # the next try, at a later time
        with session_scope(get_settings().db_url) as session:
            [message_id] = [m.id for m in session.query(EmailMessage).filter(EmailMessage.document_id.isnot(None))]
        for _ in range(tasks.MAX_ATTEMPTS - 2):  # time made fast: each retry run at once
            assert tasks.send_email.call_local(message_id) == "retrying"
        assert tasks.send_email.call_local(message_id) == "failed"
        assert [e["status"] for e in _invoice(ready, created["uuid"])["emails"]] == ["failed"]  # type: ignore[attr-defined]

    def test_retry_succeeds_once_the_server_is_back(self, ready: Ready, monkeypatch: pytest.MonkeyPatch) -> None:
        with smtp_server() as inbox:
            monkeypatch.setattr(get_settings(), "smtp_url", f"smtp://127.0.0.1:{free_port()}")
            created = ready.create(send_email=True, emails=["ap@example.com"]).json()["data"]
            run_jobs()
            monkeypatch.setattr(get_settings(), "smtp_url", inbox.url)
            with session_scope(get_settings().db_url) as session:
                [message_id] = [m.id for m in session.query(EmailMessage).filter(EmailMessage.document_id.isnot(None))]
            assert tasks.send_email.call_local(message_id) == "sent"
            assert len(inbox.messages) == 1
        assert [e["status"] for e in _invoice(ready, created["uuid"])["emails"]] == ["sent"]  # type: ignore[attr-defined]

    def test_lost_job_is_requeued_by_the_sweep(self, ready: Ready) -> None:
        created = ready.create(send_email=True, emails=["ap@example.com"]).json()["data"]
        run_jobs()  # renders and queues the message
        with session_scope(get_settings().db_url) as session:
            message = session.query(EmailMessage).filter(EmailMessage.document_id.isnot(None)).one()
            message.status, message.created_at = "queued", message.created_at - tasks.STALL_MS - 1000
        assert tasks.sweep_stalled.call_local() == 1
        run_jobs()
        assert [e["status"] for e in _invoice(ready, created["uuid"])["emails"]] == ["recorded"]  # type: ignore[attr-defined]
