"""Benchmark webhook delivery: events delivered per second by one worker thread to a local receiver.

Records ``--events`` events (one transaction each, not timed) for a team with one webhook pointing at an HTTP
receiver on 127.0.0.1 that answers 200, then starts a Huey consumer with ONE worker thread and times until the
receiver has every event (each one: the relay job that fans it out, then the delivery job that signs, POSTs
and records the attempt). SQLite in a temporary data dir unless TIMBRE_DATABASE_URL is set.
The last line of output is one JSON object with the numbers.

    .venv/bin/python bench/webhooks.py [--events 1000]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

_DIR = tempfile.mkdtemp(prefix="timbre-bench-webhooks-")
os.environ.setdefault("TIMBRE_DATA_DIR", _DIR)
os.environ.pop("TIMBRE_REDIS_URL", None)

from timbre.config import get_settings  # noqa: E402
from timbre.events.service import event as event_service  # noqa: E402
from timbre.events.types import EventType  # noqa: E402
from timbre.kit.db import session_scope  # noqa: E402
from timbre.kit.ids import new_id  # noqa: E402
from timbre.migrate import upgrade  # noqa: E402
from timbre.models import BillingAccount, Team, Webhook  # noqa: E402
from timbre.webhooks import signing  # noqa: E402
from timbre.worker.queue import huey  # noqa: E402
from timbre.worker.registry import load_tasks  # noqa: E402

received: set[str] = set()
lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length") or 0))
        self.send_response(200)
        self.send_header("content-length", "0")
        self.end_headers()
        with lock:
            received.add(self.headers["webhook-id"])

    def log_message(self, *_args: Any) -> None:
        pass


def setup(url: str, receiver_url: str) -> str:
    settings = get_settings()
    with session_scope(settings.db_url) as session:
        account = BillingAccount(id=new_id("ba"), name="Bench")
        session.add(account)
        session.flush()
        team = Team(id=new_id("team"), billing_account_id=account.id, is_master=True, legal_name="Bench",
                    brand={}, credit_period_start=0, onboarding_nonce="x", settings={}, integrations={}, sat={},
                    address={}, metadata_={})
        session.add(team)
        session.flush()
        session.add(Webhook(id=new_id("wh"), team_id=team.id, livemode=False, url=receiver_url, events=[],
                            status="active", secret_enc=signing.seal(settings.secret(), signing.new_secret()),
                            created_at=0))
        return team.id


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1000)
    args = parser.parse_args()
    settings = get_settings()
    upgrade(settings.db_url)
    load_tasks()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    team_id = setup(settings.db_url, f"http://127.0.0.1:{server.server_address[1]}/hook")
    huey.flush()
    for i in range(args.events):
        with session_scope(settings.db_url) as session:
            event_service.record(session, team_id=team_id, livemode=False, type=EventType.invoice_batch_completed,
                                 data={"id": f"batch_{i}", "stamped": 1, "failed": 0})
    consumer = huey.create_consumer(workers=1, worker_type="thread", periodic=False, initial_delay=0.01,
                                    max_delay=0.05, check_worker_health=False)
    started = time.perf_counter()
    consumer.start()
    while len(received) < args.events and time.perf_counter() - started < 1800:
        time.sleep(0.01)
    elapsed = time.perf_counter() - started
    consumer.stop(graceful=True)
    server.shutdown()
    result = {"events": args.events, "delivered": len(received), "seconds": round(elapsed, 2),
              "events_per_s": round(len(received) / elapsed, 1),
              "database": "sqlite" if settings.is_sqlite else "postgresql", "workers": 1}
    print(f"{result['delivered']}/{args.events} events delivered in {result['seconds']} s: "
          f"{result['events_per_s']} events/s with one worker")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
