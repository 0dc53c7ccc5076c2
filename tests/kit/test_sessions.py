"""Request sessions under load: more concurrent requests than the connection pool's size still finish."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

from fastapi.testclient import TestClient

from tests.factories import bearer, create_account


def test_many_concurrent_reads_never_wait_for_a_connection(client: TestClient) -> None:
    """Read-only sessions begin on the event loop: were the pool bounded, the loop could wait for a
    connection that only the requests it serves give back (a stall until the pool's 30 s timeout)."""
    account = create_account()
    headers = bearer(account.test_key)
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=60) as pool:
        statuses = list(pool.map(lambda _: client.get("/v2/clients", headers=headers).status_code, range(240)))
    assert statuses == [200] * 240
    assert time.monotonic() - started < 20
