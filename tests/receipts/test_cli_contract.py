"""The rows of gigstack's CLI contract for receipts, `clients portal`, `export receipts` and `doctor`: the
exact requests the CLI v0.3.1 sends, and the response fields it reads."""

from __future__ import annotations

import time
from typing import Any

from tests.invoices.conftest import Ready
from tests.receipts.helpers import make_receipt

JSON = {"Content-Type": "application/json"}


def _ok(res: Any) -> dict[str, Any]:
    assert res.status_code in (200, 201), res.text
    body: dict[str, Any] = res.json()
    assert body["success"] is True
    return body


class TestReceiptsRows:
    def test_list_with_the_cli_filters(self, ready: Ready) -> None:
        made = make_receipt(ready, client={"id": ready.client_id})
        listed = _ok(ready.client.get("/v2/receipts", headers=ready.headers, params={
            "limit": "20", "status": "pending", "client_id": ready.client_id,
            "created[gte]": str(int(time.time()) - 60), "created[lte]": str(int(time.time()) + 60)}))
        assert isinstance(listed["data"], list) and {"has_more", "next", "total_results"} <= set(listed)
        row = listed["data"][0]
        assert row["id"] == made["id"] and row["client"]["id"] == ready.client_id
        for key in ("total", "currency", "status", "validUntil", "created_at"):
            assert row[key] is not None, key
        assert row["created_at"] < 10**11 and row["validUntil"] > row["created_at"]

    def test_stamp_and_cancel_bodiless_read_data_id(self, ready: Ready) -> None:
        stamped = make_receipt(ready, client={"id": ready.client_id})
        data = _ok(ready.client.post(f"/v2/receipts/{stamped['id']}/stamp", headers=ready.headers | JSON))["data"]
        assert data["id"]
        cancelled = make_receipt(ready)
        data = _ok(ready.client.request("DELETE", f"/v2/receipts/{cancelled['id']}", headers=ready.headers | JSON))[
            "data"]
        assert data["id"] == cancelled["id"] and data["status"] == "cancelled"

    def test_export_pages_with_limit_100_and_next(self, ready: Ready) -> None:
        made = {make_receipt(ready)["id"] for _ in range(3)}
        seen: list[str] = []
        params: dict[str, str] = {"limit": "2"}
        while True:  # `export` uses limit=100; two per page walks the cursor here
            page = _ok(ready.client.get("/v2/receipts", headers=ready.headers, params=params))
            seen += [r["id"] for r in page["data"]]
            if not (page["has_more"] and page["next"]):
                break
            params = {"limit": "2", "next": page["next"]}
        assert sorted(seen) == sorted(made)
        assert _ok(ready.client.get("/v2/receipts", headers=ready.headers, params={"limit": "100"}))[
            "total_results"] == 3

    def test_doctor_reads_receipts_with_limit_1(self, ready: Ready) -> None:
        assert isinstance(_ok(ready.client.get("/v2/receipts", headers=ready.headers, params={"limit": "1"}))["data"],
                          list)


class TestClientsPortalRow:
    def test_by_id_and_by_email(self, ready: Ready) -> None:
        for body in ({"id": ready.client_id}, {"email": "berenice@example.com"}):
            data = _ok(ready.client.post("/v2/clients/customerportal", headers=ready.headers | JSON, json=body))[
                "data"]
            assert data["url"].startswith("http") and data["expires_at"] > time.time() + 4 * 86400
