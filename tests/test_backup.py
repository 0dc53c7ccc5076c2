"""`timbre backup` under write load from a real `timbre serve`, then `timbre restore` into a fresh data
directory: every invoice acknowledged before the backup began is there, with its XML (XSD, Sello and the
TFD's SelloSAT verified) and its PDF, and the restored server still stamps (its secret decrypts the CSD)."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import httpx

from tests.invoices.checks import assert_valid_cfdi
from tests.invoices.conftest import CLIENT, EMISOR_NAME, EMISOR_RFC
from tests.procs import env_for, free_port, run, start, stop, wait_up
from timbre.cfdi import testca

IVA16 = {"type": "IVA", "rate": 0.16, "factor": "Tasa", "withholding": False}
BODY = {"items": [{"description": "Consulting", "quantity": 1, "unit_price": 1000.0, "product_key": "80141503",
                   "unit_key": "E48", "taxes": [IVA16]}],
        "payment_form": "03", "payment_method": "PUE", "use": "G03", "currency": "MXN"}


def serve(data: Path, log: Path) -> tuple[Any, str, dict[str, str]]:
    port = free_port()
    env = env_for(data, TIMBRE_PUBLIC_URL=f"http://127.0.0.1:{port}")
    proc = start(["serve", "--port", str(port)], env, log)
    wait_up(proc, f"http://127.0.0.1:{port}/health")
    return proc, f"http://127.0.0.1:{port}", env


def ready_team(url: str, env: dict[str, str]) -> tuple[dict[str, str], str]:
    keys = json.loads(run(["bootstrap", "--json"], env).stdout)
    headers = {"Authorization": f"Bearer {keys['api_keys']['test']}"}
    with httpx.Client(base_url=url, headers=headers, timeout=60) as http:
        assert http.put(f"/v2/teams/{keys['team_id']}", json={
            "legal_name": EMISOR_NAME, "tax_id": EMISOR_RFC, "tax_system": "601",
            "address": {"zip": "42501", "country": "MEX"}}).status_code == 200
        csd = testca.make_test_csd(EMISOR_RFC, EMISOR_NAME)
        res = http.post(f"/v2/teams/{keys['team_id']}/sat-connection", files={
            "cert": ("csd.cer", csd.cer), "key": ("csd.key", csd.key)}, data={"keyPass": csd.password})
        assert res.status_code == 200, res.text
        res = http.post("/v2/clients", json=CLIENT)
        assert res.status_code == 201, res.text
        return headers, res.json()["data"]["id"]


class TestBackupAndRestore:
    def test_backup_under_load_restores_every_acknowledged_invoice(self, tmp_path: Path) -> None:
        proc, url, env = serve(tmp_path / "data", tmp_path / "serve.log")
        acknowledged: list[str] = []
        stop_load = threading.Event()
        failures: list[str] = []
        try:
            headers, client_id = ready_team(url, env)

            def load() -> None:
                with httpx.Client(base_url=url, headers=headers, timeout=60) as http:
                    while not stop_load.is_set():
                        res = http.post("/v2/invoices/income", json={**BODY, "client": {"id": client_id}})
                        if res.status_code == 201:
                            acknowledged.append(res.json()["data"]["uuid"])
                        else:
                            failures.append(res.text)

            writer = threading.Thread(target=load)
            writer.start()
            while len(acknowledged) < 5 and writer.is_alive():
                stop_load.wait(0.2)
            before = list(acknowledged)  # acknowledged before the backup began: all must be in it
            result = run(["backup", str(tmp_path / "backup")], env, timeout=300)
            during = len(acknowledged) - len(before)
            stop_load.set()
            writer.join(timeout=120)
        finally:
            stop_load.set()
            stop(proc)
        assert result.returncode == 0, result.stderr
        assert not failures, failures[:1]
        assert len(before) >= 5 and during >= 0
        manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
        assert {"timbre.db", "jobs.db", "secret.key"} <= set(manifest["files"])

        fresh = tmp_path / "restored"
        restored = run(["restore", str(tmp_path / "backup")], env_for(fresh))
        assert restored.returncode == 0, restored.stderr
        again = run(["restore", str(tmp_path / "backup")], env_for(fresh))
        assert again.returncode == 2 and "fresh data directory" in again.stderr  # never over a database

        proc, url, _ = serve(fresh, tmp_path / "restored.log")
        try:
            with httpx.Client(base_url=url, headers=headers, timeout=60) as http:
                for uuid in before:
                    links = http.get(f"/v2/invoices/{uuid}/files")
                    assert links.status_code == 200, links.text
                    xml = httpx.get(links.json()["data"]["xml"], timeout=60)
                    assert xml.status_code == 200
                    root = assert_valid_cfdi(xml.content)
                    assert uuid.upper() in xml.text.upper() and root.get("Total") == "1160.00"
                    pdf = httpx.get(links.json()["data"]["pdf"], timeout=60)
                    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
                res = http.post("/v2/invoices/income", json={**BODY, "client": {"id": client_id}})
                assert res.status_code == 201, res.text  # the restored secret still opens the stored CSD
        finally:
            stop(proc)

    def test_refuses_a_damaged_backup(self, tmp_path: Path) -> None:
        env = env_for(tmp_path / "data")
        assert run(["migrate"], env).returncode == 0
        assert run(["backup", str(tmp_path / "backup")], env).returncode == 0
        with (tmp_path / "backup" / "timbre.db").open("r+b") as db:
            db.seek(200)
            db.write(b"\xff")
        result = run(["restore", str(tmp_path / "backup")], env_for(tmp_path / "fresh"))
        assert result.returncode == 2 and "damaged" in result.stderr
        assert not (tmp_path / "fresh" / "timbre.db").exists()
        busy = run(["backup", str(tmp_path / "backup")], env)
        assert busy.returncode == 2 and "not empty" in busy.stderr
