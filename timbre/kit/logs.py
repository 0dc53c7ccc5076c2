"""Structured logs: one JSON object per line, each carrying the request id of the request (or job) it belongs to.

The request id comes from the caller's `X-Request-Id` header when it is a plain token, else it is generated; it
is returned as `X-Request-Id` (`kit.observe`), kept in a context variable for the request's log lines, and
carried into the jobs the request enqueues (as the prefix of the Huey task id, see `kit.jobs`), so that
one id follows a request from nginx to the worker that sends its e-mail.
"""

from __future__ import annotations

import logging
import logging.config
import re
import secrets
from contextvars import ContextVar
from typing import Any

from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

request_id: ContextVar[str | None] = ContextVar("timbre_request_id", default=None)

_INCOMING = re.compile(r"^[A-Za-z0-9_\-]{1,64}$")
# A job id is `<request id>.<random>`: request ids never contain a dot.
_JOB_SEPARATOR = "."


def new_request_id() -> str:
    return "req_" + secrets.token_hex(10)


def accept_request_id(header: str | None) -> str:
    """The caller's request id when it is a plain token (nginx's `$request_id`, a UUID...), else a new one:
    anything else could smuggle text into log lines."""
    if header and _INCOMING.match(header):
        return header
    return new_request_id()


def job_id(job_token: str) -> str:
    """A Huey task id that carries the current request id, if any."""
    current = request_id.get()
    return f"{current}{_JOB_SEPARATOR}{job_token}" if current else job_token


def request_id_of_job(task_id: str) -> str | None:
    head, sep, _ = task_id.rpartition(_JOB_SEPARATOR)
    return head if sep and _INCOMING.match(head) else None


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record (None outside a request or job)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


class JsonFormatter(_JsonFormatter):
    """`{"time", "level", "logger", "message", "request_id", ...extra}`: time in UTC ISO 8601."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("fmt", "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s")
        kwargs.setdefault("rename_fields", {"asctime": "time", "levelname": "level", "name": "logger"})
        kwargs.setdefault("datefmt", "%Y-%m-%dT%H:%M:%S%z")
        super().__init__(*args, **kwargs)


_LOGGERS = ("timbre", "huey", "uvicorn", "uvicorn.error", "uvicorn.access", "alembic")


def logging_config(level: str = "info", fmt: str = "json") -> dict[str, Any]:
    """A `logging.config.dictConfig` for `timbre serve` (given to uvicorn) and `timbre worker`."""
    formatter: dict[str, Any] = (
        {"()": "timbre.kit.logs.JsonFormatter"} if fmt == "json"
        else {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"})
    loggers: dict[str, Any] = {name: {"level": level.upper(), "handlers": ["stderr"], "propagate": False}
                               for name in _LOGGERS}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "timbre.kit.logs.RequestIdFilter"},
                    "redact_secrets": {"()": "timbre.kit.redact.RedactSecrets"}},
        "formatters": {"default": formatter},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "stream": "ext://sys.stderr",
                                "formatter": "default", "filters": ["request_id", "redact_secrets"]}},
        "loggers": loggers,
        "root": {"level": "WARNING", "handlers": ["stderr"]},
    }


def configure(level: str = "info", fmt: str = "json") -> None:
    logging.config.dictConfig(logging_config(level, fmt))
