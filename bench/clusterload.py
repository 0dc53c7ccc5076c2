"""The production topology of `scripts/cluster.sh`, driven from Python, and an invoice load through its nginx.

Used by `bench/scale.py` and `tests/deploy/test_cluster.py`. The load is what a careful client does: every
POST carries its own `Idempotency-Key`, and a request whose connection drops before an answer, or that gets a
502/503/504 or `idempotency_in_progress`, is sent again with the same key (the API answers a retry of a request
it already ran with that request's response: one invoice however many tries). Every try is recorded, so a
caller can assert that none was needed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.invoices import BODY, _Connection, prepare  # noqa: E402

SCRIPT = ROOT / "scripts" / "cluster.sh"
RETRYABLE = {502, 503, 504}

__all__ = ["BODY", "Cluster", "Load", "Outcome", "prepare"]


class Cluster:
    """`scripts/cluster.sh` with one run directory and port."""

    def __init__(self, run_dir: Path, port: int, apis: int = 2, workers: int = 1, durable: bool = True,
                 profile_locks: Path | None = None) -> None:
        self.run_dir, self.port, self.apis, self.workers = run_dir, port, apis, workers
        self.url = f"http://127.0.0.1:{port}"
        self.script_env = {k: v for k, v in os.environ.items() if not k.startswith("TIMBRE_")}
        self.script_env.update({"TIMBRE_CLUSTER_DIR": str(run_dir), "TIMBRE_CLUSTER_PORT": str(port),
                                "TIMBRE_CLUSTER_APIS": str(apis), "TIMBRE_CLUSTER_WORKERS": str(workers),
                                "TIMBRE_CLUSTER_PG_DURABLE": "1" if durable else "0"})
        if profile_locks is not None:
            self.script_env["TIMBRE_CLUSTER_PROFILE_LOCKS"] = str(profile_locks)

    def sh(self, *args: str, timeout: float = 600) -> str:
        done = subprocess.run(["bash", str(SCRIPT), *args], env=self.script_env, capture_output=True, text=True,
                              timeout=timeout, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"cluster.sh {' '.join(args)} failed ({done.returncode}): {done.stderr[-2000:]}")
        return done.stdout

    def start(self) -> None:
        self.sh("start")

    def stop(self) -> None:
        self.sh("stop", timeout=180)

    def restart_api(self, n: int) -> None:
        self.sh("restart-api", str(n))

    def drain(self, n: int) -> None:
        self.sh("drain", str(n))

    def undrain(self, n: int) -> None:
        self.sh("undrain", str(n))

    def restart_worker(self, n: int, kill: bool = False) -> None:
        self.sh("restart-worker", str(n), *(["--kill"] if kill else []))

    def pids(self) -> dict[str, int]:
        """Every running process by name (api1, worker1, nginx, postgres, redis): the main pid of each."""
        found = {}
        for line in self.sh("status").splitlines():
            name, pid, state = line.split()
            if state == "up":
                found[name] = int(pid)
        return found

    def settings(self) -> dict[str, str]:
        """The rendered environment file, as the processes read it."""
        values = {}
        for line in (self.run_dir / "timbre.env").read_text().splitlines():
            if line and not line.startswith("#") and "=" in line:
                key, _, value = line.partition("=")
                values[key] = value[1:-1] if value.startswith('"') and value.endswith('"') else value
        return values

    def timbre(self, *args: str) -> str:
        """Run a `timbre` command with the cluster's settings (as an operator on a host would)."""
        env = {**self.script_env, **self.settings()}
        done = subprocess.run([str(ROOT / ".venv" / "bin" / "timbre"), *args], env=env, capture_output=True,
                              text=True, timeout=120, check=True)
        return done.stdout

    def psql_url(self) -> str:
        """The database URL for psycopg (without SQLAlchemy's driver name)."""
        return self.settings()["TIMBRE_DATABASE_URL"].replace("postgresql+psycopg://", "postgresql://")

    def test_key(self) -> str:
        return str(json.loads(self.timbre("bootstrap", "--json"))["api_keys"]["test"])


@dataclass
class Outcome:
    """One logical request: its final status, the invoice it acknowledged, and every try it took."""

    key: str
    status: int = 0
    invoice_id: str | None = None
    invoice_status: str | None = None
    folio: int | None = None
    latency_ms: float = 0.0
    tries: list[str] = field(default_factory=list)  # why each retry happened ("502", "connection: ...")
    error: str | None = None


class Load:
    """`threads` keep-alive connections to `url`, each POSTing `/v2/invoices/income` until `stop` is set or `count`
    requests have been made in all."""

    def __init__(self, url: str, api_key: str, body: dict[str, Any], threads: int) -> None:
        target = urlsplit(url)
        self.host, self.port = target.hostname or "127.0.0.1", target.port or 80
        self.api_key, self.payload, self.threads = api_key, json.dumps(body).encode(), threads
        self.outcomes: list[Outcome] = []
        self.stop = threading.Event()
        self._lock = threading.Lock()
        self._left = 0
        self.wall_s = 0.0

    def _request(self, key: str) -> bytes:
        head = (f"POST /v2/invoices/income HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
                f"Authorization: Bearer {self.api_key}\r\nIdempotency-Key: {key}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(self.payload)}\r\n\r\n")
        return head.encode() + self.payload

    def _connect(self) -> _Connection:
        return _Connection(self.host, self.port, b"")

    def _one(self, connection: _Connection | None) -> tuple[Outcome, _Connection | None]:
        outcome = Outcome(key=f"load-{uuid.uuid4().hex}")
        request = self._request(outcome.key)
        started = time.perf_counter()
        deadline = time.monotonic() + 120
        while True:
            try:
                if connection is None:
                    connection = self._connect()
                connection.request = request
                status, content = connection.send()
            except OSError as exc:  # refused, reset, closed before an answer: send the same request again
                connection = None
                outcome.tries.append(f"connection: {exc.__class__.__name__}")
                status, content = 0, b""
            if status and status not in RETRYABLE and not (status == 409 and b"idempotency_in_progress" in content):
                break
            if status:
                outcome.tries.append(str(status))
            if time.monotonic() > deadline:
                outcome.error = f"gave up after {len(outcome.tries)} tries"
                break
            time.sleep(0.2)
        outcome.latency_ms = (time.perf_counter() - started) * 1000
        outcome.status = status
        if status == 201:
            data = json.loads(content)["data"]
            outcome.invoice_id, outcome.invoice_status = data.get("id"), data.get("status")
            folio = data.get("folio_number")
            outcome.folio = int(folio) if folio is not None else None
        elif status:
            outcome.error = content[:300].decode(errors="replace")
        return outcome, connection

    def _worker(self) -> None:
        connection: _Connection | None = None
        while not self.stop.is_set():
            with self._lock:
                if self._left == 0:
                    return
                self._left -= 1
            outcome, connection = self._one(connection)
            with self._lock:
                self.outcomes.append(outcome)

    def run(self, count: int = -1, during: Callable[[], None] | None = None) -> list[Outcome]:
        """Make `count` requests (-1: until `stop`); `during` runs in this thread meanwhile (e.g. restarts),
        and the load stops when it returns if `count` is -1."""
        self._left = count
        workers = [threading.Thread(target=self._worker, daemon=True) for _ in range(self.threads)]
        started = time.perf_counter()
        for worker in workers:
            worker.start()
        if during is not None:
            try:
                during()
            finally:
                if count < 0:
                    self.stop.set()
        for worker in workers:
            worker.join()
        self.wall_s = time.perf_counter() - started
        return self.outcomes
