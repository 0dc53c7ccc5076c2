"""`DELETE /invoices/{uuid}`: SAT's cancellation motives, substitutes, dependent documents, the acuse."""

from __future__ import annotations

from typing import Any

import pytest

from tests.invoices.conftest import Ready
from timbre.cfdi.pac.sandbox import verify_acuse
from timbre.config import get_settings
from timbre.invoices import cancel as cancel_module
from timbre.kit.db import session_scope
from timbre.models import Invoice


def _stamped(ready: Ready, kind: str = "income", **body: Any) -> dict[str, Any]:
    res = ready.create(kind, **body)
    assert res.status_code == 201, res.text
    data: dict[str, Any] = res.json()["data"]
    return data


def _cancel(ready: Ready, ref: str, body: dict[str, Any]) -> Any:
    return ready.client.request("DELETE", f"/v2/invoices/{ref}", headers=ready.headers, json=body)


@pytest.mark.parametrize("motive", ["02", "03", "04"])
def test_motives_without_relation(ready: Ready, motive: str) -> None:
    invoice = _stamped(ready)
    res = _cancel(ready, invoice["uuid"], {"motive": motive})
    assert res.status_code == 200, res.text
    assert res.json()["message"] == "Invoice cancelled successfully"
    data = res.json()["data"]
    assert (data["status"], data["cancellation_status"]) == ("cancelled", "cancelled")
    assert data["cancellation"]["motive"] == motive and data["cancellation"]["sat_status"] == "201"
    assert data["cancellation_receipt"].startswith("http://testserver/v2/files/")
    with session_scope(get_settings().db_url) as session:
        row = session.get(Invoice, data["id"])
        assert row is not None and row.acuse_xml is not None and verify_acuse(row.acuse_xml)
        assert invoice["uuid"].encode() in row.acuse_xml
    fetched = ready.client.get(f"/v2/invoices/income/{invoice['uuid']}", headers=ready.headers).json()["data"]
    assert fetched["status"] == "cancelled"
    listed = ready.client.get("/v2/invoices/income", headers=ready.headers, params={"status": "cancelled"}).json()
    assert [i["uuid"] for i in listed["data"]] == [invoice["uuid"]]


def test_cancelling_twice_is_a_conflict(ready: Ready) -> None:
    invoice = _stamped(ready)
    assert _cancel(ready, invoice["uuid"], {"motive": "02"}).status_code == 200
    res = _cancel(ready, invoice["uuid"], {"motive": "02"})
    assert res.status_code == 409 and res.json()["error"]["code"] == "already_cancelled"


class TestSubstitution:
    def test_motive_01_needs_a_substitute(self, ready: Ready) -> None:
        invoice = _stamped(ready)
        res = _cancel(ready, invoice["uuid"], {"motive": "01"})
        assert res.status_code == 400 and res.json()["error"]["details"][0]["field"] == "substitution_uuid"

    def test_the_substitute_must_exist(self, ready: Ready) -> None:
        invoice = _stamped(ready)
        res = _cancel(ready, invoice["uuid"], {"motive": "01",
                                               "substitution_uuid": "5FB2822E-396D-4725-8521-CDC4BDD20CCF"})
        assert res.status_code == 400 and "not a valid invoice" in res.json()["error"]["message"]

    def test_the_substitute_must_relate_with_04(self, ready: Ready) -> None:
        invoice, unrelated = _stamped(ready), _stamped(ready)
        res = _cancel(ready, invoice["uuid"], {"motive": "01", "substitution_uuid": unrelated["uuid"]})
        assert res.status_code == 400 and "relationship 04" in res.json()["error"]["message"]

    def test_only_01_carries_a_substitute(self, ready: Ready) -> None:
        invoice, other = _stamped(ready), _stamped(ready)
        res = _cancel(ready, invoice["uuid"], {"motive": "02", "substitution_uuid": other["uuid"]})
        assert res.status_code == 400

    def test_substitution_with_the_clis_replacement_field(self, ready: Ready) -> None:
        invoice = _stamped(ready)
        substitute = _stamped(ready, related_documents=[{"relationship": "04", "documents": [invoice["uuid"]]}])
        res = _cancel(ready, invoice["uuid"], {"motive": "01", "replacement": substitute["uuid"]})
        assert res.status_code == 200, res.text
        assert res.json()["data"]["cancellation"]["substitution_uuid"] == substitute["uuid"]
        # the substitute itself stays valid and cancellable
        assert _cancel(ready, substitute["uuid"], {"motive": "02"}).status_code == 200

    def test_unknown_motive(self, ready: Ready) -> None:
        invoice = _stamped(ready)
        assert _cancel(ready, invoice["uuid"], {"motive": "07"}).status_code == 400
        assert _cancel(ready, invoice["uuid"], {}).status_code == 422


class TestDependents:
    def test_a_credit_note_blocks_cancelling_its_invoice(self, ready: Ready) -> None:
        invoice = _stamped(ready)
        note = _stamped(ready, "egress", use="G02",
                        related_documents=[{"relationship": "01", "documents": [invoice["uuid"]]}])
        res = _cancel(ready, invoice["uuid"], {"motive": "02"})
        assert res.status_code == 400
        assert res.json()["message"] == "Cannot cancel invoice" and note["uuid"] in res.json()["error"]["message"]
        assert _cancel(ready, note["uuid"], {"motive": "02"}).status_code == 200
        assert _cancel(ready, invoice["uuid"], {"motive": "02"}).status_code == 200

    def test_registered_checks_refuse_with_their_message(self, ready: Ready, monkeypatch: pytest.MonkeyPatch) -> None:
        """Payment complements (a later issue) plug in here; the spec's message reaches the client."""
        invoice = _stamped(ready, payment_method="PPD", payment_form="99")
        seen: list[str] = []

        def complements(_session: Any, target: Invoice) -> str | None:
            seen.append(target.uuid or "")
            return "Invoice has dependent payment complements"

        monkeypatch.setattr(cancel_module, "DEPENDENT_CHECKS", [*cancel_module.DEPENDENT_CHECKS, complements])
        res = _cancel(ready, invoice["uuid"], {"motive": "02"})
        assert res.status_code == 400
        assert res.json()["message"] == "Cannot cancel invoice"
        assert res.json()["error"]["message"] == "Invoice has dependent payment complements"
        assert seen == [invoice["uuid"]]


def test_only_stamped_invoices_and_known_ones(ready: Ready) -> None:
    assert _cancel(ready, "5FB2822E-396D-4725-8521-CDC4BDD20CCF", {"motive": "02"}).status_code == 404
    invoice = _stamped(ready)
    viewer = ready.client.request("DELETE", f"/v2/invoices/{invoice['uuid']}", json={"motive": "02"},
                                  headers=ready.account.headers(live=True))
    assert viewer.status_code == 404  # the live mode does not see test invoices
