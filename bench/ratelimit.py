"""What the rate limiter adds to a request: the middleware around a no-op app, with a genuine API key, against
the no-op alone (memory storage, the default). Usage: .venv/bin/python bench/ratelimit.py [--requests N]"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
import time
from typing import Any

os.environ.setdefault("TIMBRE_DATA_DIR", tempfile.mkdtemp(prefix="timbre-bench-"))
os.environ.setdefault("TIMBRE_SECRET_KEY", "bench-secret-0123456789abcdef0123456789")

from timbre.auth import tokens
from timbre.config import Settings
from timbre.kit.ratelimit import RateLimitMiddleware


async def _noop(_scope: Any, _receive: Any, _send: Any) -> None:
    return None


def _key_of(secret: str) -> Any:
    def key_of(token: str) -> str | None:
        claims = tokens.verify(secret, token)
        return None if claims is None else claims.key_id

    return key_of


async def _time(app: Any, scope: dict[str, Any], n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        await app(scope, None, None)
    return (time.perf_counter() - start) / n * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=50_000)
    args = parser.parse_args()
    settings = Settings(rate_limit_key="1000000/second")
    secret = settings.secret()
    token = tokens.sign(secret, tokens.KeyClaims(team="team_bench", livemode=False, key_id="key_test_bench", iat=1))
    scope = {"type": "http", "method": "POST", "path": "/v2/invoices/income", "client": ("127.0.0.1", 5000),
             "headers": [(b"content-type", b"application/json"), (b"authorization", f"Bearer {token}".encode())]}
    limited = RateLimitMiddleware(_noop, settings, _key_of(secret))
    best: dict[str, float] = {}
    for _ in range(5):  # best of 5: the host is shared
        for name, app in (("noop_us", _noop), ("rate_limited_us", limited)):
            best[name] = min(best.get(name, 1e9), asyncio.run(_time(app, scope, args.requests)))
    best["added_us"] = best["rate_limited_us"] - best["noop_us"]
    print(json.dumps({k: round(v, 2) for k, v in best.items()}))


if __name__ == "__main__":
    main()
