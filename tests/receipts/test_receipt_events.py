"""Receipt events are recorded with the change: created, updated (edited, reopened), completed (invoiced by
name), deleted (cancelled); `data` is the receipt as the API shows it."""

from __future__ import annotations

from typing import Any

from tests.invoices.conftest import Ready
from tests.receipts.helpers import make_receipt


def _events(ready: Ready, receipt_id: str) -> list[dict[str, Any]]:
    res = ready.client.get("/v2/events", headers=ready.headers, params={"object_id": receipt_id, "limit": 50})
    assert res.status_code == 200, res.text
    return list(reversed(res.json()["data"]))  # oldest first


class TestReceiptEvents:
    def test_create_update_cancel_reopen(self, ready: Ready) -> None:
        receipt = make_receipt(ready)
        rid = receipt["id"]
        assert ready.client.put(f"/v2/receipts/{rid}", headers=ready.headers,
                                json={"metadata": {"order": "A-1"}}).status_code == 200
        assert ready.client.delete(f"/v2/receipts/{rid}", headers=ready.headers).status_code == 200
        assert ready.client.post(f"/v2/receipts/{rid}/reopen", headers=ready.headers,
                                 json={"reason": "customer came back"}).status_code == 200
        events = _events(ready, rid)
        assert [e["type"] for e in events] == ["receipt.created", "receipt.updated", "receipt.deleted",
                                               "receipt.updated"]
        assert events[0]["data"]["id"] == rid and events[0]["data"]["total"] == receipt["total"]
        assert events[1]["data"]["metadata"] == {"order": "A-1"}
        assert events[2]["data"]["status"] == "cancelled" and events[3]["data"]["status"] == "pending"

    def test_invoiced_by_name_is_completed(self, ready: Ready) -> None:
        rid = make_receipt(ready, client={"id": ready.client_id})["id"]
        res = ready.client.post(f"/v2/receipts/{rid}/stamp", headers=ready.headers, json={})
        assert res.status_code in (200, 201), res.text
        events = _events(ready, rid)
        assert [e["type"] for e in events] == ["receipt.created", "receipt.completed"]
        assert events[1]["data"]["status"] == "invoiced"
