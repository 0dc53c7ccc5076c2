"""The web pages in a real headless Chromium (Debian's `chromium`, driven by Playwright)."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, sync_playwright

from tests.procs import env_for, free_port, run, start, stop, wait_up

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Debian's chromium is not installed (scripts/system-deps.sh installs it)")
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = env_for(tmp_path / "data", TIMBRE_PUBLIC_URL=url)
    keys = json.loads(run(["bootstrap", "--json"], env).stdout)
    proc = start(["serve", "--port", str(port)], env, tmp_path / "serve.log")
    try:
        wait_up(proc, f"{url}/health")
        yield url, {"Authorization": f"Bearer {keys['api_keys']['test']}", "team": keys["team_id"],
                    "user": keys["user_id"]}
    finally:
        stop(proc)


def test_onboarding_page(browser: Browser, server: tuple[str, dict[str, str]], tmp_path: Path) -> None:
    url, info = server
    headers = {"Authorization": info["Authorization"]}
    httpx.put(f"{url}/v2/teams/{info['team']}", headers=headers,
              json={"legal_name": "ESCUELA KEMPER URGATE", "tax_id": "EKU9003173C9", "tax_system": "601",
                    "brand": {"primary_color": "#AA2200"}}).raise_for_status()
    link = httpx.get(f"{url}/v2/teams/{info['team']}/onboarding-url", headers=headers).json()["data"]
    page = browser.new_page()
    page.goto(link)
    assert "ESCUELA KEMPER URGATE" in page.inner_text("#heading")
    steps = page.inner_text("#steps")
    assert "EKU9003173C9" in steps and "pendiente" in steps
    color = page.eval_on_selector("header", "el => getComputedStyle(el).backgroundColor")
    assert color == "rgb(170, 34, 0)"
    page.screenshot(path=str(tmp_path / "onboarding.png"))
    again = httpx.get(f"{url}/v2/teams/{info['team']}/onboarding-url", headers=headers).json()["data"]
    assert page.goto(again) is not None and page.goto(link).status == 200  # reading a link renews nothing
    newer = httpx.post(f"{url}/v2/teams/{info['team']}/onboarding-url", headers=headers).json()["data"]
    assert newer != link
    response = page.goto(link)
    assert response is not None and response.status == 410
    assert "reemplazado" in page.inner_text("#message")
    page.close()


def test_password_reset_form(browser: Browser, server: tuple[str, dict[str, str]]) -> None:
    url, info = server
    headers = {"Authorization": info["Authorization"]}
    httpx.post(f"{url}/v2/users/{info['user']}/reset-password", headers=headers).raise_for_status()
    # no SMTP configured: the e-mail is only recorded (never its link); an admin signs in with a login link
    link = httpx.post(f"{url}/v2/users/{info['user']}/login-link", headers=headers).json()["data"]["url"]
    page = browser.new_page()
    page.goto(link)
    assert "Iniciar sesión como" in page.inner_text("#heading")
    page.click("#login")
    page.wait_for_selector("#heading:has-text('Sesión iniciada')")
    page.goto(link)
    assert page.inner_text("#heading") == "Enlace no válido"
    page.close()
    assert re.match(r"http://127\.0\.0\.1:\d+/login/", link)
