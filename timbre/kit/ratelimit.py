"""Rate limits (the `limits` library): per API key, and per client IP for requests without one (portal pages,
file links, sign-in links, and any request whose key is missing or forged).

Counters live in memory (per process) by default and in Redis when `TIMBRE_REDIS_URL` is set (shared by every
process). The limits are `TIMBRE_RATE_LIMIT_KEY` and `TIMBRE_RATE_LIMIT_IP` in the `limits` notation
("2000/second;100000/minute"; empty: no limit). A refused request is a 429 in the error envelope with
`Retry-After` and `X-RateLimit-Limit`, `X-RateLimit-Remaining`, `X-RateLimit-Reset`. The health routes are
never limited, and if Redis is unreachable requests pass (a limiter outage must not take the API down).
"""

from __future__ import annotations

import json
import logging
import math
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from typing import Any

from limits import RateLimitItem, WindowStats, parse_many
from limits.aio.storage import RedisStorage as AsyncRedisStorage
from limits.aio.strategies import FixedWindowRateLimiter as AsyncFixedWindow
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter

from timbre.config import Settings
from timbre.errors import error_payload

Scope = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Any, Any], Awaitable[None]]
KeyOf = Callable[[str], "str | None"]  # the key id of a genuine bearer token, else None

log = logging.getLogger("timbre.ratelimit")
EXEMPT = frozenset({"/health", "/v2/health", "/v2/ping"})


class _MemoryStorage(MemoryStorage):
    """`limits`' memory storage, sweeping expired counters once a second instead of 100 times: it starts a new
    timer thread whenever its last one has fired, and with a 10 ms timer that was a thread per request. (A
    counter past its window is still reset when it is hit: the sweep only frees idle ones.)"""

    SWEEP_S = 1.0

    def _MemoryStorage__schedule_expiry(self) -> None:  # overrides the library's private scheduler (limits 5.8)
        if not self.timer.is_alive():
            self.timer = threading.Timer(self.SWEEP_S, self._MemoryStorage__expire_events)  # type: ignore[attr-defined]
            self.timer.daemon = True
            self.timer.start()


class _Limiter:
    """A fixed-window limiter: synchronous in memory (a dict update, no reason to leave the event loop),
    asynchronous on Redis."""

    def __init__(self, redis_url: str | None) -> None:
        self.sync: FixedWindowRateLimiter | None = None
        self.aio: AsyncFixedWindow | None = None
        if redis_url:
            storage = AsyncRedisStorage(f"async+{redis_url}", implementation="redispy", key_prefix="timbre-ratelimit")
            self.aio = AsyncFixedWindow(storage)
        else:
            self.sync = FixedWindowRateLimiter(_MemoryStorage())

    async def hit(self, item: RateLimitItem, *identifiers: str) -> bool:
        if self.sync is not None:
            return self.sync.hit(item, *identifiers)
        assert self.aio is not None
        try:
            return await self.aio.hit(item, *identifiers)
        except Exception as exc:  # Redis down or unreachable: let the request through
            log.warning("rate limiter unavailable: %s", type(exc).__name__)
            return True

    async def stats(self, item: RateLimitItem, *identifiers: str) -> WindowStats:
        if self.sync is not None:
            return self.sync.get_window_stats(item, *identifiers)
        assert self.aio is not None
        return await self.aio.get_window_stats(item, *identifiers)


class RateLimitMiddleware:
    def __init__(self, app: ASGIApp, settings: Settings, key_of: KeyOf) -> None:
        self.app = app
        self.key_of = key_of
        self.per_key: Sequence[RateLimitItem] = parse_many(settings.rate_limit_key) if settings.rate_limit_key else ()
        self.per_ip: Sequence[RateLimitItem] = parse_many(settings.rate_limit_ip) if settings.rate_limit_ip else ()
        self.limiter = _Limiter(settings.redis_url)

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"] in EXEMPT:
            await self.app(scope, receive, send)
            return
        kind, who, items = self._identify(scope)
        for item in items:
            if not await self.limiter.hit(item, kind, who):
                await self._refuse(send, item, await self.limiter.stats(item, kind, who))
                return
        await self.app(scope, receive, send)

    def _identify(self, scope: Scope) -> tuple[str, str, Sequence[RateLimitItem]]:
        for name, value in scope["headers"]:
            if name == b"authorization":
                token = value.decode("latin-1").strip()
                if token[:7].lower() == "bearer ":
                    token = token[7:].strip()
                key_id = self.key_of(token)
                if key_id is not None:
                    return "key", key_id, self.per_key
                break
        client = scope.get("client")
        return "ip", client[0] if client else "unknown", self.per_ip

    @staticmethod
    async def _refuse(send: Any, item: RateLimitItem, stats: WindowStats) -> None:
        retry_after = max(1, math.ceil(stats.reset_time - time.time()))
        body = json.dumps(error_payload(429, "rate_limit_exceeded", "Too many requests",
                                        f"Rate limit of {item} exceeded; retry in {retry_after} s")).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                   (b"retry-after", str(retry_after).encode()), (b"x-ratelimit-limit", str(item.amount).encode()),
                   (b"x-ratelimit-remaining", str(max(stats.remaining, 0)).encode()),
                   (b"x-ratelimit-reset", str(math.ceil(stats.reset_time)).encode())]
        await send({"type": "http.response.start", "status": 429, "headers": headers})
        await send({"type": "http.response.body", "body": body})
