"""Run Huey consumers: in-process threads for `timbre serve` (embedded mode) or `timbre worker`."""

from __future__ import annotations

from typing import Any

from timbre.worker.queue import huey
from timbre.worker.registry import load_tasks


def start_inprocess(workers: int = 2) -> Any:
    """Start consumer threads in this process; returns the consumer (call `.stop()` on shutdown)."""
    load_tasks()
    consumer = huey.create_consumer(workers=workers, worker_type="thread", periodic=True, check_worker_health=False)
    consumer.start()
    return consumer


def run_forever(workers: int = 4) -> None:
    load_tasks()
    consumer = huey.create_consumer(workers=workers, worker_type="thread", periodic=True)
    consumer.run()
