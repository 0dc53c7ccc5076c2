"""Rate limits per API key and per client IP, in memory and in a real Redis shared by two app instances."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from fastapi.testclient import TestClient
from limits import parse
from limits.strategies import FixedWindowRateLimiter

from tests.factories import bearer, create_account, create_key
from timbre.app import create_app
from timbre.config import Settings
from timbre.kit.ratelimit import _MemoryStorage


def _client(**limits: str) -> TestClient:
    """An app with its own limiter (no lifespan: these routes need no warm catalogs)."""
    return TestClient(create_app(Settings(**limits)), raise_server_exceptions=False)  # type: ignore[arg-type]


def _assert_429(res: httpx.Response) -> None:
    assert res.status_code == 429
    body = res.json()
    assert body["success"] is False and body["error"]["code"] == "rate_limit_exceeded"
    assert body["message"] == "Too many requests"
    assert 1 <= int(res.headers["Retry-After"]) <= 60
    assert res.headers["X-RateLimit-Limit"] == "3" and res.headers["X-RateLimit-Remaining"] == "0"
    assert int(res.headers["X-RateLimit-Reset"]) > 0


class TestPerKey:
    def test_the_fourth_call_in_a_minute_is_429_and_another_key_is_not_counted(self) -> None:
        acct = create_account()
        client = _client(rate_limit_key="3/minute")
        assert [client.get("/v2/teams/integrations", headers=acct.headers()).status_code
                for _ in range(3)] == [200] * 3
        _assert_429(client.get("/v2/teams/integrations", headers=acct.headers()))
        _assert_429(client.post("/v2/clients", json={}, headers=acct.headers()))  # every method counts
        other = bearer(create_key(acct.team_id))
        assert client.get("/v2/teams/integrations", headers=other).status_code == 200

    def test_an_empty_limit_means_none(self) -> None:
        acct = create_account()
        client = _client(rate_limit_key="")
        assert {client.get("/v2/teams/integrations", headers=acct.headers()).status_code for _ in range(20)} == {200}


class TestPerClientIp:
    @pytest.mark.parametrize("path", ["/login/not-a-token", "/reset-password/not-a-token", "/pay/not-a-token",
                                      "/v2/files/x.pdf?expires=1&signature=" + "0" * 64])
    def test_pages_and_file_links_are_limited_per_ip(self, path: str) -> None:
        client = _client(rate_limit_ip="3/minute")
        assert [client.get(path).status_code < 429 for _ in range(3)] == [True] * 3
        _assert_429(client.get(path))
        _assert_429(client.get("/onboarding/x"))  # one budget per client, whatever the page

    def test_a_forged_key_counts_against_the_ip_not_a_key(self) -> None:
        acct = create_account()
        client = _client(rate_limit_ip="3/minute", rate_limit_key="100/minute")
        forged = acct.test_key[:-4] + ("AAAA" if not acct.test_key.endswith("AAAA") else "BBBB")
        assert [client.get("/v2/clients", headers=bearer(forged)).status_code for _ in range(3)] == [401] * 3
        _assert_429(client.get("/v2/clients", headers=bearer(forged)))
        assert client.get("/v2/clients", headers=acct.headers()).status_code == 200  # the genuine key has its own

    def test_health_is_never_limited(self) -> None:
        client = _client(rate_limit_ip="3/minute")
        assert {client.get("/health").status_code for _ in range(10)} == {200}


def _statuses_over_two_apps(redis_url: str, headers: dict[str, str], plan: list[int]) -> list[httpx.Response]:
    """Requests through two app instances (as two server processes would), in one event loop like a server's."""
    apps = [create_app(Settings(rate_limit_key="3/minute", redis_url=redis_url)) for _ in range(2)]

    async def calls() -> list[httpx.Response]:
        clients = [httpx.AsyncClient(transport=httpx.ASGITransport(app=a), base_url="http://testserver") for a in apps]
        try:
            return [await clients[i].get("/v2/teams/integrations", headers=headers) for i in plan]
        finally:
            for c in clients:
                await c.aclose()

    return asyncio.run(calls())


class TestRedis:
    def test_two_servers_share_the_counters(self, redis_url: str) -> None:
        acct = create_account()
        responses = _statuses_over_two_apps(redis_url, acct.headers(), [0, 1, 0, 1])
        assert [r.status_code for r in responses[:3]] == [200] * 3
        _assert_429(responses[3])

    def test_an_unreachable_redis_lets_requests_through(self) -> None:
        acct = create_account()
        responses = _statuses_over_two_apps("redis://127.0.0.1:1/0", acct.headers(), [0, 0, 0, 0])
        assert [r.status_code for r in responses] == [200] * 4


class TestMemoryStorage:
    def test_one_sweep_timer_serves_many_hits(self, monkeypatch: pytest.MonkeyPatch) -> None:
        # limits' own storage started a new timer thread whenever its 10 ms one had fired: one per request
        monkeypatch.setattr(_MemoryStorage, "SWEEP_S", 60.0)
        limiter = FixedWindowRateLimiter(_MemoryStorage())
        item = parse("1000/minute")
        for _ in range(500):  # until the library's first (10 ms) timer has fired and ours replaced it
            limiter.hit(item, "key", "a")
            if limiter.storage.timer.daemon:  # type: ignore[attr-defined]
                break
            time.sleep(0.01)
        timer = limiter.storage.timer  # type: ignore[attr-defined]
        for n in range(5):
            time.sleep(0.02)
            assert limiter.hit(item, "key", str(n))
        assert limiter.storage.timer is timer  # type: ignore[attr-defined]
        assert timer.daemon
        timer.cancel()

    def test_a_window_past_is_reset_on_its_next_hit(self) -> None:
        limiter = FixedWindowRateLimiter(_MemoryStorage())
        item = parse("2/second")
        assert [limiter.hit(item, "key", "a") for _ in range(3)] == [True, True, False]
        time.sleep(1.1)
        assert limiter.hit(item, "key", "a")
