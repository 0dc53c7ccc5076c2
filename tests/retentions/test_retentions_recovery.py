"""Live retentions whose PAC did not answer (Finkok's retentions service, replayed): the retention stays
`pending` with its folio and credit, and a job re-sends the very same sealed bytes until the PAC answers —
never a second stamp, never a lost folio, the credit back when the PAC finally refuses it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update

from tests.factories import detached_row
from tests.invoices.checks import run_scheduled
from tests.invoices.conftest import Ready
from tests.invoices.finkok_fake import FakeFinkok
from tests.retentions.test_retentions_api import body
from timbre.cfdi import xmlsafe
from timbre.cfdi.pac.sandbox import sandbox_credential
from timbre.cfdi.retenciones import seal, xsd
from timbre.config import get_settings
from timbre.kit.db import session_scope
from timbre.models import Retention
from timbre.retentions.tasks import sweep_pending_retentions
from timbre.worker import huey


def _create(live: Ready) -> Any:
    return live.client.post("/v2/retentions", headers=live.headers, json=body(live, "01"))


def _make_stale(retention_id: str, **values: Any) -> None:
    huey.flush()  # the scheduled retries are lost: only the sweep can find the retention again
    with session_scope(get_settings().db_url) as session:
        session.execute(update(Retention).where(Retention.id == retention_id, Retention.livemode.is_(True))
                        .values(updated_at=0, **values))


class TestStampedLive:
    def test_finkok_stamps_it_at_once(self, live: Ready, finkok: FakeFinkok) -> None:
        res = _create(live)
        assert res.status_code == 201, res.text
        data = res.json()["data"]
        assert (data["status"], data["livemode"]) == ("valid", True)
        assert finkok.operations == ["stamp"] and finkok.stamps_issued == 1
        assert detached_row(Retention, data["id"]).attempts == 1


class TestRecovery:
    def test_a_timeout_leaves_it_pending_and_a_job_stamps_the_same_document(self, live: Ready,
                                                                            finkok: FakeFinkok) -> None:
        finkok.plan = ["timeout"]
        res = _create(live)
        assert res.status_code == 202, res.text
        pending = res.json()["data"]
        assert (pending["status"], pending["uuid"], pending["folio_number"]) == ("pending", None, "1")
        sealed = detached_row(Retention, pending["id"]).xml
        assert sealed is not None and detached_row(Retention, pending["id"]).error["code"] == "pac_unavailable"  # type: ignore[index]
        got = live.client.get(f"/v2/retentions/{pending['id']}", headers=live.headers).json()["data"]
        assert got["status"] == "pending"

        run_scheduled()
        row = detached_row(Retention, pending["id"])
        assert (row.status, row.folio_number, row.error, row.attempts) == ("valid", 1, None, 2)
        assert row.xml is not None and xsd.validate(row.xml) == [] and seal.verify_timbre(row.xml, sandbox_credential())
        assert xmlsafe.parse(row.xml).get("Sello") == xmlsafe.parse(sealed).get("Sello")  # the same document
        assert finkok.operations == ["stamp", "stamp"] and finkok.stamps_issued == 1
        run_scheduled()
        assert finkok.operations == ["stamp", "stamp"]  # nothing left to do
        assert live.used_credits() == 1
        assert _create(live).json()["data"]["folio_number"] == "2"  # the pending one kept its folio

    def test_a_lost_answer_is_never_stamped_twice(self, live: Ready, finkok: FakeFinkok) -> None:
        finkok.plan = ["lost"]
        pending = _create(live).json()["data"]
        assert pending["status"] == "pending" and finkok.stamps_issued == 1
        run_scheduled()
        row = detached_row(Retention, pending["id"])
        assert row.status == "pending" and finkok.stamps_issued == 1  # Finkok answered 307: not stamped again
        assert row.error is not None and "already stamped" in row.error["message"]
        assert live.used_credits() == 1

    def test_a_refusal_on_a_retry_fails_it_and_refunds_the_credit(self, live: Ready, finkok: FakeFinkok) -> None:
        finkok.plan = ["timeout", "reject"]
        pending = _create(live).json()["data"]
        assert live.used_credits() == 1
        run_scheduled()
        row = detached_row(Retention, pending["id"])
        assert row.status == "failed" and row.error is not None and row.error["code"] == "302"
        assert live.used_credits() == 0 and finkok.stamps_issued == 0

    def test_the_sweep_finds_a_retention_whose_job_was_lost(self, live: Ready, finkok: FakeFinkok) -> None:
        finkok.plan = ["timeout", "timeout"]
        pending = _create(live).json()["data"]
        run_scheduled()
        assert detached_row(Retention, pending["id"]).status == "pending" and finkok.plan == []
        _make_stale(pending["id"])
        assert sweep_pending_retentions.call_local() == 1
        run_scheduled()
        assert detached_row(Retention, pending["id"]).status == "valid" and finkok.stamps_issued == 1

    def test_one_never_sealed_fails_with_its_credit_back(self, live: Ready, finkok: FakeFinkok) -> None:
        finkok.plan = ["timeout"]
        pending = _create(live).json()["data"]
        _make_stale(pending["id"], xml=None)  # as if its request had died between the folio and the seal
        assert sweep_pending_retentions.call_local() == 1
        run_scheduled()
        row = detached_row(Retention, pending["id"])
        assert row.status == "failed" and row.error is not None and row.error["code"] == "not_sealed"
        assert live.used_credits() == 0
