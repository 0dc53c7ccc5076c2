"""Prometheus metrics (the official `prometheus-client`), in multiprocess mode when several processes serve.

`timbre serve` and `timbre worker` set `PROMETHEUS_MULTIPROC_DIR` (default `<data dir>/metrics`) before this
module is imported: every process then writes its samples to memory-mapped files there and `/metrics`, on any
API process, adds up all of them (`prometheus_client.multiprocess`). A process that only imports the app
(tests, `create_app()` embedded elsewhere) keeps the ordinary in-process registry.

    timbre_http_requests_total{method,route,status}        route is the template: /v2/invoices/{invoice_id}
    timbre_http_request_duration_seconds{method,route}
    timbre_stamps_total{pac,outcome}                        stamped | rejected | unavailable
    timbre_pac_request_duration_seconds{pac,operation}
    timbre_jobs_total{task,outcome}                         complete | error
    timbre_job_failures_total{task}
    timbre_queue_depth{state}                               pending | scheduled (read from the queue at scrape)
    timbre_webhook_deliveries_total{outcome}                delivered | failed | ... (the webhooks area counts)
    timbre_credits_spent_total / timbre_credits_refunded_total
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from pathlib import Path

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from timbre.kit.private import private_dir

ENV = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = CONTENT_TYPE_LATEST
_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

HTTP_REQUESTS = Counter("timbre_http_requests_total", "HTTP requests by method, route template and status",
                        ["method", "route", "status"])
HTTP_LATENCY = Histogram("timbre_http_request_duration_seconds", "HTTP request latency by method and route template",
                         ["method", "route"], buckets=_LATENCY_BUCKETS)
STAMPS = Counter("timbre_stamps_total", "Stamping attempts by PAC and outcome (stamped, rejected, unavailable)",
                 ["pac", "outcome"])
PAC_LATENCY = Histogram("timbre_pac_request_duration_seconds", "Time spent in a PAC call", ["pac", "operation"],
                        buckets=_LATENCY_BUCKETS)
JOBS = Counter("timbre_jobs_total", "Jobs run by task and outcome (complete, error)", ["task", "outcome"])
JOB_FAILURES = Counter("timbre_job_failures_total", "Job runs that raised, by task", ["task"])
WEBHOOK_DELIVERIES = Counter("timbre_webhook_deliveries_total",
                             "Webhook delivery attempts by outcome (delivered, failed, ...)", ["outcome"])
CREDITS_SPENT = Counter("timbre_credits_spent_total", "Credits spent by stamped documents")
CREDITS_REFUNDED = Counter("timbre_credits_refunded_total", "Credits given back (rejected or abandoned documents)")


def multiprocess_dir() -> str | None:
    return os.environ.get(ENV) or None


def prepare_multiprocess_dir(path: Path) -> None:
    """Use `path` for this process and the processes it starts (must run before this module is imported by
    them). Files of processes that no longer run are removed, so that a restart starts the counters afresh
    instead of adding up every earlier run's."""
    private_dir(path)  # under the data folder, which only its owner may read
    os.environ.setdefault(ENV, str(path))
    for file in Path(os.environ[ENV]).glob("*.db"):
        pid = file.stem.rsplit("_", 1)[-1]
        if pid.isdigit() and not _alive(int(pid)):
            file.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@cache  # bounded: methods x route templates x statuses; labels() takes a lock and builds a key on every call
def _request_children(method: str, route: str, status: int) -> tuple[Counter, Histogram]:
    return HTTP_REQUESTS.labels(method, route, str(status)), HTTP_LATENCY.labels(method, route)


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    counter, histogram = _request_children(method, route, status)
    counter.inc()
    histogram.observe(seconds)


class _Default(Collector):
    def collect(self) -> Iterable[Metric]:
        return REGISTRY.collect()


class _QueueDepth(Collector):
    def __init__(self, depth: Callable[[], dict[str, int]]) -> None:
        self.depth = depth

    def collect(self) -> Iterator[Metric]:
        family = GaugeMetricFamily("timbre_queue_depth", "Jobs waiting in the queue", labels=["state"])
        for state, count in self.depth().items():
            family.add_metric([state], count)
        yield family


def render(queue_depth: Callable[[], dict[str, int]]) -> bytes:
    """The exposition text: every process's samples (multiprocess mode) or this process's, plus the queue."""
    registry = CollectorRegistry()
    directory = multiprocess_dir()
    if directory:
        MultiProcessCollector(registry, path=directory)  # type: ignore[no-untyped-call]
    else:
        registry.register(_Default())
    registry.register(_QueueDepth(queue_depth))
    return generate_latest(registry)
