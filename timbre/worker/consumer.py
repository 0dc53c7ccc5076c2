"""Run Huey consumers: in-process threads for `timbre serve` (embedded mode) or `timbre worker`."""

from __future__ import annotations

import signal
import threading
from typing import Any

from timbre.satmirror.tasks import resume as sat_resume
from timbre.webhooks.tasks import sweep as webhook_sweep
from timbre.worker.queue import huey
from timbre.worker.registry import load_tasks


def _catch_up() -> None:
    """Queue the webhook sweep once at start: deliveries a killed consumer left behind go out now rather than
    at the next minute's sweep; and resume the SAT download runs a killed consumer left (their lease lapsed)."""
    webhook_sweep()
    sat_resume()


def start_inprocess(workers: int = 2) -> Any:
    """Start consumer threads in this process; returns the consumer (call `.stop()` on shutdown).

    Huey's `start()` installs its own SIGINT/SIGTERM/SIGHUP handlers, which only its own `run()` loop acts
    on: the server's handlers are put back, so that SIGTERM still stops `timbre serve` (the server's
    shutdown then stops the consumer)."""
    load_tasks()
    consumer = huey.create_consumer(workers=workers, worker_type="thread", periodic=True, check_worker_health=False)
    in_main_thread = threading.current_thread() is threading.main_thread()
    handlers = {sig: signal.getsignal(sig) for sig in _SIGNALS} if in_main_thread else {}
    consumer.start()
    _catch_up()
    for sig, handler in handlers.items():
        signal.signal(sig, handler)
    return consumer


_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


def run_forever(workers: int = 4) -> None:
    load_tasks()
    consumer = huey.create_consumer(workers=workers, worker_type="thread", periodic=True)
    _catch_up()
    consumer.run()
