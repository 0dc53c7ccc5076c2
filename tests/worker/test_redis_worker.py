"""Redis mode: `timbre serve` enqueues into a real Redis server and a separate `timbre worker` process runs
the job (here: sending an e-mail to a real local SMTP server)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx

from tests.mail import Inbox, smtp_server
from tests.procs import env_for, free_port, run, start, stop, wait_up


def test_worker_process_consumes_jobs_from_redis(tmp_path: Path, redis_url: str) -> None:
    with smtp_server() as inbox:
        _run(tmp_path, redis_url, inbox)


def _run(tmp_path: Path, redis_url: str, inbox: Inbox) -> None:
    port = free_port()
    env = env_for(tmp_path / "data", TIMBRE_REDIS_URL=redis_url, TIMBRE_SMTP_URL=inbox.url,
                  TIMBRE_PUBLIC_URL=f"http://127.0.0.1:{port}")
    keys = json.loads(run(["bootstrap", "--json"], env).stdout)
    server = start(["serve", "--port", str(port)], env, tmp_path / "serve.log")
    worker = None
    try:
        wait_up(server, f"http://127.0.0.1:{port}/health")
        headers = {"Authorization": f"Bearer {keys['api_keys']['test']}"}
        res = httpx.post(f"http://127.0.0.1:{port}/v2/users/{keys['user_id']}/reset-password", headers=headers)
        assert res.status_code == 200 and res.json()["data"]["delivery"] == "email"
        time.sleep(1.0)
        assert inbox.messages == []  # the API process does not consume in Redis mode
        worker = start(["worker", "--workers", "1"], env, tmp_path / "worker.log")
        inbox.wait_for(1)
        assert len(inbox.messages) == 1, (tmp_path / "worker.log").read_text()
        assert "Reset your Timbre password" in inbox.messages[0]
    finally:
        if worker is not None:
            stop(worker)
        stop(server)


def test_embedded_serve_consumes_jobs_in_process(tmp_path: Path) -> None:
    with smtp_server() as inbox:
        port = free_port()
        env = env_for(tmp_path / "data", TIMBRE_SMTP_URL=inbox.url, TIMBRE_PUBLIC_URL=f"http://127.0.0.1:{port}")
        keys = json.loads(run(["bootstrap", "--json"], env).stdout)
        server = start(["serve", "--port", str(port)], env, tmp_path / "serve.log")
        try:
            wait_up(server, f"http://127.0.0.1:{port}/health")
            headers = {"Authorization": f"Bearer {keys['api_keys']['test']}"}
            res = httpx.post(f"http://127.0.0.1:{port}/v2/users/{keys['user_id']}/reset-password", headers=headers)
            assert res.status_code == 200
            inbox.wait_for(1)
            assert len(inbox.messages) == 1, (tmp_path / "serve.log").read_text()
        finally:
            stop(server)
