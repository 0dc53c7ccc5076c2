"""A `timbre worker` killed with -9 in the middle of a download run: after a restart the run finishes, and
nothing is lost or imported twice (each CFDI synced exactly twice: its metadata, then its XML)."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

import httpx

from tests.invoices.conftest import CLIENT, EMISOR_NAME, EMISOR_RFC
from tests.procs import env_for, free_port, run, start, stop, wait_up
from timbre.cfdi import testca

INVOICES = 40


def _wait(condition: object, timeout: float, step: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(step)
    return False


def _query(db: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(db, timeout=30) as conn:
        return list(conn.execute(sql))


def _setup_team(base: str, headers: dict[str, str], team_id: str) -> None:
    csd = testca.make_test_csd(EMISOR_RFC, EMISOR_NAME)
    fiel = testca.make_test_fiel(EMISOR_RFC, EMISOR_NAME)
    res = httpx.put(f"{base}/v2/teams/{team_id}", headers=headers, json={
        "legal_name": EMISOR_NAME, "tax_id": EMISOR_RFC, "tax_system": "601",
        "address": {"zip": "42501", "country": "MEX"}})
    assert res.status_code == 200, res.text
    res = httpx.post(f"{base}/v2/teams/{team_id}/sat-connection", headers=headers,
                     files={"cert": ("c.cer", csd.cer), "key": ("c.key", csd.key)}, data={"keyPass": csd.password})
    assert res.status_code == 200, res.text
    res = httpx.post(f"{base}/v2/invoices/download/fiel", headers=headers,
                     files={"cert": ("f.cer", fiel.cer), "key": ("f.key", fiel.key)}, data={"password": fiel.password})
    assert res.status_code == 200, res.text
    assert httpx.post(f"{base}/v2/invoices/download/activate", headers=headers).status_code == 200
    client_id = httpx.post(f"{base}/v2/clients", headers=headers, json=CLIENT).json()["data"]["id"]
    item = {"description": "Consulting", "quantity": 1, "unit_price": 100.0, "product_key": "80141503",
            "unit_key": "E48", "taxes": [{"type": "IVA", "rate": 0.16, "factor": "Tasa", "withholding": False}]}
    for _ in range(INVOICES):
        res = httpx.post(f"{base}/v2/invoices/income", headers=headers, timeout=60, json={
            "client": {"id": client_id}, "items": [item], "payment_form": "03", "payment_method": "PUE",
            "use": "G03", "currency": "MXN"})
        assert res.status_code == 201, res.text


class TestWorkerKilled:
    def test_kill_9_mid_run_loses_and_duplicates_nothing(self, tmp_path: Path, redis_url: str) -> None:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        # One CFDI per package: the run downloads and imports 2 × INVOICES packages, one transaction each.
        env = env_for(tmp_path / "data", TIMBRE_REDIS_URL=redis_url, TIMBRE_PUBLIC_URL=base,
                      TIMBRE_SAT_SIM_PACKAGE_SIZE="1", TIMBRE_SAT_SIM_STEPS="1", TIMBRE_SAT_POLL_SECONDS="0.2",
                      TIMBRE_SAT_LEASE_SECONDS="3")
        keys = json.loads(run(["bootstrap", "--json"], env).stdout)
        headers = {"Authorization": f"Bearer {keys['api_keys']['test']}"}
        db = tmp_path / "data" / "timbre.db"
        server = start(["serve", "--port", str(port)], env, tmp_path / "serve.log")
        worker = None
        try:
            wait_up(server, f"{base}/health")
            _setup_team(base, headers, keys["team_id"])
            worker = start(["worker", "--workers", "2"], env, tmp_path / "worker.log")
            res = httpx.post(f"{base}/v2/invoices/download/request", headers=headers,
                             json={"start_date": "2020-01-01", "end_date": "2030-12-31", "rfc_type": "issued"})
            assert res.status_code == 200, res.text
            run_id = res.json()["data"]["run_id"]

            def imported() -> int:
                return int(_query(db, "SELECT count(*) FROM sat_download_packages WHERE status = 'imported'")[0][0])

            assert _wait(lambda: imported() >= 3, 120), (tmp_path / "worker.log").read_text()[-3000:]
            worker.kill()  # SIGKILL mid-run: no cleanup of any kind
            worker.wait(timeout=10)
            status_at_kill = _query(db, f"SELECT status FROM sat_download_runs WHERE id = '{run_id}'")[0][0]
            assert status_at_kill == "running" and imported() < 2 * INVOICES

            time.sleep(3.5)  # the killed worker's lease lapses; the new worker resumes the run at start
            worker = start(["worker", "--workers", "2"], env, tmp_path / "worker2.log")
            finished = _wait(lambda: _query(db, f"SELECT status FROM sat_download_runs WHERE id = '{run_id}'")[0][0]
                             != "running", 180, step=0.5)
            assert finished, (tmp_path / "worker2.log").read_text()[-3000:]
        finally:
            if worker is not None:
                stop(worker)
            stop(server)
        assert _query(db, f"SELECT status, imported FROM sat_download_runs WHERE id = '{run_id}'") == [
            ("completed", 2 * INVOICES)]
        assert _query(db, "SELECT count(*), count(DISTINCT uuid) FROM sat_invoices") == [(INVOICES, INVOICES)]
        assert _query(db, "SELECT DISTINCT resource_status FROM sat_invoices") == [("xml_downloaded",)]
        assert _query(db, "SELECT count(*) FROM events WHERE type = 'sat.invoice.synced'") == [(2 * INVOICES,)]
        assert _query(db, "SELECT DISTINCT status FROM sat_download_packages") == [("imported",)]
