"""The one recovery routine (`invoices/recovery.py`) behind `recover_invoice` and `recover_retention`: each
scenario for both domains (live documents left pending by the replayed Finkok). The domains' own recovery
stories (a timeout, a lost answer, a refusal, the sweep, a never-sealed row) are in `test_live_pac`,
`test_folios_and_credits` and `tests/retentions/test_retentions_recovery`."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import update

from tests.factories import detached_row
from tests.invoices.conftest import Ready
from tests.invoices.finkok_fake import FakeFinkok
from tests.invoices.test_live_pac import finkok, live
from tests.retentions.test_retentions_api import body as retention_body
from timbre.config import get_settings
from timbre.invoices.recovery import RETRY_DELAYS
from timbre.invoices.tasks import recover_invoice
from timbre.kit.db import session_scope
from timbre.models import Invoice, Retention
from timbre.retentions.tasks import recover_retention
from timbre.worker import huey

__all__ = ["finkok", "live"]  # the fixtures: a live team and the replayed Finkok


@dataclass(frozen=True)
class Domain:
    noun: str
    model: type[Invoice] | type[Retention]
    task: Any
    create: Callable[[Ready], Any]

    def pending(self, live: Ready) -> str:
        """A live document the PAC did not answer for, its scheduled retry dropped: the test runs the job."""
        res = self.create(live)
        assert res.status_code == 202, res.text
        huey.flush()
        document_id: str = res.json()["data"]["id"]
        return document_id

    def row(self, document_id: str) -> Invoice | Retention:
        return detached_row(self.model, document_id)

    def change(self, document_id: str, **values: Any) -> None:
        with session_scope(get_settings().db_url) as session:
            session.execute(update(self.model).where(self.model.id == document_id).values(**values))

    def run(self, live: Ready, document_id: str) -> str:
        status: str = self.task.call_local(document_id, live.account.team_id, True)
        return status


DOMAINS = [
    Domain("invoice", Invoice, recover_invoice, lambda ready: ready.create()),
    Domain("retention", Retention, recover_retention,
           lambda ready: ready.client.post("/v2/retentions", headers=ready.headers, json=retention_body(ready, "01"))),
]


@pytest.fixture(params=DOMAINS, ids=[d.noun for d in DOMAINS])
def domain(request: pytest.FixtureRequest) -> Domain:
    chosen: Domain = request.param
    return chosen


class TestLivePacUnconfigured:
    def test_the_document_stays_pending_until_the_pac_is_back(self, domain: Domain, live: Ready, finkok: FakeFinkok,
                                                             monkeypatch: pytest.MonkeyPatch,
                                                             caplog: pytest.LogCaptureFixture) -> None:
        finkok.plan = ["timeout"]
        document_id = domain.pending(live)
        monkeypatch.setattr(get_settings(), "pac", None)
        with caplog.at_level(logging.WARNING, logger=f"timbre.{domain.noun}s"):
            assert domain.run(live, document_id) == "pending"
        assert f"{domain.noun} {document_id} stays pending" in caplog.text and "no PAC is configured" in caplog.text
        row = domain.row(document_id)
        assert (row.status, row.uuid) == ("pending", None) and row.error is not None
        assert row.error["code"] == "pac_unavailable" and finkok.operations == ["stamp"]  # no call without a PAC
        assert huey.pending_count() == 0  # the sweep takes it again later
        assert live.used_credits() == 1
        monkeypatch.setattr(get_settings(), "pac", "finkok")
        assert domain.run(live, document_id) == "valid"
        assert finkok.operations == ["stamp", "stamp"] and finkok.stamps_issued == 1


class TestNeverSealed:
    def test_a_fresh_one_is_left_to_its_request(self, domain: Domain, live: Ready, finkok: FakeFinkok) -> None:
        finkok.plan = ["timeout"]
        document_id = domain.pending(live)
        domain.change(document_id, xml=None)  # as if its request were between the folio and the seal right now
        assert domain.run(live, document_id) == "busy"
        row = domain.row(document_id)
        assert (row.status, row.attempts) == ("pending", 1) and finkok.operations == ["stamp"]
        assert live.used_credits() == 1 and huey.pending_count() == 0


class TestRescheduling:
    @pytest.mark.parametrize("attempts", [1, 4, len(RETRY_DELAYS)])
    def test_the_next_attempt_waits_by_the_attempts_made(self, domain: Domain, live: Ready, finkok: FakeFinkok,
                                                         attempts: int) -> None:
        finkok.plan = ["timeout", "timeout"]
        document_id = domain.pending(live)
        domain.change(document_id, attempts=attempts)
        before = datetime.now(UTC).replace(tzinfo=None)  # Huey keeps naive UTC times
        assert domain.run(live, document_id) == "pending"
        after = datetime.now(UTC).replace(tzinfo=None)
        assert domain.row(document_id).attempts == attempts + 1
        scheduled = huey.pending()  # a job with an eta waits in the queue until a consumer reads it
        if attempts + 1 > len(RETRY_DELAYS):  # the delays are spent: only the sweep takes it again
            assert scheduled == []
            return
        (job,) = scheduled
        delay = timedelta(seconds=RETRY_DELAYS[attempts])
        assert isinstance(job, domain.task.task_class) and job.args == (document_id, live.account.team_id, True)
        assert before + delay <= job.eta <= after + delay


class TestNotPending:
    def test_a_missing_document(self, domain: Domain, live: Ready) -> None:
        assert domain.run(live, "nope") == "missing"

    def test_a_stamped_document_is_left_alone(self, domain: Domain, live: Ready, finkok: FakeFinkok) -> None:
        res = domain.create(live)
        assert res.status_code == 201, res.text
        assert domain.run(live, res.json()["data"]["id"]) == "valid"
        assert finkok.operations == ["stamp"] and huey.pending_count() == 0
