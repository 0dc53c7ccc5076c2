"""Every list walked page by page under every ordering it offers, on a team that has a little of everything.

A cursor holds the last row's value of the ordering column: an exact decimal (`total`), a nullable column (a
nameless client, an unpaid payment's `succeeded_at`), a timestamp. Each walk must answer 200 on every page and
see every row exactly once, in order, both ways: the schema fuzz test cannot find a failure that needs data.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.invoices.conftest import Ready
from tests.payments.helpers import register
from tests.receipts.helpers import ITEM as RECEIPT_ITEM
from tests.receipts.helpers import make_receipt

LISTS: dict[str, tuple[str, ...]] = {
    "/v2/invoices/income": ("created_at", "timestamp", "folio_number", "total", "updated_at"),
    "/v2/invoices/egress": ("created_at", "folio_number", "total", "updated_at"),
    "/v2/invoices/payment": ("created_at", "folio_number", "updated_at"),
    "/v2/invoices/draft": ("created_at", "updated_at"),
    "/v2/payments": ("created_at", "total", "updated_at", "succeeded_at"),
    "/v2/receipts": ("created_at", "total", "updated_at", "valid_until"),
    "/v2/clients": ("created_at", "name", "legal_name", "email"),
    "/v2/services": ("created_at", "name", "description"),
}


def _seed(ready: Ready) -> None:
    post = ready.client.post
    for price in (1000.0, 250.5, 99.99):
        assert ready.create(items=[ready.item(unit_price=price)]).status_code == 201
    for reference in ("REF1", "REF2"):  # a PPD invoice and its payment complement each
        paid = register(ready, automation_type="payment_and_complement", operation_number=reference)
        assert paid.status_code == 201 and paid.json()["data"]["complement"]["status"] == "valid", paid.text
    for price in (100.0, 50.0):
        assert ready.create("egress", items=[ready.item(unit_price=price)]).status_code == 201
    for amount in (20.0, 5.0):
        assert register(ready, items=None, amount=amount, automation_type="none").status_code == 201
    assert ready.client.post("/v2/payments/request", headers=ready.headers, json={
        "client": {"id": ready.client_id}, "amount": 7.5, "currency": "MXN",
        "allowed_payment_methods": ["bank"], "automation_type": "none"}).status_code == 201  # never succeeded
    for quantity in (1, 3):
        make_receipt(ready, items=[{**RECEIPT_ITEM, "quantity": quantity}])
    for fields in ({"name": None, "email": None}, {"name": "Alfa", "email": "alfa@example.com"}):
        assert post("/v2/clients", headers=ready.headers, json=fields).status_code == 201
    for description, price in (("Zeta", 10.5), ("Alfa", 1500.25)):
        assert post("/v2/services", headers=ready.headers, json={
            "description": description, "unit_price": price, "product_key": "84111500",
            "unit_key": "E48"}).status_code == 201
    for currency in ("MXN", "USD"):
        assert post("/v2/invoices/draft", headers=ready.headers,
                    json={"invoice_type": "I", "currency": currency}).status_code == 201


def _walk(ready: Ready, path: str, order_by: str, sort: str) -> list[str]:
    seen: list[str] = []
    params: dict[str, Any] = {"order_by": order_by, "sort": sort, "limit": 1}
    while True:
        res = ready.client.get(path, headers=ready.headers, params=params)
        assert res.status_code == 200, (path, order_by, sort, res.text)
        body = res.json()
        seen += [row["id"] for row in body["data"]]
        if not body["has_more"]:
            return seen
        params["next"] = body["next"]


@pytest.fixture
def stocked(ready: Ready) -> Ready:
    _seed(ready)
    return ready


class TestEveryListWalks:
    def test_every_ordering_both_ways_sees_every_row_once(self, stocked: Ready) -> None:
        for path, orderings in LISTS.items():
            everything = stocked.client.get(path, headers=stocked.headers, params={"limit": 100}).json()
            ids = {row["id"] for row in everything["data"]}
            assert len(ids) >= 2, (path, everything)  # the seed gave every list something to walk
            for order_by in orderings:
                ascending = _walk(stocked, path, order_by, "asc")
                descending = _walk(stocked, path, order_by, "desc")
                assert sorted(ascending) == sorted(ids) and len(ascending) == len(ids), (path, order_by)
                assert descending == ascending[::-1], (path, order_by)
