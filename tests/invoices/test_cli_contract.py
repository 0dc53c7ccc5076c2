"""The invoice rows of client-contract.md: what gigstack's CLI sends, and the fields it reads back."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.factories import run_jobs
from tests.invoices.checks import assert_valid_cfdi, download
from tests.invoices.conftest import Ready
from tests.mail import smtp_server
from timbre.config import get_settings
from timbre.kit.db import session_scope
from timbre.models import EmailMessage

CLI_HEADERS = {"Content-Type": "application/json"}


def cli_create(ready: Ready, **extra: Any) -> Any:
    """`gigstack invoices create`, byte for byte what the CLI builds."""
    body = {"client": {"id": ready.client_id},
            "items": [{"description": "Consultoría", "quantity": 1, "unit_price": 1500, "product_key": "80141503",
                       "unit_key": "E48", "taxes": [{"type": "IVA", "rate": 0.16, "factor": "Tasa",
                                                     "withholding": False}]}],
            "payment_form": "03", "payment_method": "PUE", "use": "G03", "currency": "MXN", **extra}
    return ready.client.post("/v2/invoices/income", headers={**ready.headers, **CLI_HEADERS}, json=body)


def test_create_get_list_search_files_cancel_as_the_cli_does(ready: Ready) -> None:
    created = cli_create(ready, series="A", send_email=False)
    assert created.status_code == 201
    data = created.json()["data"]
    assert (data["total"], data["currency"]) == (1740.0, "MXN") and data["uuid"] and data["id"]

    # invoices get / explain
    got = ready.client.get(f"/v2/invoices/income/{data['uuid']}", headers=ready.headers).json()["data"]
    for field in ("uuid", "id", "status", "subtotal", "total", "currency", "payment_method", "payment_form", "series",
                  "folio_number", "last_balance", "payment_complements", "created_at", "cancellation_status",
                  "cancellation_receipt"):
        assert field in got, field
    assert {"legal_name", "name", "tax_id", "email"} <= set(got["client"])
    assert got["client"]["tax_id"] == "XIQB891116QE4" and isinstance(got["created_at"], int)

    # invoices list (the CLI always sends limit, and created[gte] in seconds)
    listed = ready.client.get("/v2/invoices/income", headers=ready.headers, params={
        "limit": "20", "status": "valid", "client_id": ready.client_id, "series": "A",
        "created[gte]": str(int(time.time()) - 3600)}).json()
    assert isinstance(listed["data"], list) and listed["has_more"] is False and listed["total_results"] == 1
    assert "next" in listed
    row = listed["data"][0]
    for field in ("uuid", "id", "total", "currency", "payment_method", "status", "created_at", "last_balance",
                  "payment_complements"):
        assert field in row
    assert row["client"]["legal_name"] == "BERENICE XIMO QUEZADA"
    # forecast: PPD only
    assert ready.client.get("/v2/invoices/income", headers=ready.headers,
                            params={"payment_method": "PPD"}).json()["data"] == []

    # invoices search
    found = ready.client.get("/v2/invoices/search", headers=ready.headers, params={"q": "berenice"}).json()
    assert [i["uuid"] for i in found["data"]] == [data["uuid"]]

    # invoices files / download: plain GETs, no Authorization header
    files = ready.client.get(f"/v2/invoices/{data['uuid']}/files", headers=ready.headers).json()["data"]
    assert_valid_cfdi(download(ready.client, files["xml"]).content)
    assert download(ready.client, files["pdf"]).content.startswith(b"%PDF")

    # invoices send: JSON answer with recipients and attachments
    sent = ready.client.post(f"/v2/invoices/{data['uuid']}/send", headers=ready.headers,
                             json={"emails": ["conta@example.com"]})
    assert sent.status_code == 200 and sent.json()["data"]["recipients"] == ["conta@example.com"]
    assert len(sent.json()["data"]["attachments"]) == 2

    # invoices cancel: DELETE with a JSON body, and a JSON answer
    cancelled = ready.client.request("DELETE", f"/v2/invoices/{data['uuid']}", headers={**ready.headers, **CLI_HEADERS},
                                     json={"motive": "02"})
    assert cancelled.status_code == 200 and cancelled.json()["data"]["status"] == "cancelled"


def test_credit_notes_list_and_doctor(ready: Ready) -> None:
    invoice = cli_create(ready).json()["data"]
    note = ready.create("egress", use="G02", related_documents=[{"relationship": "01", "documents": [invoice["uuid"]]}])
    assert note.status_code == 201
    listed = ready.client.get("/v2/invoices/egress", headers=ready.headers, params={"limit": "20"}).json()["data"]
    (row,) = listed
    assert {"uuid", "id", "total", "currency", "status"} <= set(row) and row["client"]["legal_name"]
    doctor = ready.client.get("/v2/invoices/income", headers=ready.headers, params={"limit": "1"})
    assert doctor.status_code == 200 and doctor.headers["content-type"].startswith("application/json")


def test_errors_read_as_the_cli_prints_them(ready: Ready) -> None:
    res = cli_create(ready, use="Z99")
    body = res.json()
    assert res.status_code == 400 and body["success"] is False
    assert "CFDI40160" in body["error"]["message"] and body["message"]
    missing = ready.client.post("/v2/invoices/income", headers=ready.headers, json={"items": []})
    assert missing.status_code == 422 and "client" in missing.json()["error"]["message"]


def test_send_email_on_create_goes_out_after_commit(ready: Ready, monkeypatch: pytest.MonkeyPatch) -> None:
    created = cli_create(ready, send_email=True, emails=["ap@example.com"]).json()["data"]
    assert created["status"] == "valid"
    with smtp_server() as inbox:
        monkeypatch.setattr(get_settings(), "smtp_url", inbox.url)
        run_jobs()
    with session_scope(get_settings().db_url) as session:
        messages = session.query(EmailMessage).filter(EmailMessage.team_id == ready.account.team_id).all()
        assert [m.to for m in messages] == ["ap@example.com"]
        assert messages[0].status == "sent" and messages[0].body == ""  # its links are not kept at rest
    assert len(inbox.messages) == 1 and "/v2/files/" in inbox.messages[0]


def test_send_without_recipients(ready: Ready) -> None:
    data = ready.create(client={"legal_name": "UNIVERSIDAD ROBOTICA ESPAÑOLA", "tax_id": "URE180429TM6",
                                "tax_system": "601", "address": {"zip": "86991"}}).json()["data"]
    res = ready.client.post(f"/v2/invoices/{data['uuid']}/send", headers=ready.headers, content=b"",
                            params={})
    assert res.status_code == 400 and res.json()["error"]["code"] == "no_recipients"


class TestLists:
    def test_pagination_ordering_and_filters(self, ready: Ready) -> None:
        for _ in range(3):
            assert ready.create().status_code == 201
        ppd = ready.create(payment_method="PPD", payment_form="99", metadata={"k": "v"}).json()["data"]
        page = ready.client.get("/v2/invoices/income", headers=ready.headers,
                                params={"limit": 2, "order_by": "folio_number", "sort": "asc"}).json()
        assert [i["folio_number"] for i in page["data"]] == [1, 2] and page["has_more"] and page["total_results"] == 4
        rest = ready.client.get("/v2/invoices/income", headers=ready.headers,
                                params={"limit": 2, "order_by": "folio_number", "sort": "asc",
                                        "next": page["next"]}).json()
        assert [i["folio_number"] for i in rest["data"]] == [3, 4] and not rest["has_more"]
        only = ready.client.get("/v2/invoices/income", headers=ready.headers, params={"payment_method": "ppd"}).json()
        assert [i["uuid"] for i in only["data"]] == [ppd["uuid"]]
        meta = ready.client.get("/v2/invoices/income", headers=ready.headers, params={"metadata_k": "v"}).json()
        assert meta["page"] == 1 and [i["uuid"] for i in meta["data"]] == [ppd["uuid"]]
        assert ready.client.get("/v2/invoices/income", headers=ready.headers,
                                params={"status": "nope"}).status_code == 422

    def test_search_by_folio_uuid_and_rfc(self, ready: Ready) -> None:
        first = ready.create().json()["data"]
        ready.create()
        for q in ("A-1", first["uuid"][:8], "XIQB891116QE4 A1"):
            found = ready.client.get("/v2/invoices/search", headers=ready.headers, params={"q": q}).json()
            assert first["uuid"] in [i["uuid"] for i in found["data"]], q
        assert ready.client.get("/v2/invoices/search", headers=ready.headers,
                                params={"q": "nadie"}).json()["data"] == []
        assert ready.client.get("/v2/invoices/search", headers=ready.headers).status_code == 422
