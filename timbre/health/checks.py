"""Readiness checks (database, queue, storage) and the queue's depth for `/metrics`."""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import text

from timbre.config import Settings
from timbre.kit.db import get_engine
from timbre.kit.storage import get_storage
from timbre.worker.queue import huey

log = logging.getLogger("timbre.health")


def database(settings: Settings) -> None:
    with get_engine(settings.db_url).connect() as conn:
        conn.execute(text("SELECT 1"))


def queue(_settings: Settings) -> None:
    huey.pending_count()  # a COUNT on SQLite, an LLEN on Redis: either fails when the queue is unreachable


def storage(settings: Settings) -> None:
    get_storage(settings).check()


CHECKS: dict[str, Callable[[Settings], None]] = {"database": database, "queue": queue, "storage": storage}


def readiness(settings: Settings) -> dict[str, str]:
    """`ok` or `unavailable` per dependency; the reason is logged, never returned (it may name hosts)."""
    results = {}
    for name, check in CHECKS.items():
        try:
            check(settings)
            results[name] = "ok"
        except Exception as exc:
            log.warning("readiness: %s unavailable: %s: %s", name, type(exc).__name__, str(exc)[:300])
            results[name] = "unavailable"
    return results


def queue_depth() -> dict[str, int]:
    return {"pending": int(huey.pending_count()), "scheduled": int(huey.scheduled_count())}
