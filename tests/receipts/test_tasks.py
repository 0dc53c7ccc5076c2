"""Receipt jobs queued by an older version: `send_receipt_email` moved from `receipts.tasks` to
`receipts.mail_tasks`, and Huey finds a queued job's function by `<module>.<name>`, so a job queued under
the old name before an upgrade must still e-mail its receipt (the daily job is tested in `test_pages`)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import run_jobs
from tests.invoices.conftest import Ready
from tests.mail import smtp_server
from tests.receipts.helpers import make_receipt
from timbre.config import get_settings
from timbre.kit.db import session_scope
from timbre.models import EmailMessage
from timbre.receipts.mail_tasks import send_receipt_email
from timbre.worker import huey

OLD_NAME = "timbre.receipts.tasks.send_receipt_email"


def _queue_under(name: str, *args: Any) -> None:
    """Put the job in the real queue as Huey writes it, under `name` (what a version before the move wrote)."""
    message = huey.serializer.deserialize(huey.serialize_task(send_receipt_email.s(*args)))
    huey.storage.enqueue(huey.serializer.serialize(message._replace(name=name)), None)


class TestJobQueuedBeforeTheMove:
    def test_a_job_under_the_old_name_emails_the_receipt(self, ready: Ready, monkeypatch: pytest.MonkeyPatch) -> None:
        receipt = make_receipt(ready, client={"id": ready.client_id})
        assert huey.pending_count() == 0  # nothing queued by the create (no send_email)
        _queue_under(OLD_NAME, receipt["id"], ready.account.team_id, False, None)
        assert [huey.serializer.deserialize(data).name for data in huey.storage.enqueued_items()] == [OLD_NAME]
        with smtp_server() as inbox:
            monkeypatch.setattr(get_settings(), "smtp_url", inbox.url)
            assert run_jobs() == [True, "sent"]  # the receipt job, then the delivery job it queued
        assert len(inbox.messages) == 1 and receipt["url"].split("?")[0] in inbox.messages[0].replace("=\n", "")
        with session_scope(get_settings().db_url) as session:
            sent = [(m.to, m.status) for m in session.query(EmailMessage).all()]
        assert sent == [("berenice@example.com", "sent")]

    def test_the_old_name_runs_the_same_function_as_the_new_one(self, ready: Ready) -> None:
        receipt = make_receipt(ready)  # no client: nobody to e-mail, the job says so and sends nothing
        _queue_under(OLD_NAME, receipt["id"], ready.account.team_id, False, None)
        _queue_under(send_receipt_email.task_class.__module__ + ".send_receipt_email", "missing",
                     ready.account.team_id, False, None)
        assert run_jobs() == [False, False]
        with session_scope(get_settings().db_url) as session:
            assert session.query(EmailMessage).count() == 0
