"""Task names are a wire format: Huey stores a job as `<module>.<function name>` and a consumer finds the
function by that name, so every name a released version could have queued must stay runnable (a task that
moves keeps an alias under its old name, as `receipts.tasks.send_receipt_email` does)."""

from __future__ import annotations

import pytest
from huey.exceptions import HueyException
from huey.registry import Message

from timbre.worker import huey
from timbre.worker.registry import load_tasks

QUEUED_NAMES = [  # append only: a name leaves this list only when no supported version can have queued it
    "timbre.clients.tasks.delete_stored_files", "timbre.emails.tasks.send_email", "timbre.emails.tasks.sweep_stalled",
    "timbre.events.tasks.purge_old_events", "timbre.invoices.sat_tasks.check_cancellation",
    "timbre.invoices.sat_tasks.poll_pending_cancellations", "timbre.invoices.tasks.recover_invoice",
    "timbre.invoices.tasks.send_invoice_email", "timbre.invoices.tasks.sweep_pending",
    "timbre.payments.tasks.run_automation", "timbre.payments.tasks.sweep_automations",
    "timbre.rates.tasks.daily_fix_rates", "timbre.receipts.mail_tasks.send_receipt_email",
    "timbre.receipts.tasks.end_of_period", "timbre.receipts.tasks.run_global_invoices",
    "timbre.receipts.tasks.send_receipt_email", "timbre.retentions.tasks.recover_retention",
    "timbre.retentions.tasks.sweep_pending_retentions", "timbre.satlists.tasks.daily_recheck",
    "timbre.satlists.tasks.recheck_after_import", "timbre.satmirror.tasks.tick", "timbre.satmirror.tasks.work_on_run",
    "timbre.teams.tasks.hard_delete_team", "timbre.webhooks.tasks.deliver", "timbre.webhooks.tasks.dispatch_event",
    "timbre.webhooks.tasks.sweep", "timbre.worker.periodic.sweep",
]


def _read(name: str) -> object:
    """What a consumer does with a queued message of this name: find its task (HueyException if none)."""
    return huey.deserialize_task(huey.serializer.serialize(Message(id="job", name=name, args=(), kwargs={})))


class TestQueuedNames:
    def test_every_name_ever_queued_finds_its_task(self) -> None:
        load_tasks()
        missing = []
        for name in QUEUED_NAMES:
            try:
                task = _read(name)
            except HueyException:
                missing.append(name)
                continue
            assert f"{type(task).__module__}.{type(task).__name__}" == name
        assert missing == [], f"queued jobs of these names would be dropped after an upgrade: {missing}"

    def test_an_unknown_name_is_what_a_consumer_cannot_run(self) -> None:
        with pytest.raises(HueyException, match="not found in TaskRegistry"):
            _read("timbre.receipts.tasks.no_such_task")
