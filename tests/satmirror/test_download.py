"""Scheduled downloads against the simulated SAT: two teams of one server that invoice each other."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from tests.invoices.conftest import Ready
from tests.satmirror.conftest import drive, stamp
from tests.satmirror.helpers import forge, import_zip, issued_xml, mirror, run_of, synced_events
from timbre.satmirror import tasks

SCHEDULE = {"enabled": True, "time": "06:00", "download_types": ["issued", "received"], "days_back": 3}


def _schedule(client: TestClient, ready: Ready) -> None:
    res = client.put("/v2/invoices/download/schedule", headers=ready.headers, json=SCHEDULE)
    assert res.status_code == 200, res.text
    assert res.json()["data"]["schedule"]["enabled"] is True


def _run_all(ready_by_team: dict[str, Ready], now: datetime) -> list[str]:
    started = tasks.start_due(now)
    for run_id in started:
        run, _requests = run_of(run_id)
        assert drive(run_id, run.team_id) == "completed"
    return started


def _uuids(ready: Ready, direction: str) -> set[str]:
    return {row["uuid"] for row in mirror(ready, direction=direction)}


class TestScheduledDownload:
    def test_each_team_gets_the_others_invoices_as_received_and_its_own_as_issued(
            self, client: TestClient, pair: tuple[Ready, Ready]) -> None:
        a, b = pair
        a_issued = {stamp(a)["uuid"], stamp(a)["uuid"]}
        b_issued = {stamp(b)["uuid"]}
        _schedule(client, a)
        _schedule(client, b)
        now = datetime.now(UTC) + timedelta(days=1)  # tomorrow, past 06:00 Mexico City: both schedules are due
        now = now.replace(hour=13)

        started = _run_all({a.account.team_id: a, b.account.team_id: b}, now)

        assert len(started) == 2
        assert _uuids(a, "issued") == a_issued and _uuids(a, "received") == b_issued
        assert _uuids(b, "issued") == b_issued and _uuids(b, "received") == a_issued
        for row in mirror(a) + mirror(b):
            assert row["resource_status"] == "xml_downloaded"
            assert row["verification"]["valid"] is True, row["verification"]
            assert {row["verification"][k]["valid"] for k in ("xsd", "seal", "tfd", "efos")} == {True}
            assert row["status"] == "Vigente"
        history = client.get("/v2/invoices/download/schedule/history", headers=a.headers).json()["data"]["history"]
        assert {(h["rfcType"], h["requestType"], h["status"]) for h in history} == {
            (d, k, "completed") for d in ("issued", "received") for k in ("metadata", "cfdi")}

    def test_a_second_run_adds_nothing(self, client: TestClient, pair: tuple[Ready, Ready]) -> None:
        a, b = pair
        stamp(a)
        stamp(b)
        _schedule(client, a)
        first_day = (datetime.now(UTC) + timedelta(days=1)).replace(hour=13)
        _run_all({a.account.team_id: a}, first_day)
        rows, events = mirror(a), synced_events(a.account.team_id)
        assert len(rows) == 2 and events == 4  # each CFDI: its metadata, then its XML

        assert tasks.start_due(first_day) == []  # once per local day
        second = _run_all({a.account.team_id: a}, first_day + timedelta(days=1))

        assert len(second) == 1
        run, _requests = run_of(second[0])
        assert run.imported == 0
        assert mirror(a) == rows
        assert synced_events(a.account.team_id) == events

    def test_a_forged_xml_imported_by_zip_is_flagged_not_hidden(self, client: TestClient,
                                                                pair: tuple[Ready, Ready]) -> None:
        a, b = pair
        uuid = stamp(a)["uuid"]
        forged = forge(issued_xml(uuid))

        res = import_zip(client, b, {f"{uuid}.xml": forged})

        assert res.status_code == 200, res.text
        assert res.json()["data"]["created"] == 1
        [row] = mirror(b, direction="received")
        assert row["uuid"] == uuid
        assert row["verification"]["valid"] is False
        assert row["verification"]["seal"]["valid"] is False
        assert row["verification"]["xsd"]["valid"] is True
        # SAT's own copy, downloaded later, replaces the forgery
        _schedule(client, b)
        _run_all({b.account.team_id: b}, (datetime.now(UTC) + timedelta(days=1)).replace(hour=13))
        [row] = mirror(b, direction="received")
        assert row["verification"]["valid"] is True
