"""Two workers resuming the same paid payment at once issue one invoice."""

from __future__ import annotations

import threading

from sqlalchemy import update

from tests.factories import _url
from tests.invoices.conftest import Ready
from tests.payments.helpers import get, request
from timbre.kit.db import session_scope
from timbre.models import Payment
from timbre.payments.tasks import run_automation


def test_concurrent_automations_issue_one_invoice_and_one_complement(ready: Ready) -> None:
    payment = request(ready, automation_type="ppd_invoice_and_complement").json()["data"]
    with session_scope(_url()) as session:  # paid, as a processor's confirmation would record it
        session.execute(update(Payment).where(Payment.id == payment["id"]).values(
            status="succeeded", payment_form="03", succeeded_at=1_700_000_000_000))
    results: list[str] = []
    workers = [threading.Thread(target=lambda: results.append(
        run_automation.call_local(payment["id"], ready.account.team_id, False))) for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert "done" in results
    assert get(ready, "/invoices/income")["total_results"] == 1
    assert get(ready, "/invoices/payment")["total_results"] == 1
    final = get(ready, f"/payments/{payment['id']}")["data"]
    assert final["automation"]["status"] == "done" and final["complement"]["status"] == "valid"
    assert get(ready, f"/invoices/income/{final['invoice']['uuid']}")["data"]["last_balance"] == 0.0
