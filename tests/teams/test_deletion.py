from __future__ import annotations

import datetime

from fastapi.testclient import TestClient

from tests.factories import create_account, run_jobs
from timbre.config import get_settings
from timbre.kit.db import session_scope
from timbre.models import ApiKey, Team
from timbre.worker import huey


def _child(client: TestClient, headers: dict[str, str]) -> str:
    return str(client.post("/v2/teams", json={"legal_name": "Temporal"}, headers=headers).json()["data"]["id"])


class TestDeleteTeam:
    def test_delete_schedules_a_hard_deletion_job_in_30_days(self, client: TestClient) -> None:
        acct = create_account()
        child = _child(client, acct.headers())
        res = client.delete(f"/v2/teams/{child}", headers=acct.headers())
        assert res.status_code == 200
        body = res.json()
        assert body["message"] == "Team scheduled for deletion"
        sched = body["data"]["scheduled_deletion"]
        assert body["data"]["status"] == "pending_deletion"
        assert abs(sched["date"] - sched["flagged_at"] - 30 * 86400 * 1000) < 1000
        assert sched["flagged_by"] == acct.user_id
        queued = huey.pending() + huey.scheduled()
        tasks = [t for t in queued if t.name.endswith("hard_delete_team")]
        assert len(tasks) == 1 and tasks[0].args == (child,)
        again = client.delete(f"/v2/teams/{child}", headers=acct.headers())
        assert again.status_code == 409 and again.json()["error"]["code"] == "resource_conflict"

    def test_the_job_deletes_only_once_the_grace_period_is_over(self, client: TestClient) -> None:
        acct = create_account()
        child = _child(client, acct.headers())
        client.delete(f"/v2/teams/{child}", headers=acct.headers())
        task = next(t for t in huey.pending() + huey.scheduled() if t.name.endswith("hard_delete_team"))
        assert task.execute() == []  # too early: nothing happens
        with session_scope(get_settings().db_url) as session:
            team = session.get(Team, child)
            assert team is not None
            team.scheduled_deletion = {**(team.scheduled_deletion or {}), "date": 0}
        assert task.execute() == [child]
        with session_scope(get_settings().db_url) as session:
            assert session.get(Team, child) is None
            assert session.query(ApiKey).filter(ApiKey.team_id == child).count() == 0

    def test_refused_with_a_completed_integration(self, client: TestClient) -> None:
        acct = create_account()
        child = _child(client, acct.headers())
        with session_scope(get_settings().db_url) as session:
            team = session.get(Team, child)
            assert team is not None
            team.integrations = {"stripe": {"completed": True}}
        res = client.delete(f"/v2/teams/{child}", headers=acct.headers())
        assert res.status_code == 400
        assert res.json()["error"]["code"] == "business_rule_violation"
        assert "stripe" in res.json()["error"]["message"]

    def test_master_team_cannot_be_deleted(self, client: TestClient) -> None:
        acct = create_account()
        res = client.delete(f"/v2/teams/{acct.team_id}", headers=acct.headers())
        assert res.status_code == 400 and res.json()["error"]["code"] == "business_rule_violation"

    def test_no_job_when_the_request_fails(self, client: TestClient) -> None:
        acct = create_account()
        client.delete(f"/v2/teams/{acct.team_id}", headers=acct.headers())
        assert run_jobs() == [] and huey.scheduled() == []

    def test_hourly_sweep_catches_a_lost_job(self, client: TestClient) -> None:
        acct = create_account()
        child = _child(client, acct.headers())
        client.delete(f"/v2/teams/{child}", headers=acct.headers())
        huey.flush()  # the scheduled job is lost
        with session_scope(get_settings().db_url) as session:
            team = session.get(Team, child)
            assert team is not None
            past = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC).timestamp() * 1000
            team.scheduled_deletion = {**(team.scheduled_deletion or {}), "date": int(past)}
        from timbre.worker.periodic import sweep

        sweep.call_local()
        with session_scope(get_settings().db_url) as session:
            assert session.get(Team, child) is None
