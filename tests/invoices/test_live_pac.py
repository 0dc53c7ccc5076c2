"""Live mode: stamping through the configured PAC (Finkok, replayed), its timeouts and rejections.

A PAC timeout leaves the invoice `pending` with its folio and a job recovers it; the recovery re-sends
the same sealed document, so an invoice is never lost and never stamped twice."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from tests.factories import detached_row
from tests.invoices.checks import assert_valid_cfdi, run_scheduled, stored_xml
from tests.invoices.conftest import Ready, make_ready
from tests.invoices.finkok_fake import FakeFinkok
from timbre.cfdi import testca, xmlsafe
from timbre.cfdi.certs import Credential
from timbre.config import get_settings
from timbre.invoices.tasks import sweep_pending
from timbre.kit.db import session_scope
from timbre.models import Invoice, Team
from timbre.sat.service import sat_connection


@pytest.fixture
def finkok(monkeypatch: pytest.MonkeyPatch) -> FakeFinkok:
    settings = get_settings()  # the app's and the jobs' settings object
    monkeypatch.setattr(settings, "pac", "finkok")
    monkeypatch.setattr(settings, "pac_username", "user@example.com")
    monkeypatch.setattr(settings, "pac_password", "secret")
    return FakeFinkok().install(monkeypatch)


@pytest.fixture
def live(client: TestClient, test_csd: testca.TestCertificate) -> Ready:
    """A team with a live CSD. Live uploads accept SAT-issued CSDs only (tested in test_sat_connection);
    here the test CSD is stored through the same service the upload uses, after its checks."""
    ready = make_ready(client, test_csd, live=True)
    with session_scope(get_settings().db_url) as session:
        team = session.get(Team, ready.account.team_id)
        assert team is not None
        credential = Credential.load(test_csd.cer, test_csd.key, test_csd.password)
        sat_connection.store(session, get_settings().secret(), team, credential, livemode=True)
    return ready


def test_stamps_through_the_pac(live: Ready, finkok: FakeFinkok) -> None:
    res = live.create()
    assert res.status_code == 201, res.text
    data = res.json()["data"]
    assert (data["status"], data["pac"], data["livemode"]) == ("valid", "finkok", True)
    assert finkok.operations == ["stamp"]
    assert_valid_cfdi(stored_xml(live.client, live.headers, data["uuid"]))
    assert live.used_credits() == 1


def test_a_timeout_leaves_the_invoice_pending_and_a_job_stamps_it(live: Ready, finkok: FakeFinkok) -> None:
    finkok.plan = ["timeout"]
    res = live.create()
    assert res.status_code == 202, res.text
    pending = res.json()["data"]
    assert (pending["status"], pending["uuid"], pending["folio_number"]) == ("pending", None, 1)
    assert pending["error"]["code"] == "pac_unavailable"
    fetched = live.client.get(f"/v2/invoices/income/{pending['id']}", headers=live.headers).json()["data"]
    assert fetched["status"] == "pending"
    sealed = detached_row(Invoice, pending["id"]).xml

    run_scheduled()
    done = live.client.get(f"/v2/invoices/income/{pending['id']}", headers=live.headers).json()["data"]
    assert done["status"] == "valid" and done["uuid"] and done["folio_number"] == 1 and done["error"] is None
    stamped = stored_xml(live.client, live.headers, done["uuid"])
    assert_valid_cfdi(stamped)
    assert xmlsafe.parse(stamped).get("Sello") == xmlsafe.parse(sealed or b"").get("Sello")  # the same document
    assert finkok.operations == ["stamp", "stamp"] and finkok.stamps_issued == 1
    run_scheduled()
    assert finkok.operations == ["stamp", "stamp"]  # nothing left to do
    assert live.used_credits() == 1
    # the next invoice takes the next folio: the pending one kept its own
    assert live.create().json()["data"]["folio_number"] == 2


def test_a_lost_answer_is_fetched_never_stamped_again(live: Ready, finkok: FakeFinkok) -> None:
    finkok.plan = ["lost"]
    pending = live.create().json()["data"]
    assert pending["status"] == "pending" and finkok.stamps_issued == 1
    run_scheduled()
    done = live.client.get(f"/v2/invoices/income/{pending['id']}", headers=live.headers).json()["data"]
    assert done["status"] == "valid"
    assert finkok.operations == ["stamp", "stamp", "stamped"]  # 307 "already stamped", then fetched
    assert finkok.stamps_issued == 1
    (stamp,) = finkok.stamped.values()
    assert stored_xml(live.client, live.headers, done["uuid"]) == stamp


def test_a_pac_that_stays_down_keeps_the_invoice_pending(live: Ready, finkok: FakeFinkok) -> None:
    finkok.plan = ["timeout", "timeout", "timeout"]
    pending = live.create().json()["data"]
    run_scheduled()
    row = detached_row(Invoice, pending["id"])
    assert row.status == "pending" and row.attempts == 2 and row.error is not None
    # A lost job is found again by the sweep once the invoice is stale.
    from timbre.worker import huey

    huey.flush()
    with session_scope(get_settings().db_url) as session:
        session.execute(update(Invoice).where(Invoice.id == pending["id"], Invoice.team_id == row.team_id)
                        .values(updated_at=0))
    assert sweep_pending.call_local() == 1
    run_scheduled()
    assert detached_row(Invoice, pending["id"]).status == "pending" and finkok.plan == []
    huey.flush()
    with session_scope(get_settings().db_url) as session:
        session.execute(update(Invoice).where(Invoice.id == pending["id"], Invoice.team_id == row.team_id)
                        .values(updated_at=0))
    sweep_pending.call_local()
    run_scheduled()
    assert detached_row(Invoice, pending["id"]).status == "valid"
    assert finkok.stamps_issued == 1


def test_a_rejection_fails_the_attempt_visibly_and_refunds_the_credit(live: Ready, finkok: FakeFinkok) -> None:
    finkok.plan = ["reject"]
    res = live.create()
    assert res.status_code == 400
    body = res.json()
    assert body["message"] == "Failed to stamp invoice" and "CFDI40102" in body["error"]["message"]
    failed_id = body["invoice_id"]
    listed = live.client.get("/v2/invoices/income", headers=live.headers, params={"status": "failed"}).json()
    (failed,) = listed["data"]
    assert failed["id"] == failed_id and failed["folio_number"] == 1 and failed["error"]["code"] == "CFDI40102"
    assert live.used_credits() == 0
    assert live.create().json()["data"]["folio_number"] == 2  # folio 1 is skipped: its attempt failed
    retried = live.create(folio_number=1)  # and may be given again
    assert retried.status_code == 201 and retried.json()["data"]["folio_number"] == 1
    assert live.used_credits() == 2


def test_cancellation_goes_through_the_pac_with_the_csd(live: Ready, finkok: FakeFinkok) -> None:
    data = live.create().json()["data"]
    res = live.client.request("DELETE", f"/v2/invoices/{data['uuid']}", headers=live.headers, json={"motive": "02"})
    assert res.status_code == 200, res.text
    assert res.json()["data"]["cancellation"]["pac"] == "finkok"
    assert finkok.operations == ["stamp", "cancel_signature"]
    assert detached_row(Invoice, data["id"]).acuse_xml is not None
