"""The `sat …` rows of client-contract.md: what gigstack's CLI sends (every request with `Content-Type:
application/json`, bodiless POSTs with an empty body) and the fields it reads back."""

from __future__ import annotations

import base64

from fastapi.testclient import TestClient

from tests.invoices.conftest import Ready
from tests.satmirror.conftest import stamp
from tests.satmirror.helpers import import_zip, issued_xml

CLI = {"Content-Type": "application/json"}


def _cli(ready: Ready) -> dict[str, str]:
    return {**ready.headers, **CLI}


class TestSatCommands:
    def test_sat_list_and_get(self, client: TestClient, pair: tuple[Ready, Ready]) -> None:
        a, b = pair
        uuid = stamp(a)["uuid"]
        assert import_zip(client, b, {f"{uuid}.xml": issued_xml(uuid)}).status_code == 200
        params = {"limit": "20", "from": "2020-01-01", "to": "2030-12-31", "direction": "received",
                  "status": "Vigente", "invoice_type": "I", "issuer_rfc": "EKU9003173C9",
                  "receiver_rfc": "XIQB891116QE4"}
        body = client.get("/v2/invoices/sat", headers=_cli(b), params=params).json()
        [row] = body["data"]
        assert {"has_more", "next", "total_results"} <= set(body)
        assert (row["uuid"], row["direction"], row["invoice_type"], row["issuer"]["rfc"], row["receiver"]["rfc"],
                row["total"], row["currency"], row["status"], row["resource_status"]) == (
            uuid, "received", "I", "EKU9003173C9", "XIQB891116QE4", 2320.0, "MXN", "Vigente", "xml_downloaded")
        assert row["issuer"]["name"] and row["receiver"]["name"] and row["issue_date"]
        assert client.get(f"/v2/invoices/sat/{uuid}", headers=_cli(b)).json()["data"]["uuid"] == uuid

    def test_sat_retry_and_pdf(self, client: TestClient, pair: tuple[Ready, Ready]) -> None:
        a, _b = pair
        uuid = stamp(a)["uuid"]
        import_zip(client, a, {f"{uuid}.xml": issued_xml(uuid)})
        retry = client.post(f"/v2/invoices/sat/{uuid}/retry-xml", headers=_cli(a))
        assert retry.status_code == 200 and retry.json()["message"] and retry.json()["data"]["credit_charged"] is False
        pdf = client.post(f"/v2/invoices/sat/{uuid}/pdf", headers=_cli(a))
        assert pdf.status_code == 200 and base64.b64decode(pdf.json()["pdf"])[:5] == b"%PDF-"

    def test_sat_status_activate_deactivate(self, client: TestClient, pair: tuple[Ready, Ready]) -> None:
        a, _b = pair
        status = client.get("/v2/invoices/download/activate/status", headers=_cli(a)).json()["data"]
        assert {"status", "planIncludesFeature", "isActivated"} <= set(status)
        assert set(status["pricing"]) >= {"perDownload", "addonMonthly"}
        for path, kind in (("/v2/invoices/download/deactivate", "deactivated"),
                           ("/v2/invoices/download/activate", "activated")):
            res = client.post(path, headers=_cli(a))
            assert res.status_code == 200 and res.json()["message"] and res.json()["data"]["type"] == kind

    def test_sat_schedule_set_show_history(self, client: TestClient, pair: tuple[Ready, Ready]) -> None:
        a, _b = pair
        res = client.put("/v2/invoices/download/schedule", headers=_cli(a),
                         json={"enabled": True, "time": "21:00", "download_types": ["received"], "days_back": 7})
        assert res.status_code == 200, res.text
        shown = client.get("/v2/invoices/download/schedule", headers=_cli(a)).json()["data"]
        assert (shown["fiel_uploaded"], shown["registered"], shown["sat_completed"]) == (True, True, True)
        assert shown["sync_start_date"] and isinstance(shown["prodigia"], dict)
        assert shown["schedule"] == {**shown["schedule"], "enabled": True, "time": "21:00",
                                     "download_types": ["received"], "days_back": 7}
        history = client.get("/v2/invoices/download/schedule/history", headers=_cli(a)).json()["data"]["history"]
        assert isinstance(history, list)
