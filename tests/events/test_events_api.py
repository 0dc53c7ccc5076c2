"""Events: written in the changing transaction (the outbox), listed and shown through the API, kept 30 days,
redelivered on demand, and fanned out by the sweep when the relay job was lost."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.factories import create_account, run_jobs
from tests.webhooks.helpers import deliveries, make_webhook
from tests.webhooks.receiver import receiver
from timbre.config import get_settings
from timbre.events.service import RETENTION_MS
from timbre.events.service import event as event_service
from timbre.events.tasks import purge_old_events
from timbre.events.types import EventType
from timbre.kit.clock import now_ms
from timbre.kit.db import session_scope
from timbre.models import Event, WebhookDelivery
from timbre.webhooks import tasks
from timbre.worker import huey


def _events(team_id: str) -> list[Event]:
    with session_scope(get_settings().db_url) as session:
        rows = list(session.scalars(select(Event).where(Event.team_id == team_id).order_by(Event.created_at)))
        session.expunge_all()
        return rows


class TestOutbox:
    def test_event_commits_with_its_change(self, client: TestClient) -> None:
        acct = create_account()
        res = client.post("/v2/services", headers=acct.headers(),
                          json={"description": "Hosting", "product_key": "81112100", "unit_key": "E48",
                                "unit_price": 100})
        assert res.status_code == 201, res.text
        [event] = _events(acct.team_id)
        assert event.type == "service.created" and event.object_id == res.json()["data"]["id"]
        assert event.data == res.json()["data"]

    def test_no_event_without_its_change(self, client: TestClient) -> None:
        acct = create_account()

        class Boom(Exception):
            pass

        with pytest.raises(Boom), session_scope(get_settings().db_url) as session:
            event_service.record(session, team_id=acct.team_id, livemode=False, type=EventType.webhook_test,
                                 data={"webhook": "wh_x"})
            raise Boom
        assert _events(acct.team_id) == [] and huey.pending_count() == 0

    def test_rejected_request_records_nothing(self, client: TestClient) -> None:
        acct = create_account()
        res = client.post("/v2/services", headers=acct.headers(),
                          json={"description": "Hosting", "product_key": "00000000", "unit_key": "E48",
                                "unit_price": 100})
        assert res.status_code == 400
        assert _events(acct.team_id) == []

    def test_update_and_delete_are_reported(self, client: TestClient) -> None:
        acct = create_account()
        res = client.post("/v2/clients", headers=acct.headers(), json={"legal_name": "PUBLICO EN GENERAL"})
        client_id = res.json()["data"]["id"]
        client.put(f"/v2/clients/{client_id}", headers=acct.headers(), json={"email": "x@example.com"})
        client.delete(f"/v2/clients/{client_id}", headers=acct.headers())
        events = _events(acct.team_id)
        assert [e.type for e in events] == ["customer.created", "customer.updated", "customer.deleted"]
        assert events[1].data["email"] == "x@example.com"


class TestListAndGet:
    def test_lists_newest_first_with_filters(self, client: TestClient) -> None:
        acct, other = create_account(), create_account("Otra")
        for name in ("A", "B"):
            client.post("/v2/clients", headers=acct.headers(), json={"legal_name": f"PUBLICO {name}"})
        client.post("/v2/clients", headers=acct.headers(live=True), json={"legal_name": "PUBLICO LIVE"})
        client.post("/v2/clients", headers=other.headers(), json={"legal_name": "PUBLICO OTRO"})
        res = client.get("/v2/events", headers=acct.headers(), params={"limit": 1})
        assert res.status_code == 200, res.text
        body = res.json()
        assert body["total_results"] == 2 and body["has_more"] is True
        first = body["data"][0]
        assert first["type"] == first["event"] == "customer.created" and first["data"]["legal_name"] == "PUBLICO B"
        assert first["livemode"] is False and first["object"] == "event" and first["timestamp"].endswith("Z")
        page2 = client.get("/v2/events", headers=acct.headers(), params={"limit": 1, "next": body["next"]}).json()
        assert page2["data"][0]["data"]["legal_name"] == "PUBLICO A"
        by_type = client.get("/v2/events", headers=acct.headers(), params={"type": "invoice.created"}).json()
        assert by_type["data"] == []
        assert client.get("/v2/events", headers=acct.headers(), params={"type": "nope"}).status_code == 422

    def test_get_one_and_not_another_teams(self, client: TestClient) -> None:
        acct, other = create_account(), create_account("Otra")
        client.post("/v2/clients", headers=acct.headers(), json={"legal_name": "PUBLICO EN GENERAL"})
        [event] = _events(acct.team_id)
        res = client.get(f"/v2/events/{event.id}", headers=acct.headers())
        assert res.status_code == 200 and res.json()["data"]["id"] == event.id
        assert client.get(f"/v2/events/{event.id}", headers=other.headers()).status_code == 404
        assert client.get(f"/v2/events/{event.id}", headers=acct.headers(live=True)).status_code == 404


class TestRetention:
    def test_events_older_than_30_days_are_gone(self, client: TestClient) -> None:
        acct = create_account()
        client.post("/v2/clients", headers=acct.headers(), json={"legal_name": "PUBLICO EN GENERAL"})
        [event] = _events(acct.team_id)
        with session_scope(get_settings().db_url) as session:
            row = session.get(Event, event.id)
            assert row is not None
            row.created_at = now_ms() - RETENTION_MS - 1000
        assert client.get(f"/v2/events/{event.id}", headers=acct.headers()).status_code == 404
        assert purge_old_events.call_local() == 1
        assert _events(acct.team_id) == []


class TestRedeliver:
    def test_sends_the_same_message_again(self, client: TestClient) -> None:
        acct = create_account()
        with receiver() as rx:
            make_webhook(client, acct.headers(), rx.url)
            client.post("/v2/clients", headers=acct.headers(), json={"legal_name": "PUBLICO EN GENERAL"})
            run_jobs()
            [event] = _events(acct.team_id)
            res = client.post(f"/v2/events/{event.id}/redeliver", headers=acct.headers())
            assert res.status_code == 200, res.text
            assert [d["status"] for d in res.json()["data"]["deliveries"]] == ["pending"]
            run_jobs()
            assert rx.ids() == [event.id, event.id]

    def test_unknown_event_is_404(self, client: TestClient) -> None:
        acct = create_account()
        assert client.post("/v2/events/evt_nope/redeliver", headers=acct.headers()).status_code == 404


class TestSweep:
    def test_event_whose_relay_job_was_lost_is_delivered(self, client: TestClient) -> None:
        acct = create_account()
        with receiver() as rx:
            webhook_id, _ = make_webhook(client, acct.headers(), rx.url)
            client.post("/v2/clients", headers=acct.headers(), json={"legal_name": "PUBLICO EN GENERAL"})
            huey.flush()  # the process died right after the commit: its job never ran
            [event] = _events(acct.team_id)
            assert event.dispatched_at is None
            tasks.sweep_at(now_ms() + 60_000)  # a minute later: past the grace left to just-committed events
            run_jobs()
            assert rx.ids() == [event.id]
            assert [d.status for d in deliveries(webhook_id)] == ["succeeded"]

    def test_dispatch_twice_delivers_once(self, client: TestClient) -> None:
        acct = create_account()
        with receiver() as rx:
            make_webhook(client, acct.headers(), rx.url)
            client.post("/v2/clients", headers=acct.headers(), json={"legal_name": "PUBLICO EN GENERAL"})
            [event] = _events(acct.team_id)
            tasks.dispatch_event(event.id)  # the sweep's copy of the relay job
            run_jobs()
            with session_scope(get_settings().db_url) as session:
                count = session.scalar(select(func.count()).select_from(WebhookDelivery))
            assert count == 1 and rx.ids() == [event.id]
