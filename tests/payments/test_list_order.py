"""Payment lists ordered by an exact decimal (`order_by=total`): numeric order on both databases (SQLite stores
the decimal as text), and a cursor that walks it."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from tests.invoices.conftest import Ready
from tests.payments.helpers import get, register
from timbre.kit.crypto import b64url, b64url_decode

AMOUNTS = ("5", "20", "100", "1000.5", "1000.25", "9.99", "20")


def _walk(ready: Ready, sort: str) -> list[tuple[float, str]]:
    seen: list[tuple[float, str]] = []
    params: dict[str, Any] = {"order_by": "total", "sort": sort, "limit": 2}
    while True:
        body = get(ready, "/payments", **params)
        seen += [(p["total"], p["id"]) for p in body["data"]]
        if not body["has_more"]:
            return seen
        params["next"] = body["next"]


class TestOrderByTotal:
    def test_pages_walk_the_totals_in_numeric_order_both_ways(self, ready: Ready) -> None:
        for amount in AMOUNTS:
            assert register(ready, items=None, amount=float(amount), automation_type="none").status_code == 201
        ascending = _walk(ready, "asc")
        assert [t for t, _ in ascending] == sorted(float(a) for a in AMOUNTS)
        descending = _walk(ready, "desc")
        assert descending == sorted(ascending, key=lambda p: (p[0], p[1]), reverse=True)
        assert len({i for _, i in ascending}) == len(AMOUNTS)

    def test_a_cursor_whose_total_is_not_a_number_is_a_400(self, ready: Ready) -> None:
        for amount in ("1", "2", "3"):
            register(ready, items=None, amount=float(amount), automation_type="none")
        cursor = get(ready, "/payments", order_by="total", limit=1)["next"]
        order_by, sort, value, row_id = json.loads(b64url_decode(cursor))
        assert (order_by, sort, Decimal(value)) == ("total", "desc", 3)  # the exact decimal, as a string
        for forged in ("NaN", "abc", 3.5, None, "1e999999"):
            bad = b64url(json.dumps([order_by, sort, forged, row_id]).encode())
            res = ready.client.get("/v2/payments", headers=ready.headers,
                                   params={"order_by": "total", "limit": 1, "next": bad})
            assert res.status_code == 400, (forged, res.text)
            assert res.json()["error"]["message"] == "The `next` cursor is malformed"
