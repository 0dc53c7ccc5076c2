"""Drafts (pre-facturas): create with only invoice_type, update (null clears), preview, stamp."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from tests.factories import _url
from tests.invoices.checks import assert_valid_cfdi, pdf_text, reddish_pixels
from tests.invoices.conftest import Ready
from timbre.kit.db import session_scope
from timbre.models import Series, Team

ITEM = {"description": "Consulting services", "quantity": 1, "unit_price": 1000.00, "product_key": "80141503",
        "unit_key": "E48", "taxes": [{"type": "IVA", "rate": 0.16}]}


def _draft(ready: Ready, **fields: Any) -> dict[str, Any]:
    res = ready.client.post("/v2/invoices/draft", headers=ready.headers, json={"invoice_type": "I", **fields})
    assert res.status_code == 201, res.text
    data: dict[str, Any] = res.json()["data"]
    return data


def _complete(ready: Ready) -> dict[str, Any]:
    return _draft(ready, client={"id": ready.client_id}, currency="MXN", items=[ITEM], use="G03",
                  payment_form="03", payment_method="PUE")


def _post(ready: Ready, path: str, body: Any = None) -> Any:
    return ready.client.post(f"/v2/invoices/draft{path}", headers=ready.headers, json=body)


def _usage(team_id: str) -> tuple[int, int]:
    with session_scope(_url()) as session:
        team = session.get(Team, team_id)
        assert team is not None
        counters = sum(s.counter_test for s in session.query(Series).filter(Series.team_id == team_id))
        return team.used_credits, counters


class TestCrud:
    def test_only_invoice_type_is_required(self, ready: Ready) -> None:
        draft = _draft(ready)
        assert draft["id"].startswith("draft_") and draft["draft"] is True and draft["status"] == "draft"
        assert draft["invoice_type"] == "I" and draft["items"] == [] and draft["created_at"] > 10**12
        missing = ready.client.post("/v2/invoices/draft", headers=ready.headers, json={"currency": "MXN"})
        assert missing.status_code == 422 and missing.json()["error"]["details"][0]["field"] == "invoice_type"

    def test_update_sets_fields_and_null_clears_them(self, ready: Ready) -> None:
        draft = _draft(ready, description="Proyecto", use="G03")
        res = ready.client.put(f"/v2/invoices/draft/{draft['id']}", headers=ready.headers,
                               json={"description": None, "client": {"id": ready.client_id}, "items": [ITEM]})
        assert res.status_code == 200, res.text
        data = res.json()["data"]
        assert "description" not in data and data["use"] == "G03"
        assert data["client"]["id"] == ready.client_id and data["client"]["name"] == "BERENICE XIMO QUEZADA"
        assert data["items"][0]["description"] == "Consulting services"
        got = ready.client.get(f"/v2/invoices/draft/{draft['id']}", headers=ready.headers).json()["data"]
        assert got == data

    def test_list_filters_and_delete(self, ready: Ready) -> None:
        one = _draft(ready, client={"id": ready.client_id})
        _draft(ready, invoice_type="E")
        listed = ready.client.get("/v2/invoices/draft", headers=ready.headers, params={"invoice_type": "E"}).json()
        assert listed["total_results"] == 1 and listed["data"][0]["invoice_type"] == "E"
        mine = ready.client.get("/v2/invoices/draft", headers=ready.headers, params={"client_id": ready.client_id})
        assert [d["id"] for d in mine.json()["data"]] == [one["id"]]
        res = ready.client.delete(f"/v2/invoices/draft/{one['id']}", headers=ready.headers)
        assert res.status_code == 200 and res.json()["data"] == {"id": one["id"], "deleted": True}
        assert ready.client.get(f"/v2/invoices/draft/{one['id']}", headers=ready.headers).status_code == 404


class TestAmounts:
    def test_a_draft_with_items_carries_its_amounts_as_numbers(self, ready: Ready) -> None:
        assert not {"subtotal", "taxes", "total"} & _draft(ready).keys()
        two = {**ITEM, "quantity": 2, "unit_price": 999.99, "discount": 10}
        draft = _draft(ready, items=[ITEM, two])
        assert (draft["subtotal"], draft["discount"], draft["taxes"], draft["total"]) == (2999.98, 10.0, 478.4,
                                                                                         3468.38)
        assert draft["taxes_withheld"] == 0.0
        assert draft["items"][0]["unit_price"] == 1000.0 and draft["items"][0]["taxes"][0]["rate"] == 0.16
        listed = ready.client.get("/v2/invoices/draft", headers=ready.headers).json()["data"]
        assert next(d for d in listed if d["id"] == draft["id"])["total"] == 3468.38

    def test_the_stamped_invoice_has_the_same_amounts(self, ready: Ready) -> None:
        draft = _complete(ready)
        res = _post(ready, f"/{draft['id']}/stamp")
        assert res.status_code == 201, res.text
        invoice = res.json()["data"]
        assert (invoice["subtotal"], invoice["taxes"], invoice["total"]) == (draft["subtotal"], draft["taxes"],
                                                                             draft["total"]) == (1000.0, 160.0, 1160.0)

    def test_an_item_that_cannot_be_priced_yet_leaves_them_out(self, ready: Ready) -> None:
        draft = _draft(ready, items=[{"description": "Sin precio"}])
        assert not {"subtotal", "taxes", "total"} & draft.keys()


class TestPreview:
    def test_a_watermarked_pdf_without_folio_or_credit(self, ready: Ready, tmp_path: Path) -> None:
        draft = _complete(ready)
        before = _usage(ready.account.team_id)
        res = _post(ready, f"/{draft['id']}/preview")
        assert res.status_code == 200, res.text
        data = res.json()["data"]
        assert data["draft_id"] == draft["id"] and data["watermark"] is True
        pdf = base64.b64decode(data["pdf_base64"])
        text = pdf_text(pdf)
        assert "PREFACTURA-0000-0000-0000-SINVALIDEZ" in text and "BERENICE XIMO QUEZADA" in text
        assert "1,160.00" in text
        assert reddish_pixels(pdf, tmp_path) > 100
        assert _usage(ready.account.team_id) == before
        assert ready.client.get(data["url"]).content == pdf

    def test_an_incomplete_draft_has_no_preview(self, ready: Ready) -> None:
        res = _post(ready, f"/{_draft(ready)['id']}/preview")
        assert res.status_code == 400
        assert res.json()["message"] == "Draft is incomplete — a client and at least one item are required to stamp"


class TestStamp:
    def test_a_complete_draft_becomes_an_invoice_once(self, ready: Ready) -> None:
        draft = _complete(ready)
        res = _post(ready, f"/{draft['id']}/stamp", {"send_email": False, "return_files": True})
        assert res.status_code == 201, res.text
        body = res.json()
        assert body["message"] == "Invoice created from draft"
        data = body["data"]
        assert data["status"] == "valid" and data["uuid"] and data["folio_number"] == 1 and data["total"] == 1160.0
        assert data["stamp"]["sello"] and data["draft_id"] == draft["id"]
        assert_valid_cfdi(base64.b64decode(data["files"]["xml"]))
        assert base64.b64decode(data["files"]["pdf"]).startswith(b"%PDF")
        got = ready.client.get(f"/v2/invoices/draft/{draft['id']}", headers=ready.headers).json()["data"]
        assert got["status"] == "stamped" and got["invoice"]["uuid"] == data["uuid"]
        again = _post(ready, f"/{draft['id']}/stamp")
        assert again.status_code == 409 and again.json()["invoice_id"] == data["id"]
        assert ready.client.put(f"/v2/invoices/draft/{draft['id']}", headers=ready.headers,
                                json={"use": "G01"}).status_code == 409
        assert ready.client.get("/v2/invoices/income", headers=ready.headers).json()["total_results"] == 1

    def test_bodiless_stamp_as_the_cli_sends_it(self, ready: Ready) -> None:
        draft = _complete(ready)
        res = ready.client.post(f"/v2/invoices/draft/{draft['id']}/stamp", content=b"",
                                headers={**ready.headers, "Content-Type": "application/json"})
        assert res.status_code == 201, res.text
        assert "files" not in res.json()["data"]

    def test_incomplete_draft_message(self, ready: Ready) -> None:
        draft = _draft(ready, client={"id": ready.client_id})
        res = _post(ready, f"/{draft['id']}/stamp")
        body = res.json()
        assert res.status_code == 400
        assert body["message"] == "Draft is incomplete — a client and at least one item are required to stamp"
        assert [d["field"] for d in body["error"]["details"]] == ["items"]

    def test_a_draft_breaking_sat_rules_stays_a_draft_with_every_violation(self, ready: Ready) -> None:
        bad_item = {**ITEM, "taxes": [{"type": "IVA", "rate": 0.15}]}
        draft = _draft(ready, client={"id": ready.client_id}, items=[bad_item, bad_item], payment_form="03",
                       exports="03")
        before = _usage(ready.account.team_id)
        res = _post(ready, f"/{draft['id']}/stamp")
        body = res.json()
        assert res.status_code == 400 and body["message"] == "Invoice breaks SAT rules", body
        fields = {d["field"] for d in body["error"]["details"]}
        assert {"items[0].taxes[0]", "items[1].taxes[0]"} <= {f.rsplit(".rate", 1)[0] for f in fields if f}
        got = ready.client.get(f"/v2/invoices/draft/{draft['id']}", headers=ready.headers).json()["data"]
        assert got["status"] == "draft" and got["invoice_id"] is None
        assert got["errors"] == body["error"]["details"]
        assert _usage(ready.account.team_id) == before

    def test_no_credits_left(self, ready: Ready) -> None:
        with session_scope(_url()) as session:
            team = session.get(Team, ready.account.team_id)
            assert team is not None
            team.credit_limit, team.used_credits = 1, 1
        res = _post(ready, f"/{_complete(ready)['id']}/stamp")
        body = res.json()
        assert res.status_code == 402
        assert (body["message"], body["error"]["message"]) == ("Team credit limit reached", "No remaining credits")
        assert (body["credit_limit"], body["used_credits"]) == (1, 1)


class TestStampEmail:
    def test_send_email_mails_the_invoice_and_false_does_not(self, ready: Ready) -> None:
        from tests.factories import run_jobs
        from timbre.models import EmailMessage

        quiet = _post(ready, f"/{_complete(ready)['id']}/stamp", {"send_email": False})
        assert quiet.status_code == 201
        run_jobs()
        with session_scope(_url()) as session:
            assert session.query(EmailMessage).count() == 0
        loud = _post(ready, f"/{_complete(ready)['id']}/stamp")
        assert loud.status_code == 201
        results = run_jobs()  # the invoice job, then its SMTP job (and the events' relay jobs)
        assert ["berenice@example.com"] in results and "recorded" in results
        with session_scope(_url()) as session:
            assert [m.to for m in session.query(EmailMessage).all()] == ["berenice@example.com"]
