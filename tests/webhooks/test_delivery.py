"""Delivery: real receivers on 127.0.0.1, signatures checked with the Standard Webhooks verifier, retries with
time made fast (the next attempt is run at its due time, not slept for)."""

from __future__ import annotations

import threading

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.factories import create_account, run_jobs
from tests.invoices.conftest import Ready
from tests.payments.helpers import register
from tests.webhooks.helpers import deliveries, make_webhook
from tests.webhooks.receiver import receiver
from timbre.config import get_settings
from timbre.kit import metrics
from timbre.kit.db import session_scope
from timbre.models import EmailMessage, Webhook
from timbre.webhooks import delivery
from timbre.worker import huey

DAY_MS = 24 * 3600 * 1000


class TestEventsReachTheReceiver:
    def test_client_invoice_and_payment_events_arrive_signed(self, ready: Ready) -> None:
        with receiver() as rx:
            webhook_id, secret = make_webhook(ready.client, ready.headers, rx.url)
            res = ready.client.post("/v2/clients", headers=ready.headers,
                                    json={"legal_name": "PUBLICO EN GENERAL", "email": "c@example.com"})
            assert res.status_code == 201, res.text
            client_id = res.json()["data"]["id"]
            invoice = ready.create()
            assert invoice.status_code == 201, invoice.text
            payment = register(ready, automation_type="none")
            assert payment.status_code == 201, payment.text
            run_jobs()
            payloads = {p["type"]: p for p in (r.verify(secret) for r in rx.received)}
        assert set(payloads) == {"customer.created", "invoice.created", "payment.created", "payment.succeeded"}
        assert payloads["customer.created"]["data"] == res.json()["data"]  # the object as the API returned it
        assert payloads["invoice.created"]["data"]["uuid"] == invoice.json()["data"]["uuid"]
        assert payloads["payment.succeeded"]["data"]["id"] == payment.json()["data"]["id"]
        for payload in payloads.values():
            assert payload["livemode"] is False and payload["team"] == ready.account.team_id
            assert payload["event"] == payload["type"] and payload["id"].startswith("evt_")
        assert client_id and all(d.status == "succeeded" for d in deliveries(webhook_id))

    def test_only_subscribed_types_are_sent(self, ready: Ready) -> None:
        with receiver() as rx:
            make_webhook(ready.client, ready.headers, rx.url, events=["invoice.created"])
            ready.client.post("/v2/clients", headers=ready.headers, json={"legal_name": "PUBLICO EN GENERAL"})
            ready.create()
            run_jobs()
            assert rx.types() == ["invoice.created"]

    def test_test_events_go_to_test_webhooks_only(self, client: TestClient) -> None:
        acct = create_account()
        with receiver() as test_rx:
            make_webhook(client, acct.headers(), test_rx.url)
            live_id, _ = make_webhook(client, acct.headers(live=True), "https://hooks.invalid/live")
            client.post("/v2/clients", headers=acct.headers(), json={"legal_name": "PUBLICO TEST"})
            client.post("/v2/clients", headers=acct.headers(live=True), json={"legal_name": "PUBLICO LIVE"})
            run_jobs()
            assert [r.json["data"]["legal_name"] for r in test_rx.received] == ["PUBLICO TEST"]
            assert [d.event_type for d in deliveries(live_id)] == ["customer.created"]

    def test_inactive_webhook_gets_nothing(self, client: TestClient) -> None:
        acct = create_account()
        with receiver() as rx:
            webhook_id, _ = make_webhook(client, acct.headers(), rx.url, status="inactive")
            client.post("/v2/clients", headers=acct.headers(), json={"legal_name": "PUBLICO EN GENERAL"})
            run_jobs()
            assert rx.received == [] and deliveries(webhook_id) == []


