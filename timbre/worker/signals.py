"""Huey signal handlers: a job's log lines carry the request id that enqueued it; job outcomes are counted."""

from __future__ import annotations

from typing import Any

from huey import Huey
from huey import signals as S

from timbre.kit import metrics
from timbre.kit.logs import request_id, request_id_of_job


def observe(huey: Huey) -> None:
    @huey.signal(S.SIGNAL_EXECUTING)
    def _executing(_signal: str, task: Any, *_args: Any) -> None:
        # Consumer threads run one job at a time: the id stays set until the job ends.
        request_id.set(request_id_of_job(str(task.id)))

    @huey.signal(S.SIGNAL_COMPLETE)
    def _complete(_signal: str, task: Any, *_args: Any) -> None:
        metrics.JOBS.labels(task.name, "complete").inc()
        request_id.set(None)

    @huey.signal(S.SIGNAL_ERROR)
    def _error(_signal: str, task: Any, *_args: Any) -> None:
        metrics.JOBS.labels(task.name, "error").inc()
        metrics.JOB_FAILURES.labels(task.name).inc()
        request_id.set(None)
