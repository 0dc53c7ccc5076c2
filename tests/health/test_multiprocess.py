"""`timbre serve --workers 2`: `/metrics` on either process adds up both (prometheus-client multiprocess mode)
and every log line is a JSON object carrying the request id that the response returned."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.procs import env_for, free_port, start, stop, wait_up


def health_count(url: str) -> float:
    text = httpx.get(f"{url}/metrics", timeout=10).text
    return sum(s.value for family in text_string_to_metric_families(text) for s in family.samples
               if s.name == "timbre_http_requests_total" and s.labels.get("route") == "/health")


class TestServeWithTwoProcesses:
    def test_metrics_add_up_and_logs_are_json(self, tmp_path: Path) -> None:
        port = free_port()
        data = tmp_path / "data"
        log = tmp_path / "serve.log"
        proc = start(["serve", "--port", str(port), "--workers", "2"],
                     env_for(data, TIMBRE_PUBLIC_URL=f"http://127.0.0.1:{port}"), log)
        url = f"http://127.0.0.1:{port}"
        try:
            wait_up(proc, f"{url}/health")
            ids = []
            for _ in range(40):  # new connections: the kernel spreads them over both processes
                res = httpx.get(f"{url}/health", headers={"Connection": "close"}, timeout=10)
                ids.append(res.headers["x-request-id"])
            files = sorted(p.name for p in (data / "metrics").glob("*.db"))
            assert len({name.rsplit("_", 1)[1] for name in files}) >= 2, files  # two processes wrote samples
            counted = [health_count(url) for _ in range(4)]
            assert all(count >= 40 for count in counted), counted  # whichever process answers sees all
            assert httpx.get(f"{url}/ready", timeout=10).json()["data"]["checks"]["queue"] == "ok"
        finally:
            stop(proc)
        lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
        access = [line for line in lines if line["logger"] == "uvicorn.access"]
        assert {line["request_id"] for line in access} >= set(ids)
        assert all({"time", "level", "message"} <= set(line) for line in lines)
