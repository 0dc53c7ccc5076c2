"""Folios across server processes: two `timbre serve` processes on the suite's database (SQLite or
PostgreSQL) take 50 concurrent creations in one series and hand out 50 distinct consecutive folios."""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.invoices.checks import assert_folios_written
from tests.invoices.conftest import Ready
from tests.procs import env_for, free_port, start, wait_up


@pytest.fixture
def two_servers(tmp_path: Path) -> Iterator[list[str]]:
    urls, procs = [], []
    try:
        for n in range(2):
            port = free_port()
            env = env_for(tmp_path / f"data{n}", TIMBRE_DATABASE_URL=os.environ["TIMBRE_DATABASE_URL"],
                          TIMBRE_SECRET_KEY=os.environ["TIMBRE_SECRET_KEY"],
                          TIMBRE_PUBLIC_URL=f"http://127.0.0.1:{port}")
            procs.append(start(["serve", "--port", str(port)], env, tmp_path / f"serve{n}.log"))
            urls.append(f"http://127.0.0.1:{port}")
        for proc, url in zip(procs, urls, strict=True):
            wait_up(proc, f"{url}/health")
        yield urls
    finally:
        for proc in procs:  # graceful shutdown is not what this test is about: don't wait for it
            proc.kill()
            proc.wait(timeout=10)


def test_fifty_concurrent_creations_on_two_processes(ready: Ready, two_servers: list[str]) -> None:
    body = ready.body(series="MP")

    def create(n: int) -> httpx.Response:
        return httpx.post(f"{two_servers[n % 2]}/v2/invoices/income", headers=ready.headers, json=body, timeout=60)

    with ThreadPoolExecutor(max_workers=16) as pool:
        responses = list(pool.map(create, range(50)))
    assert [r.status_code for r in responses] == [201] * 50, [r.text for r in responses if r.status_code != 201][:2]
    folios = sorted(r.json()["data"]["folio_number"] for r in responses)
    assert folios == list(range(1, 51))
    assert len({r.json()["data"]["uuid"] for r in responses}) == 50
    assert_folios_written([r.json()["data"]["id"] for r in responses])
    listed = ready.client.get("/v2/invoices/income", headers=ready.headers, params={"series": "MP", "limit": 100})
    assert listed.json()["total_results"] == 50
