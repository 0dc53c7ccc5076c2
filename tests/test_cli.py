"""The command line as a new user meets it: bootstrap, serve, curl, keys."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.procs import env_for, free_port, run, start, stop, wait_up
from timbre.cli import public_url


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    port = free_port()
    env = env_for(tmp_path / "data", TIMBRE_PUBLIC_URL=f"http://127.0.0.1:{port}")
    proc = start(["serve", "--port", str(port)], env, tmp_path / "serve.log")
    try:
        wait_up(proc, f"http://127.0.0.1:{port}/health")
        yield f"http://127.0.0.1:{port}", env
    finally:
        stop(proc)


def test_bootstrap_is_idempotent_and_prints_json(tmp_path: Path) -> None:
    env = env_for(tmp_path / "data")
    first = run(["bootstrap", "--json"], env)
    assert first.returncode == 0, first.stderr
    again = run(["bootstrap", "--json"], env)
    one, two = json.loads(first.stdout), json.loads(again.stdout)
    assert one == two
    assert {"team_id", "user_id", "api_keys"} <= set(one)
    assert set(one["api_keys"]) == {"test", "live"}
    human = run(["bootstrap"], env)
    assert one["api_keys"]["test"] in human.stdout and "http://" in human.stdout


def test_serve_then_the_first_calls_of_the_readme(served: tuple[str, dict[str, str]]) -> None:
    url, env = served
    keys = json.loads(run(["bootstrap", "--json"], env).stdout)
    headers = {"Authorization": f"Bearer {keys['api_keys']['test']}"}
    res = httpx.get(f"{url}/v2/teams", headers=headers)
    assert res.status_code == 200
    body = res.json()
    assert body["success"] is True and body["has_more"] is False and body["total_results"] == 1
    assert body["data"][0]["id"] == keys["team_id"] and "next" in body
    res = httpx.put(f"{url}/v2/teams/{keys['team_id']}", headers=headers,
                    json={"legal_name": "ESCUELA KEMPER URGATE", "tax_id": "EKU9003173C9", "tax_system": "601"})
    assert res.status_code == 200
    assert httpx.get(f"{url}/v2/openapi.json").json()["info"]["title"] == "Timbre API"


def test_keys_create_and_revoke_from_the_cli(served: tuple[str, dict[str, str]]) -> None:
    url, env = served
    run(["bootstrap", "--json"], env)
    created = run(["keys", "create", "--mode", "live", "--role", "viewer", "--name", "ops"], env)
    assert created.returncode == 0, created.stderr
    key = json.loads(created.stdout)
    headers = {"Authorization": key["key"]}
    team = httpx.get(f"{url}/v2/teams", headers=headers).json()["data"][0]
    assert team["livemode"] is True
    assert run(["keys", "revoke", key["id"]], env).returncode == 0
    assert httpx.get(f"{url}/v2/teams", headers=headers).status_code == 401
    listed = run(["keys", "list"], env).stdout
    assert key["key"] not in listed and key["id"] in listed
    assert run(["keys", "revoke", "key_missing"], env).returncode == 2


def test_serve_stops_promptly_on_sigterm(tmp_path: Path) -> None:
    """As `docker stop` or systemd stop it: the job consumer running inside must not swallow the signal."""
    import signal
    import time

    port = free_port()
    env = env_for(tmp_path / "data", TIMBRE_PUBLIC_URL=f"http://127.0.0.1:{port}")
    log = tmp_path / "serve.log"
    proc = start(["serve", "--port", str(port)], env, log)
    try:
        wait_up(proc, f"http://127.0.0.1:{port}/health")
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        # uvicorn shuts down, then re-raises the signal so the exit status tells why it stopped
        assert proc.wait(timeout=10) in (0, -signal.SIGTERM)
        assert time.monotonic() - started < 10
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert "Application shutdown complete" in log.read_text()


@pytest.mark.parametrize(("host", "url"), [
    ("127.0.0.1", "http://127.0.0.1:8123"), ("0.0.0.0", "http://127.0.0.1:8123"),  # noqa: S104
    ("::", "http://127.0.0.1:8123"), ("::1", "http://[::1]:8123"), ("api.example.mx", "http://api.example.mx:8123")])
def test_serve_links_follow_its_host_and_port_without_a_public_url(host: str, url: str) -> None:
    # (tests/test_readme.py downloads an invoice's files through such links from a real `serve --port`)
    assert public_url(host, 8123) == url
