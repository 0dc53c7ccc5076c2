"""The one Huey instance of this process, chosen by settings at import time."""

from __future__ import annotations

from huey import Huey, RedisHuey, SqliteHuey

from timbre.config import get_settings
from timbre.kit.private import private_file
from timbre.worker.signals import observe


def make_huey() -> Huey:
    settings = get_settings()
    if settings.redis_url:
        return RedisHuey("timbre", url=settings.redis_url, utc=True)
    jobs = private_file(settings.data_dir / "jobs.db")
    return SqliteHuey("timbre", filename=str(jobs.resolve()), utc=True)


huey = make_huey()
observe(huey)
