"""Request ids (`X-Request-Id`), carried into the jobs a request enqueues, and JSON log lines."""

from __future__ import annotations

import io
import json
import logging

from fastapi.testclient import TestClient

from tests.factories import create_account, run_jobs
from timbre.kit import jobs, logs
from timbre.kit.db import session_scope
from timbre.worker import huey


@huey.task()
def _probe(word: str) -> None:
    logging.getLogger("timbre.test-probe").info("probe %s", word)


class TestRequestId:
    def test_generated_when_absent(self, client: TestClient) -> None:
        first, second = client.get("/health"), client.get("/health")
        assert first.headers["x-request-id"].startswith("req_")
        assert first.headers["x-request-id"] != second.headers["x-request-id"]

    def test_callers_id_is_kept(self, client: TestClient) -> None:
        res = client.get("/v2/teams", headers={"X-Request-Id": "lb-7f3a9c"})
        assert res.status_code == 401 and res.headers["x-request-id"] == "lb-7f3a9c"

    def test_unsafe_id_is_replaced(self, client: TestClient) -> None:
        res = client.get("/health", headers={"X-Request-Id": "bad id\" injected=1"})
        assert res.headers["x-request-id"].startswith("req_")

    def test_carried_into_the_jobs_the_request_enqueues(self, client: TestClient) -> None:
        account = create_account()
        child = client.post("/v2/teams", json={"legal_name": "Temporal"}, headers=account.headers()).json()["data"]
        res = client.delete(f"/v2/teams/{child['id']}", headers={**account.headers(), "X-Request-Id": "del-42"})
        assert res.status_code == 200, res.text
        queued = huey.pending() + huey.scheduled()
        assert [logs.request_id_of_job(task.id) for task in queued] == ["del-42"]

    def test_job_log_lines_carry_it(self, database: str) -> None:
        records: list[logging.LogRecord] = []

        class Keep(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                records.append(record)

        handler = Keep()
        handler.addFilter(logs.RequestIdFilter())
        logger = logging.getLogger("timbre.test-probe")
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        try:
            token = logs.request_id.set("job-req-1")
            with session_scope(database) as session:
                jobs.enqueue(session, _probe, "hello")
            logs.request_id.reset(token)
            assert logs.request_id.get() is None
            run_jobs()
        finally:
            logger.removeHandler(handler)
        assert [(r.getMessage(), getattr(r, "request_id", None)) for r in records] == [("probe hello", "job-req-1")]
        assert logs.request_id.get() is None


class TestJsonLogs:
    def test_one_json_object_per_line(self) -> None:
        stream = io.StringIO()
        handler = logging.StreamHandler(stream)
        handler.setFormatter(logs.JsonFormatter())
        handler.addFilter(logs.RequestIdFilter())
        logger = logging.getLogger("timbre.test-json")
        logger.addHandler(handler)
        logger.propagate = False
        token = logs.request_id.set("req_abc")
        try:
            logger.warning("stamped %s", "INV-1", extra={"invoice_id": "invoice_1"})
        finally:
            logs.request_id.reset(token)
            logger.removeHandler(handler)
        line = json.loads(stream.getvalue().strip())
        assert line["message"] == "stamped INV-1" and line["level"] == "WARNING"
        assert line["request_id"] == "req_abc" and line["invoice_id"] == "invoice_1"
        assert line["logger"] == "timbre.test-json" and line["time"]
