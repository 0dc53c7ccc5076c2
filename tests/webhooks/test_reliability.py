"""Nothing is lost and nothing is sent twice: many concurrent writers, and a worker killed with -9."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.factories import create_account
from tests.procs import env_for, free_port, run, start, stop, wait_up
from tests.webhooks.helpers import make_webhook
from tests.webhooks.receiver import receiver
from timbre.config import get_settings
from timbre.events.service import event as event_service
from timbre.events.types import EventType
from timbre.kit.clock import now_ms
from timbre.kit.db import session_scope
from timbre.models import WebhookDelivery
from timbre.webhooks import tasks
from timbre.worker.consumer import start_inprocess

WRITERS, PER_WRITER = 4, 250


def _wait(condition: object, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not condition():  # type: ignore[operator]
        time.sleep(0.2)


class TestConcurrentWriters:
    def test_a_thousand_events_from_four_writers_arrive_exactly_once(self, client: TestClient) -> None:
        acct = create_account()
        url = get_settings().db_url
        with receiver() as rx:
            make_webhook(client, acct.headers(), rx.url)

            def writer(n: int) -> None:
                for i in range(PER_WRITER):
                    with session_scope(url) as session:
                        event_service.record(session, team_id=acct.team_id, livemode=False,
                                             type=EventType.invoice_batch_completed,
                                             data={"id": f"batch_{n}_{i}", "stamped": i, "failed": 0})

            consumer = start_inprocess(workers=4)
            try:
                threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
                for thread in threads:
                    thread.start()
                while any(t.is_alive() for t in threads):
                    time.sleep(3)
                    tasks.sweep_at(now_ms() + 60_000)  # the sweep races the relay jobs for the same events
                tasks.sweep_at(now_ms() + 60_000)
                _wait(lambda: len(set(rx.ids())) >= WRITERS * PER_WRITER, 600)
                time.sleep(2)  # room for a duplicate to show up
            finally:
                consumer.stop(graceful=True)
            ids = rx.ids()
        assert len(set(ids)) == WRITERS * PER_WRITER  # none lost
        assert len(ids) == len(set(ids))  # none sent twice to a receiver that answered 200
        with session_scope(url) as session:
            statuses = set(session.scalars(select(WebhookDelivery.status)))
        assert statuses == {"succeeded"}


def _event_ids(port: int, headers: dict[str, str]) -> set[str]:
    res = httpx.get(f"http://127.0.0.1:{port}/v2/events", headers=headers, params={"limit": 100})
    return {e["id"] for e in res.json()["data"]}


class TestWorkerKilled:
    def test_kill_9_with_deliveries_in_flight_loses_nothing(self, tmp_path: Path, redis_url: str) -> None:
        hold = threading.Event()
        with receiver(hold=hold) as rx:
            port = free_port()
            env = env_for(tmp_path / "data", TIMBRE_REDIS_URL=redis_url, TIMBRE_PUBLIC_URL=f"http://127.0.0.1:{port}")
            keys = json.loads(run(["bootstrap", "--json"], env).stdout)
            headers = {"Authorization": f"Bearer {keys['api_keys']['test']}"}
            server = start(["serve", "--port", str(port)], env, tmp_path / "serve.log")
            worker = None
            try:
                wait_up(server, f"http://127.0.0.1:{port}/health")
                res = httpx.post(f"http://127.0.0.1:{port}/v2/webhooks", headers=headers, json={"url": rx.url})
                assert res.status_code == 201, res.text
                secret = res.json()["data"]["secret"]
                for n in range(5):
                    res = httpx.post(f"http://127.0.0.1:{port}/v2/clients", headers=headers,
                                     json={"legal_name": f"PUBLICO {n}"})
                    assert res.status_code == 201, res.text
                expected = _event_ids(port, headers)
                assert len(expected) == 5
                worker = start(["worker", "--workers", "2"], env, tmp_path / "worker.log")
                _wait(lambda: rx.arrived >= 2, 60)
                assert rx.arrived >= 2 and rx.received == []  # two deliveries in flight, none answered
                worker.kill()  # SIGKILL: no cleanup of any kind
                worker.wait(timeout=10)
                hold.set()
                worker = start(["worker", "--workers", "2"], env, tmp_path / "worker2.log")
                _wait(lambda: set(rx.ids()) >= expected, 180)
                assert set(rx.ids()) >= expected, (tmp_path / "worker2.log").read_text()[-2000:]
            finally:
                if worker is not None:
                    stop(worker)
                stop(server)
        assert {r.verify(secret)["type"] for r in rx.received} == {"customer.created"}