class TestRetries:
    def test_500_500_200_arrives_on_the_third_attempt(self, client: TestClient) -> None:
        acct = create_account()
        counted = {o: metrics.WEBHOOK_DELIVERIES.labels(o)._value.get() for o in ("retrying", "succeeded")}
        with receiver([500, 500, 200]) as rx:
            webhook_id, secret = make_webhook(client, acct.headers(), rx.url)
            client.post("/v2/clients", headers=acct.headers(), json={"legal_name": "PUBLICO EN GENERAL"})
            run_jobs()
            [first] = deliveries(webhook_id)
            assert (first.status, first.attempts) == ("retrying", 1)
            assert delivery.attempt(first.id)[0] == "not_due"  # the backoff is respected
            status, retry_at = delivery.attempt(first.id, now=first.next_attempt_at)
            assert status == "retrying" and retry_at is not None
            wait1, wait2 = first.next_attempt_at - (first.first_attempt_at or 0), retry_at - first.next_attempt_at
            assert wait2 > wait1  # exponential
            assert delivery.attempt(first.id, now=retry_at) == ("succeeded", None)
            assert len(rx.received) == 3 and len(set(rx.ids())) == 1  # one message, three tries
            assert rx.received[-1].verify(secret)["type"] == "customer.created"
        # /metrics counts every attempt by its outcome
        assert metrics.WEBHOOK_DELIVERIES.labels("retrying")._value.get() == counted["retrying"] + 2
        assert metrics.WEBHOOK_DELIVERIES.labels("succeeded")._value.get() == counted["succeeded"] + 1

    def test_gives_up_after_three_days(self, client: TestClient) -> None:
        acct = create_account()
        with receiver([503]) as rx:
            webhook_id, _ = make_webhook(client, acct.headers(), rx.url)
            client.post("/v2/clients", headers=acct.headers(), json={"legal_name": "PUBLICO EN GENERAL"})
            run_jobs()
            [row] = deliveries(webhook_id)
            start = row.first_attempt_at or 0
            assert delivery.attempt(row.id, now=start + DAY_MS)[0] == "retrying"
            assert delivery.attempt(row.id, now=start + 3 * DAY_MS) == ("failed", None)
            assert len(rx.received) == 3

    def test_endpoint_failing_for_five_days_is_disabled_and_admins_emailed(self, client: TestClient) -> None:
        acct = create_account()
        with receiver([500]) as rx:
            pass  # its port is now closed: connections are refused
        webhook_id, _ = make_webhook(client, acct.headers(), rx.url)
        for _ in range(2):
            client.post("/v2/clients", headers=acct.headers(), json={"legal_name": "PUBLICO EN GENERAL"})
        run_jobs()
        first, second = deliveries(webhook_id)
        assert first.status == "retrying" and second.status == "retrying"
        start = first.first_attempt_at or 0
        with session_scope(get_settings().db_url) as session:  # the second event came four days later
            later = session.get(type(second), second.id)
            assert later is not None
            later.first_attempt_at = later.next_attempt_at = start + 4 * DAY_MS
        assert delivery.attempt(second.id, now=start + 5 * DAY_MS)[0] == "retrying"
        res = client.get(f"/v2/webhooks/{webhook_id}", headers=acct.headers()).json()["data"]
        assert res["status"] == "disabled" and res["disabled_at"] == start + 5 * DAY_MS
        with session_scope(get_settings().db_url) as session:
            mails = session.scalars(select(EmailMessage).where(EmailMessage.team_id == acct.team_id)).all()
            assert [m.subject for m in mails] == [f"Webhook disabled: {rx.url}"]
        assert delivery.attempt(first.id, now=start + 5 * DAY_MS)[0] == "skipped"
        res = client.put(f"/v2/webhooks/{webhook_id}", headers=acct.headers(), json={"status": "active"})
        assert res.json()["data"]["status"] == "active"


