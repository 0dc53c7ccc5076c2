"""The guides of docs/ served at /docs/guides and linked from the API reference; in Chromium, a reader goes from
the list to a guide and follows a guide's link to another."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser

from tests.portal.test_pages_browser import browser
from tests.procs import env_for, free_port, start, stop, wait_up

__all__ = ["browser"]
GUIDES = {"invoices": "Invoices", "payments": "Payments and payment complements", "errors": "Errors"}


class TestGuidePages:
    def test_the_list_names_every_guide(self, client: TestClient) -> None:
        res = client.get("/docs/guides")
        assert res.status_code == 200 and res.headers["content-type"].startswith("text/html")
        for name, title in GUIDES.items():
            assert f'href="/docs/guides/{name}">{title}</a>' in res.text

    def test_a_guide_is_rendered_with_its_examples(self, client: TestClient) -> None:
        for path in ("/docs/guides/invoices", "/docs/guides/invoices.md"):
            res = client.get(path)
            assert res.status_code == 200
            assert "<h1>Invoices</h1>" in res.text and "<table>" not in res.text
            assert "&quot;test_csd&quot;: true" in res.text  # a real answer, escaped in a code block
        assert "<table>" in client.get("/docs/guides/errors").text

    def test_unknown_guides_are_404(self, client: TestClient) -> None:
        for name in ("nope", "..%2FREADME", "INVOICES"):
            res = client.get(f"/docs/guides/{name}")
            assert res.status_code == 404, name

    def test_the_api_reference_links_the_guides(self, client: TestClient) -> None:
        description = client.get("/v2/openapi.json").json()["info"]["description"]
        for name in GUIDES:
            assert f"(/docs/guides/{name})" in description


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    port = free_port()
    proc = start(["serve", "--port", str(port)], env_for(tmp_path / "data"), tmp_path / "serve.log")
    try:
        wait_up(proc, f"http://127.0.0.1:{port}/health")
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(proc)


def test_a_reader_goes_from_the_list_to_a_guide_and_on(browser: Browser, server: str) -> None:
    page = browser.new_page()
    page.goto(f"{server}/docs/guides")
    page.click("text=Invoices")
    assert page.inner_text("#guide h1") == "Invoices"
    page.click("#guide >> text=payments and complements")
    assert page.url == f"{server}/docs/guides/payments.md"
    assert page.inner_text("#guide h1") == "Payments and payment complements"
    page.close()
