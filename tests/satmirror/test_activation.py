"""`sat status/activate/deactivate` and `sat schedule show/history/set` of gigstack's CLI, and the FIEL upload."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from tests.invoices.conftest import Ready
from tests.satmirror.conftest import Taxpayer, make_team, upload_fiel
from timbre.satmirror import tasks


@pytest.fixture
def fresh(client: TestClient, taxpayers: tuple[Taxpayer, Taxpayer]) -> Ready:
    return make_team(client, taxpayers[0], fiel=False)


class TestActivation:
    def test_status_activate_deactivate(self, client: TestClient, fresh: Ready) -> None:
        status = client.get("/v2/invoices/download/activate/status", headers=fresh.headers).json()["data"]
        assert status == {**status, "status": "needs_activation", "isActivated": False, "planIncludesFeature": True}
        assert set(status["pricing"]) == {"perDownload", "addonMonthly"}

        res = client.post("/v2/invoices/download/activate", headers={**fresh.headers, "Content-Type":
                                                                     "application/json"})
        assert res.status_code == 200 and res.json()["data"]["type"] == "activated" and res.json()["message"]
        assert client.get("/v2/invoices/download/activate/status", headers=fresh.headers).json()["data"][
            "status"] == "active"

        for _ in range(2):  # deactivating twice is fine
            res = client.post("/v2/invoices/download/deactivate", headers=fresh.headers)
            assert res.status_code == 200 and res.json()["data"]["type"] == "deactivated"
            assert res.json()["message"] == "Deactivated successfully (or already inactive)"
        assert client.get("/v2/invoices/download/activate/status", headers=fresh.headers).json()["data"][
            "isActivated"] is False

    def test_modes_are_separate(self, client: TestClient, fresh: Ready) -> None:
        client.post("/v2/invoices/download/activate", headers=fresh.headers)
        live = client.get("/v2/invoices/download/activate/status", headers=fresh.account.headers(live=True))
        assert live.json()["data"]["isActivated"] is False


class TestFiel:
    def test_the_team_s_fiel_is_stored_and_never_returned(self, client: TestClient, fresh: Ready,
                                                          taxpayers: tuple[Taxpayer, Taxpayer]) -> None:
        res = upload_fiel(client, fresh.headers, taxpayers[0].fiel)
        assert res.status_code == 200, res.text
        data = res.json()["data"]
        assert data["rfc"] == "EKU9003173C9" and data["registered"] is True and data["serial_number"]
        assert "key" not in data and "password" not in res.text
        schedule = client.get("/v2/invoices/download/schedule", headers=fresh.headers).json()["data"]
        assert schedule["fiel_uploaded"] is True and schedule["registered"] is True

    @pytest.mark.parametrize("case", ["csd", "password", "other_rfc", "missing"])
    def test_a_bad_fiel_is_a_400_naming_the_part(self, client: TestClient, fresh: Ready,
                                                 taxpayers: tuple[Taxpayer, Taxpayer], case: str) -> None:
        mine, other = taxpayers
        files = {"csd": (mine.csd.cer, mine.csd.key, mine.csd.password),
                 "password": (mine.fiel.cer, mine.fiel.key, "wrong"),
                 "other_rfc": (other.fiel.cer, other.fiel.key, other.fiel.password),
                 "missing": (mine.fiel.cer, mine.fiel.key, "")}[case]
        res = client.post("/v2/invoices/download/fiel", headers=fresh.headers,
                          files={"cert": ("f.cer", files[0]), "key": ("f.key", files[1])}, data={"password": files[2]})
        assert res.status_code == 400, res.text
        assert res.json()["error"]["details"]
        assert client.get("/v2/invoices/download/schedule", headers=fresh.headers).json()["data"][
            "fiel_uploaded"] is False

    def test_a_sync_start_date_beyond_71_months_is_refused(self, client: TestClient, fresh: Ready,
                                                           taxpayers: tuple[Taxpayer, Taxpayer]) -> None:
        fiel = taxpayers[0].fiel
        res = client.post("/v2/invoices/download/fiel", headers=fresh.headers,
                          files={"cert": ("f.cer", fiel.cer), "key": ("f.key", fiel.key)},
                          data={"password": fiel.password, "sync_start_date": "2001-01-01"})
        assert res.status_code == 400 and "71" in res.json()["error"]["message"]


class TestSchedule:
    def test_defaults_then_set_then_show(self, client: TestClient, pair: tuple[Ready, Ready]) -> None:
        a, _b = pair
        shown = client.get("/v2/invoices/download/schedule", headers=a.headers).json()["data"]
        assert {"fiel_uploaded", "registered", "sat_completed", "sync_start_date", "schedule", "prodigia"} <= set(shown)
        assert shown["schedule"]["enabled"] is False
        body = {"enabled": True, "time": "21:30", "download_types": ["received"], "days_back": 5}
        res = client.put("/v2/invoices/download/schedule", headers=a.headers, json=body)
        assert res.status_code == 200, res.text
        schedule = client.get("/v2/invoices/download/schedule", headers=a.headers).json()["data"]["schedule"]
        assert {k: schedule[k] for k in body} == body

    def test_older_clients_hour_in_utc_and_types(self, client: TestClient, pair: tuple[Ready, Ready]) -> None:
        a, _b = pair
        res = client.put("/v2/invoices/download/schedule", headers=a.headers,
                         json={"enabled": True, "hour": 3, "types": ["issued"]})
        schedule = res.json()["data"]["schedule"]
        assert (schedule["time"], schedule["download_types"]) == ("21:00", ["issued"])

    @pytest.mark.parametrize("body", [{"time": "25:00"}, {"time": "9pm"}, {"days_back": 0}, {"days_back": 1000},
                                      {"download_types": ["sent"]}, {"enabled": "yes please"}, {"unknown": 1}])
    def test_bad_bodies_are_4xx(self, client: TestClient, pair: tuple[Ready, Ready], body: dict[str, object]) -> None:
        a, _b = pair
        res = client.put("/v2/invoices/download/schedule", headers=a.headers, json=body)
        assert res.status_code in (400, 422) and res.json()["success"] is False

    def test_enabling_needs_activation_and_a_fiel(self, client: TestClient, fresh: Ready) -> None:
        res = client.put("/v2/invoices/download/schedule", headers=fresh.headers, json={"enabled": True})
        assert res.status_code == 400
        assert "activate" in res.json()["error"]["message"] and "FIEL" in res.json()["error"]["message"]

    def test_a_deactivated_team_is_not_downloaded(self, client: TestClient, pair: tuple[Ready, Ready]) -> None:
        a, _b = pair
        client.put("/v2/invoices/download/schedule", headers=a.headers, json={"enabled": True, "time": "00:00"})
        client.post("/v2/invoices/download/deactivate", headers=a.headers)
        assert tasks.start_due(datetime.now(UTC) + timedelta(days=1)) == []

    def test_history_lists_requests_newest_first(self, client: TestClient, pair: tuple[Ready, Ready]) -> None:
        a, _b = pair
        assert client.get("/v2/invoices/download/schedule/history", headers=a.headers).json()["data"] == {
            "history": []}
        res = client.post("/v2/invoices/download/request", headers=a.headers,
                          json={"start_date": "2026-01-01", "end_date": "2026-01-31", "request_type": "metadata"})
        assert res.status_code == 200, res.text
        history = client.get("/v2/invoices/download/schedule/history", headers=a.headers).json()["data"]["history"]
        assert sorted((h["rfcType"], h["requestType"], h["status"]) for h in history) == [
            ("issued", "metadata", "pending"), ("received", "metadata", "pending")]
        assert {"id", "rfcType", "startDate", "endDate", "status", "invoiceCount", "processedCount",
                "statusMessage", "source", "createdAt", "completedAt"} <= set(history[0])
        again = client.post("/v2/invoices/download/request", headers=a.headers,
                            json={"start_date": "2026-01-01", "end_date": "2026-01-31"})
        assert again.status_code == 409  # one run per team at a time
