"""Invoice lists: each listed invoice is byte for byte the one `GET` returns (payment complements, e-mails
and all), a page is the very bytes FastAPI would render for its `response_model`, a page costs the same few
queries whatever it holds, and metadata filters find their invoice."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import TypeAdapter
from sqlalchemy import event

from tests.complements.helpers import invoice, pay, ppd_invoice
from tests.conftest import DB_URL
from tests.invoices.conftest import Ready
from timbre.kit.db import get_engine
from timbre.kit.envelope import ListEnvelope


@pytest.fixture
def statements() -> Iterator[list[str]]:
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(str(args[2]))

    engine = get_engine(DB_URL)
    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


def _listed(ready: Ready, **params: Any) -> dict[str, Any]:
    res = ready.client.get("/v2/invoices/income", headers=ready.headers, params={"limit": 100, **params})
    assert res.status_code == 200, res.text
    body: dict[str, Any] = res.json()
    return body


class TestListedInvoices:
    def test_each_listed_invoice_is_byte_identical_to_its_get(self, ready: Ready) -> None:
        paid = ppd_invoice(ready)
        complements = [pay(ready, (paid["uuid"], amount)).json()["data"]["uuid"] for amount in (1000.0, 2000.0)]
        unpaid = ppd_invoice(ready, unit_price=500.0)
        plain = ready.create(metadata={"order": "A-1"}).json()["data"]
        listed = _listed(ready)["data"]
        assert [i["uuid"] for i in listed] == [plain["uuid"], unpaid["uuid"], paid["uuid"]]
        assert listed[2]["payment_complements"] == complements and listed[1]["payment_complements"] == []
        for item in listed:
            assert json.dumps(item) == json.dumps(invoice(ready, item["uuid"]))

    def test_a_page_of_3_or_6_paid_ppd_invoices_costs_the_same_queries(self, ready: Ready,
                                                                     statements: list[str]) -> None:
        counts = []
        for _ in range(2):
            for _ in range(3):
                paid = ppd_invoice(ready, unit_price=100.0)
                pay(ready, (paid["uuid"], 10.0))
            statements.clear()
            assert len(_listed(ready)["data"]) == len(counts) * 3 + 3
            counts.append(len(statements))
        assert counts[0] == counts[1]
        selected = [s.split("FROM")[0] for s in statements if "FROM invoices" in s]
        assert selected and not any(re.search(r"\binvoices\.xml\b", columns) for columns in selected)

    def test_a_metadata_filter_finds_its_invoice(self, ready: Ready) -> None:
        wanted = ready.create(metadata={"order": "A-1"}).json()["data"]
        ready.create(metadata={"order": "A-2"})
        ready.create(metadata={"order": "a-1"})
        body = _listed(ready, **{"metadata.order": "A-1"})
        assert [i["uuid"] for i in body["data"]] == [wanted["uuid"]]
        assert (body["total_results"], body["page"], body["has_more"]) == (1, 1, False)


class TestRenderedPage:
    def test_a_page_is_the_bytes_fastapi_renders_for_its_response_model(self, ready: Ready) -> None:
        paid = ppd_invoice(ready, unit_price=1234.57)
        pay(ready, (paid["uuid"], 10.07))
        ready.create(metadata={"order": "A-1", "nota": "año"},
                     items=[ready.item(), ready.item(description="Otro servicio ñ", quantity=3, unit_price=0.07)])
        adapter = TypeAdapter(ListEnvelope[dict[str, Any]])
        for path, params in (("/v2/invoices/income", {}), ("/v2/invoices/search", {"q": "A-1", "page": 1}),
                             ("/v2/payments", {})):
            res = ready.client.get(path, headers=ready.headers, params={"limit": 100, **params})
            assert res.status_code == 200, res.text
            assert res.headers["content-type"] == "application/json"
            assert res.content == adapter.dump_json(adapter.validate_json(res.content))
        body = _listed(ready)
        assert list(body) == list(ListEnvelope.model_fields)
        assert body["page"] is None and body["pagination"] == {"totalItems": 2}
        assert body["data"][0]["metadata"] == {"order": "A-1", "nota": "año"}
        assert [i["unit_price"] for i in body["data"][0]["items"]] == [1000.0, 0.07]
