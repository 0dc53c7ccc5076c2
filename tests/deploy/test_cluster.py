"""The production topology (`scripts/cluster.sh` from the files in `deploy/`): PostgreSQL, Redis, nginx, two API
processes and a worker, started for real; invoices created and stamped through nginx by several client threads
while an API process is restarted the operator's way and a worker is restarted and killed."""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import psycopg
import pytest

from bench.clusterload import Cluster, Load, Outcome, prepare
from tests.webhooks.receiver import Receiver, receiver

# One topology for the module: its tests stay together on one xdist worker (scripts/test.sh: --dist loadgroup).
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("cluster")]
ROOT = Path(__file__).resolve().parents[2]


def _port_block() -> int:
    """A port P with P, P+1, P+2 (APIs), P+90 (PostgreSQL) and P+91 (Redis) free."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            base = int(probe.getsockname()[1])
        if base > 60000:
            continue
        try:
            for offset in (1, 2, 90, 91):
                with socket.socket() as other:
                    other.bind(("127.0.0.1", base + offset))
        except OSError:
            continue
        return base
    raise RuntimeError("no free block of ports")


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    run_dir = Path(tempfile.mkdtemp(prefix="timbre-cluster-", dir="/tmp"))
    os.chmod(run_dir, 0o755)  # noqa: S103  # PostgreSQL (its own user) keeps its data inside
    # synchronous_commit=off: the test kills no database; it keeps the commits cheap on a shared machine.
    topology = Cluster(run_dir, _port_block(), apis=2, workers=1, durable=False)
    try:
        topology.start()
        yield topology
    finally:
        topology.stop()
        shutil.rmtree(run_dir, ignore_errors=True)


@pytest.fixture(scope="module")
def ready(cluster: Cluster) -> tuple[str, dict[str, object]]:
    key = cluster.test_key()
    return key, prepare(cluster.url, key, cluster.run_dir)


def _wait_for(condition: Callable[[], bool], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)


class TestRestartsUnderLoad:
    def test_nothing_is_lost(self, cluster: Cluster, ready: tuple[str, dict[str, object]]) -> None:
        key, body = ready
        headers = {"Authorization": f"Bearer {key}"}
        with receiver() as hooks:
            created = httpx.post(f"{cluster.url}/v2/webhooks", headers=headers, timeout=30,
                                 json={"url": hooks.url, "events": ["invoice.created"]})
            assert created.status_code == 201, created.text
            before = cluster.pids()
            load = Load(cluster.url, key, body, threads=4)

            def acknowledged_at_least(count: int) -> None:
                _wait_for(lambda: sum(o.status == 201 for o in list(load.outcomes)) >= count, 120)

            def operator() -> None:
                acknowledged_at_least(15)
                cluster.restart_api(1)  # drain in nginx, SIGTERM, start, back into rotation
                cluster.restart_worker(1)  # the unit's KillSignal (SIGINT: Huey's graceful stop)
                acknowledged_at_least(len(load.outcomes) + 15)
                cluster.restart_worker(1, kill=True)  # kill -9
                acknowledged_at_least(len(load.outcomes) + 15)

            outcomes = load.run(during=operator)
            after = cluster.pids()
            self._assert_every_request_acknowledged(outcomes)
            self._assert_stamped_and_gap_free(cluster, outcomes)
            self._assert_every_invoice_reported(hooks, outcomes)
        assert after["api1"] != before["api1"]
        assert after["worker1"] != before["worker1"]
        assert after["api2"] == before["api2"]
        assert after["nginx"] == before["nginx"]

    @staticmethod
    def _assert_every_request_acknowledged(outcomes: list[Outcome]) -> None:
        assert len(outcomes) >= 45
        server_errors = [(o.key, t) for o in outcomes for t in o.tries if t.startswith("5")]
        assert server_errors == []  # no 5xx reached a client, even as one to be retried
        assert [(o.status, o.error) for o in outcomes if o.status != 201] == []
        assert all(o.invoice_status == "valid" for o in outcomes)
        ids = [o.invoice_id for o in outcomes]
        assert len(set(ids)) == len(ids)  # a retried request (same Idempotency-Key) made no second invoice

    @staticmethod
    def _assert_stamped_and_gap_free(cluster: Cluster, outcomes: list[Outcome]) -> None:
        with psycopg.connect(cluster.psql_url()) as conn:
            rows = conn.execute("SELECT id, status, uuid, xml IS NOT NULL, series, folio_number FROM invoices "
                                "WHERE livemode = false ORDER BY folio_number").fetchall()
        assert {row[0] for row in rows} == {o.invoice_id for o in outcomes}  # each acknowledged one, no other
        assert all(row[1] == "valid" and row[2] and row[3] for row in rows)
        assert {row[4] for row in rows} == {rows[0][4]}
        assert [row[5] for row in rows] == list(range(1, len(rows) + 1))

    @staticmethod
    def _assert_every_invoice_reported(hooks: Receiver, outcomes: list[Outcome]) -> None:
        """Each invoice's `invoice.created` event reaches the webhook (a job the killed worker held is redone by
        the sweep, at the restart or within the minute)."""
        wanted = {o.invoice_id for o in outcomes}

        def reported() -> set[str]:
            return {r.json["data"]["id"] for r in list(hooks.received) if r.json["type"] == "invoice.created"}

        _wait_for(lambda: wanted <= reported(), 150)
        assert wanted - reported() == set()


class TestRequestId:
    def test_nginx_passes_the_callers_request_id(self, cluster: Cluster) -> None:
        answer = httpx.get(f"{cluster.url}/health", headers={"X-Request-Id": "ops-check-42"}, timeout=10)
        assert answer.headers["x-request-id"] == "ops-check-42"
        access = cluster.run_dir / "nginx" / "timbre.access.log"
        # nginx writes a request's line after the answer has left (its log phase): wait for it, then check it
        _wait_for(lambda: '"request_id":"ops-check-42"' in access.read_text(), 30)
        assert '"request_id":"ops-check-42"' in access.read_text()

    def test_nginx_makes_one_when_missing_or_unsafe(self, cluster: Cluster) -> None:
        plain = httpx.get(f"{cluster.url}/health", timeout=10).headers["x-request-id"]
        unsafe = httpx.get(f"{cluster.url}/health", headers={"X-Request-Id": "a b;c"}, timeout=10)
        assert len(plain) == 32 and plain.isalnum()
        assert unsafe.headers["x-request-id"] != "a b;c"


class TestMetricsAccess:
    def test_metrics_answer_the_local_scraper(self, cluster: Cluster) -> None:
        httpx.get(f"{cluster.url}/v2/ping", timeout=10).raise_for_status()
        seen = ""

        def scraped() -> bool:
            nonlocal seen
            seen = httpx.get(f"{cluster.url}/metrics", timeout=10).text
            # the API's samples, and the worker's (a single-process `timbre worker` writes them to the shared
            # directory): it runs the webhook sweep at start
            return 'timbre_http_requests_total{method="GET",route="/v2/ping",status="200"}' in seen and \
                "timbre_jobs_total{" in seen

        _wait_for(scraped, 90)
        assert 'timbre_http_requests_total{method="GET",route="/v2/ping",status="200"}' in seen
        assert "timbre_jobs_total{" in seen
