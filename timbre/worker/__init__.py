"""Huey wiring: `SqliteHuey` (in-process consumer) by default, `RedisHuey` with `timbre worker` processes."""

from timbre.worker.queue import huey

__all__ = ["huey"]
