"""Time helpers. Stored timestamps are integer milliseconds since the epoch (UTC)."""

import time
from datetime import UTC, datetime


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def utcnow() -> datetime:
    return datetime.now(UTC)


def ms_to_iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat().replace("+00:00", "Z")
