"""The Webhooks API (spec §2.9): the object, the secret shown once, validation and safety of URLs."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.factories import create_account, create_key, run_jobs
from tests.webhooks.helpers import deliveries, make_webhook
from tests.webhooks.receiver import receiver
from timbre.webhooks import delivery as delivery_use_case


class TestCreate:
    def test_returns_the_spec_object_and_the_secret_once(self, client: TestClient) -> None:
        acct = create_account()
        res = client.post("/v2/webhooks", headers=acct.headers(),
                          json={"url": "https://example.com/hook", "events": ["invoice.created"],
                                "description": "ERP"})
        assert res.status_code == 201, res.text
        body = res.json()
        assert body["message"] == "Webhook created successfully"
        data = body["data"]
        assert data["id"].startswith("wh_") and data["secret"].startswith("whsec_")
        assert data["url"] == "https://example.com/hook" and data["events"] == ["invoice.created"]
        assert data["status"] == "active" and data["owner"] == acct.user_id and data["livemode"] is False
        assert data["created_at"] > 10**12  # ms, as gigstack shows webhooks
        shown = client.get(f"/v2/webhooks/{data['id']}", headers=acct.headers()).json()["data"]
        assert "secret" not in shown and shown["id"] == data["id"]

    def test_no_events_means_all_and_old_names_are_mapped(self, client: TestClient) -> None:
        acct = create_account()
        res = client.post("/v2/webhooks", headers=acct.headers(),
                          json={"url": "https://example.com/a", "events": ["invoice.cancelled", "payment.cancelled"]})
        assert res.json()["data"]["events"] == ["invoice.canceled", "payment.canceled"]
        res = client.post("/v2/webhooks", headers=acct.headers(), json={"url": "https://example.com/b"})
        assert res.json()["data"]["events"] == []

    def test_unknown_event_type_is_422(self, client: TestClient) -> None:
        acct = create_account()
        res = client.post("/v2/webhooks", headers=acct.headers(),
                          json={"url": "https://example.com/a", "events": ["invoice.exploded"]})
        assert res.status_code == 422 and "invoice.exploded" in res.text

    def test_live_webhook_needs_https(self, client: TestClient) -> None:
        acct = create_account()
        res = client.post("/v2/webhooks", headers=acct.headers(live=True), json={"url": "http://example.com/a"})
        assert res.status_code == 400
        assert res.json()["error"]["details"][0]["rule"] == "protocol"

    def test_live_webhook_to_a_private_address_is_refused(self, client: TestClient) -> None:
        acct = create_account()
        for url in ("https://127.0.0.1/hook", "https://10.1.2.3/hook", "https://169.254.169.254/latest",
                    "https://[::1]/hook", "https://localhost/hook"):
            res = client.post("/v2/webhooks", headers=acct.headers(live=True), json={"url": url})
            assert res.status_code == 400, url
            assert res.json()["error"]["details"][0]["rule"] == "private_host"

    def test_test_mode_may_point_at_localhost(self, client: TestClient) -> None:
        acct = create_account()
        res = client.post("/v2/webhooks", headers=acct.headers(), json={"url": "http://127.0.0.1:9/hook"})
        assert res.status_code == 201

    def test_credentials_in_url_are_refused(self, client: TestClient) -> None:
        acct = create_account()
        res = client.post("/v2/webhooks", headers=acct.headers(), json={"url": "https://u:p@example.com/a"})
        assert res.status_code == 400 and res.json()["error"]["details"][0]["rule"] == "userinfo"

    def test_viewer_key_cannot_create(self, client: TestClient) -> None:
        acct = create_account()
        viewer = create_key(acct.team_id, role="viewer")
        res = client.post("/v2/webhooks", headers={"Authorization": f"Bearer {viewer}"},
                          json={"url": "https://example.com/a"})
        assert res.status_code == 403


class TestList:
    def test_lists_the_modes_own_webhooks_with_status_filter(self, client: TestClient) -> None:
        acct = create_account()
        make_webhook(client, acct.headers(), "https://example.com/1")
        make_webhook(client, acct.headers(), "https://example.com/2", status="inactive")
        make_webhook(client, acct.headers(live=True), "https://example.com/live")
        res = client.get("/v2/webhooks", headers=acct.headers())
        assert res.status_code == 200
        assert sorted(w["url"] for w in res.json()["data"]) == ["https://example.com/1", "https://example.com/2"]
        res = client.get("/v2/webhooks", headers=acct.headers(), params={"status": "inactive", "limit": 5})
        assert [w["url"] for w in res.json()["data"]] == ["https://example.com/2"]

    def test_another_team_sees_none(self, client: TestClient) -> None:
        acct, other = create_account(), create_account("Otra")
        webhook_id, _ = make_webhook(client, acct.headers(), "https://example.com/1")
        assert client.get("/v2/webhooks", headers=other.headers()).json()["data"] == []
        assert client.get(f"/v2/webhooks/{webhook_id}", headers=other.headers()).status_code == 404


class TestUpdate:
    def test_updates_the_fields_given(self, client: TestClient) -> None:
        acct = create_account()
        webhook_id, _ = make_webhook(client, acct.headers(), "https://example.com/1", description="a")
        res = client.put(f"/v2/webhooks/{webhook_id}", headers=acct.headers(),
                         json={"events": ["payment.succeeded"], "status": "inactive"})
        assert res.status_code == 200, res.text
        data = res.json()["data"]
        assert data["events"] == ["payment.succeeded"] and data["status"] == "inactive"
        assert data["description"] == "a" and data["url"] == "https://example.com/1"

    def test_url_is_checked_again(self, client: TestClient) -> None:
        acct = create_account()
        webhook_id, _ = make_webhook(client, acct.headers(live=True), "https://example.com/1")
        res = client.put(f"/v2/webhooks/{webhook_id}", headers=acct.headers(live=True),
                         json={"url": "http://example.com/1"})
        assert res.status_code == 400


class TestDelete:
    def test_deleted_is_gone(self, client: TestClient) -> None:
        acct = create_account()
        webhook_id, _ = make_webhook(client, acct.headers(), "https://example.com/1")
        res = client.delete(f"/v2/webhooks/{webhook_id}", headers=acct.headers())
        assert res.status_code == 200 and res.json()["data"] == {"id": webhook_id, "deleted": True}
        assert client.get(f"/v2/webhooks/{webhook_id}", headers=acct.headers()).status_code == 404
        assert client.delete(f"/v2/webhooks/{webhook_id}", headers=acct.headers()).status_code == 404


class TestRotateSecret:
    def test_both_secrets_verify_for_a_day(self, client: TestClient) -> None:
        acct = create_account()
        with receiver() as rx:
            webhook_id, old = make_webhook(client, acct.headers(), rx.url)
            res = client.post(f"/v2/webhooks/{webhook_id}/rotate-secret", headers=acct.headers())
            assert res.status_code == 200, res.text
            new = res.json()["data"]["secret"]
            assert new != old and new.startswith("whsec_")
            assert res.json()["data"]["previous_secret_expires_at"] > 0
            client.post(f"/v2/webhooks/{webhook_id}/test", headers=acct.headers())
            run_jobs()
            [got] = rx.received
            assert len(got.headers["webhook-signature"].split(" ")) == 2
            assert got.verify(new)["type"] == "webhook.test"
            assert got.verify(old)["data"]["webhook"] == webhook_id


class TestSendTest:
    def test_sends_a_signed_test_event_to_that_webhook_only(self, client: TestClient) -> None:
        acct = create_account()
        with receiver() as rx, receiver() as other:
            webhook_id, secret = make_webhook(client, acct.headers(), rx.url, events=["invoice.created"])
            make_webhook(client, acct.headers(), other.url)
            res = client.post(f"/v2/webhooks/{webhook_id}/test", headers=acct.headers())
            assert res.status_code == 202, res.text
            assert rx.received == []  # sent by a job, not by the request
            run_jobs()
            [got] = rx.received
            payload = got.verify(secret)
            assert payload["type"] == payload["event"] == "webhook.test" and payload["livemode"] is False
            assert got.headers["webhook-id"] == res.json()["data"]["event_id"]
            assert other.received == []


class TestDeliveryLog:
    def test_every_attempt_is_listed(self, client: TestClient) -> None:
        acct = create_account()
        with receiver([500, 200], answer=b"x" * 5000) as rx:
            webhook_id, _ = make_webhook(client, acct.headers(), rx.url)
            client.post(f"/v2/webhooks/{webhook_id}/test", headers=acct.headers())
            run_jobs()
            [delivery] = deliveries(webhook_id)
            assert delivery_use_case.attempt(delivery.id, now=delivery.next_attempt_at)[0] == "succeeded"
        res = client.get(f"/v2/webhooks/{webhook_id}/deliveries", headers=acct.headers())
        assert res.status_code == 200, res.text
        rows = res.json()["data"]
        assert [(r["attempt"], r["status"], r["response_code"]) for r in rows] == [(2, "succeeded", 200),
                                                                                  (1, "failed", 500)]
        assert all(len(r["response_body"]) == 1024 for r in rows)  # the first 1 KB only
        assert rows[1]["error_category"] == "http_response" and rows[0]["latency_ms"] >= 0
