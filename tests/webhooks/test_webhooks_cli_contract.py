"""The webhook rows of client-contract.md: `gigstack webhooks list/create/delete` and `doctor`."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.factories import create_account

CLI_HEADERS = {"Content-Type": "application/json"}


class TestWebhooksCommands:
    def test_create_list_delete_as_the_cli_does(self, client: TestClient) -> None:
        acct = create_account()
        headers = {**acct.headers(), **CLI_HEADERS}
        created = client.post("/v2/webhooks", headers=headers,
                              json={"url": "https://example.com/gigstack", "events": ["invoice.created"]})
        assert created.status_code == 201
        webhook_id = created.json()["data"]["id"]  # the CLI reads data.id
        assert webhook_id.startswith("wh_")
        listed = client.get("/v2/webhooks", headers=headers, params={"limit": "20"}).json()
        assert isinstance(listed["data"], list) and listed["has_more"] is False and "next" in listed
        assert listed["total_results"] == 1
        [row] = listed["data"]
        assert (row["id"], row["url"], row["events"]) == (webhook_id, "https://example.com/gigstack",
                                                          ["invoice.created"])
        deleted = client.delete(f"/v2/webhooks/{webhook_id}", headers=headers)
        assert deleted.status_code == 200 and deleted.json()["data"]["deleted"] is True
        assert client.get("/v2/webhooks", headers=headers).json()["data"] == []

    def test_create_without_events_receives_all(self, client: TestClient) -> None:
        acct = create_account()
        created = client.post("/v2/webhooks", headers={**acct.headers(), **CLI_HEADERS},
                              json={"url": "https://example.com/gigstack"})
        assert created.status_code == 201 and created.json()["data"]["events"] == []


class TestDoctor:
    def test_every_list_doctor_reads_answers_2xx_json(self, client: TestClient) -> None:
        acct = create_account()
        headers = {**acct.headers(), **CLI_HEADERS}
        res = client.get("/v2/webhooks", headers=headers)  # doctor sends no query here
        assert res.status_code == 200 and res.headers["content-type"].startswith("application/json")
        assert isinstance(res.json()["data"], list)
        for path in ("/v2/clients", "/v2/invoices/income", "/v2/payments", "/v2/services", "/v2/receipts"):
            res = client.get(path, headers=headers, params={"limit": "1"})
            assert res.status_code == 200 and res.headers["content-type"].startswith("application/json"), path