class TestReceiverDown:
    def test_a_hanging_receiver_does_not_hold_the_request(self, client: TestClient) -> None:
        acct = create_account()
        hold = threading.Event()
        with receiver(hold=hold) as rx:
            webhook_id, _ = make_webhook(client, acct.headers(), rx.url)
            res = client.post("/v2/clients", headers=acct.headers(), json={"legal_name": "PUBLICO EN GENERAL"})
            # The request answered while the receiver would hang any delivery: none was attempted on its path.
            assert res.status_code == 201
            assert deliveries(webhook_id) == [] and rx.received == [] and huey.pending_count() >= 1
            hold.set()
            run_jobs()
            assert rx.types() == ["customer.created"]

    def test_refused_connection_is_retried(self, client: TestClient) -> None:
        acct = create_account()
        with receiver() as rx:
            url = rx.url
        webhook_id, _ = make_webhook(client, acct.headers(), url)
        client.post("/v2/clients", headers=acct.headers(), json={"legal_name": "PUBLICO EN GENERAL"})
        run_jobs()
        [row] = deliveries(webhook_id)
        assert row.status == "retrying"
        log = client.get(f"/v2/webhooks/{webhook_id}/deliveries", headers=acct.headers()).json()["data"]
        assert log[0]["error_category"] == "endpoint_unavailable" and log[0]["response_code"] is None


class TestSafety:
    def test_redirects_are_not_followed(self, client: TestClient) -> None:
        acct = create_account()
        with receiver() as target, receiver([302], redirect_to=None) as rx:
            rx.redirect_to = target.url
            webhook_id, _ = make_webhook(client, acct.headers(), rx.url)
            client.post(f"/v2/webhooks/{webhook_id}/test", headers=acct.headers())
            run_jobs()
            assert len(rx.received) == 1 and target.received == []
        log = client.get(f"/v2/webhooks/{webhook_id}/deliveries", headers=acct.headers()).json()["data"]
        assert log[0]["error_category"] == "redirect" and log[0]["response_code"] == 302

    def test_private_address_refused_at_delivery_when_not_allowed(self, client: TestClient,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
        acct = create_account()
        with receiver() as rx:
            webhook_id, _ = make_webhook(client, acct.headers(), rx.url)
            monkeypatch.setattr(get_settings(), "webhooks_allow_private", False)
            client.post(f"/v2/webhooks/{webhook_id}/test", headers=acct.headers())
            run_jobs()
            assert rx.received == []
        log = client.get(f"/v2/webhooks/{webhook_id}/deliveries", headers=acct.headers()).json()["data"]
        assert log[0]["error_category"] == "private_host"

    def test_secret_is_stored_encrypted(self, client: TestClient) -> None:
        acct = create_account()
        webhook_id, secret = make_webhook(client, acct.headers(), "https://example.com/a")
        with session_scope(get_settings().db_url) as session:
            row = session.get(Webhook, webhook_id)
            assert row is not None and secret.encode() not in row.secret_enc
            assert secret.split("_", 1)[1].encode() not in row.secret_enc


class TestOrderPerObject:
    def test_a_later_event_of_the_object_waits_for_the_earlier_one(self, client: TestClient) -> None:
        acct = create_account()
        with receiver([500, 200]) as rx:
            webhook_id, secret = make_webhook(client, acct.headers(), rx.url)
            made = client.post("/v2/clients", headers=acct.headers(), json={"legal_name": "PUBLICO EN GENERAL"})
            client_id = made.json()["data"]["id"]
            client.put(f"/v2/clients/{client_id}", headers=acct.headers(), json={"email": "a@example.com"})
            other = client.post("/v2/clients", headers=acct.headers(), json={"legal_name": "OTRO CLIENTE"})
            run_jobs()
            created, updated, unrelated = deliveries(webhook_id)
            # the create failed once; the update of the same client waits for it, another client's event does not
            assert (created.status, updated.status, unrelated.status) == ("retrying", "pending", "succeeded")
            assert [r.json["type"] for r in rx.received] == ["customer.created", "customer.created"]
            assert delivery.attempt(updated.id)[0] == "waiting"
            assert len(rx.received) == 2  # nothing sent while it waits
            assert delivery.attempt(created.id, now=created.next_attempt_at) == ("succeeded", None)
            assert delivery.next_in_line(created.id) == updated.id
            assert delivery.attempt(updated.id)[0] == "succeeded"
            assert [r.verify(secret)["type"] for r in rx.received] == [
                "customer.created", "customer.created", "customer.created", "customer.updated"]
            assert rx.received[-1].json["data"]["id"] == client_id
            assert other.json()["data"]["id"] == rx.received[1].json["data"]["id"]
