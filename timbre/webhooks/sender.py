"""One HTTP POST to a webhook: 10 s timeout, no redirects followed, at most 1 KB of the answer read."""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import cache

import httpx

TIMEOUT_S = 10.0
KEEP_BYTES = 1024


@dataclass
class Outcome:
    ok: bool
    status_code: int | None
    duration_ms: int
    body: str | None
    error_category: str | None = None
    error: str | None = None


@cache
def _client() -> httpx.Client:
    """One client per process, shared by the worker threads (it is thread-safe): building one loads the CA
    bundle, ~100 ms, which would otherwise be paid per delivery."""
    return httpx.Client(timeout=TIMEOUT_S, follow_redirects=False, trust_env=False,
                        limits=httpx.Limits(max_connections=100, max_keepalive_connections=20))


def post(url: str, body: str, headers: dict[str, str], *, timeout: float = TIMEOUT_S) -> Outcome:
    started = time.monotonic()
    request_headers = {"content-type": "application/json", "user-agent": "Timbre-Webhooks/1", **headers}
    try:
        with _client().stream("POST", url, content=body.encode(), headers=request_headers,
                              timeout=timeout) as response:
            kept = b""
            for chunk in response.iter_raw():
                kept += chunk
                if len(kept) >= KEEP_BYTES:
                    break
            code = response.status_code
    except httpx.TimeoutException:
        return Outcome(False, None, _since(started), None, "network_or_timeout", "timed out")
    except httpx.HTTPError as exc:
        return Outcome(False, None, _since(started), None, "endpoint_unavailable", type(exc).__name__)
    text = kept[:KEEP_BYTES].decode("utf-8", "replace")
    if 300 <= code < 400:
        return Outcome(False, code, _since(started), text, "redirect", "redirects are not followed")
    if not 200 <= code < 300:
        return Outcome(False, code, _since(started), text, "http_response", f"HTTP {code}")
    return Outcome(True, code, _since(started), text)


def _since(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
