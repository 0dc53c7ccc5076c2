"""`/health`, `/ready` and `/metrics` through the app: real database, queue and storage."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from tests.invoices.conftest import EMISOR_NAME, EMISOR_RFC, make_ready
from timbre.app import create_app
from timbre.cfdi import testca
from timbre.config import Settings
from timbre.health.checks import readiness


def samples(client: TestClient) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    res = client.get("/metrics")
    assert res.status_code == 200 and res.headers["content-type"].startswith("text/plain")
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(res.text) for s in family.samples}


def value(found: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str) -> float:
    return found.get((name, frozenset(labels.items())), 0.0)


class TestHealth:
    def test_alive(self, client: TestClient) -> None:
        res = client.get("/health")
        assert res.status_code == 200 and res.json()["data"]["status"] == "ok"


class TestReady:
    def test_every_dependency_answers(self, client: TestClient) -> None:
        res = client.get("/ready")
        assert res.status_code == 200, res.text
        assert res.json()["data"]["checks"] == {"database": "ok", "queue": "ok", "storage": "ok"}

    def test_unreachable_database_and_storage_are_503(self, tmp_path: Path) -> None:
        (tmp_path / "files").write_text("a file where the storage directory should be")
        settings = Settings(data_dir=tmp_path, database_url="postgresql+psycopg://timbre@127.0.0.1:1/none",
                            secret_key="x" * 48)
        assert readiness(settings) == {"database": "unavailable", "queue": "ok", "storage": "unavailable"}
        res = TestClient(create_app(settings), raise_server_exceptions=False).get("/ready")
        body = res.json()
        assert res.status_code == 503 and body["success"] is False
        assert body["error"]["code"] == "not_ready" and "database, storage" in body["message"]
        assert "127.0.0.1" not in res.text  # reasons are logged, not shown


class TestMetrics:
    def test_requests_by_route_template(self, client: TestClient) -> None:
        before = samples(client)
        for _ in range(3):
            assert client.get("/v2/invoices/income/0f0e0d0c-0000-4000-8000-000000000000").status_code == 401
        assert client.get("/no/such/page").status_code == 404
        after = samples(client)
        route = {"method": "GET", "route": "/v2/invoices/income/{uuid}"}
        counted = value(after, "timbre_http_requests_total", **route, status="401") - \
            value(before, "timbre_http_requests_total", **route, status="401")
        assert counted == 3
        timed = value(after, "timbre_http_request_duration_seconds_count", **route) - \
            value(before, "timbre_http_request_duration_seconds_count", **route)
        assert timed == 3
        assert value(after, "timbre_http_requests_total", method="GET", route="unmatched", status="404") >= 1
        assert not any("0f0e0d0c" in str(labels) for _, labels in after)  # never a label per id
        assert value(after, "timbre_queue_depth", state="pending") >= 0
        assert ("timbre_queue_depth", frozenset({("state", "scheduled")})) in after

    def test_stamps_pac_latency_and_credits(self, client: TestClient) -> None:
        ready = make_ready(client, testca.make_test_csd(EMISOR_RFC, EMISOR_NAME))
        before = samples(client)
        assert ready.create().status_code == 201
        rejected = ready.create(items=[ready.item(unit_key="XXX")])
        assert rejected.status_code == 400
        after = samples(client)
        stamped = value(after, "timbre_stamps_total", pac="sandbox", outcome="stamped") - \
            value(before, "timbre_stamps_total", pac="sandbox", outcome="stamped")
        assert stamped == 1
        latency = value(after, "timbre_pac_request_duration_seconds_count", pac="sandbox", operation="stamp") - \
            value(before, "timbre_pac_request_duration_seconds_count", pac="sandbox", operation="stamp")
        assert latency == 1
        spent = value(after, "timbre_credits_spent_total") - value(before, "timbre_credits_spent_total")
        assert spent == 1
        assert ("timbre_webhook_deliveries_total", frozenset()) not in after  # defined, labelled by outcome
