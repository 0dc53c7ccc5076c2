"""Replay recorded PAC answers by replacing only requests' HTTP transport (no network)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
from requests.adapters import HTTPAdapter

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "pac"


@dataclass
class Exchange:
    """One recorded answer, and what the client sent for it."""

    status: int = 200
    body: bytes = b""
    content_type: str = "text/xml; charset=utf-8"
    error: Exception | None = None
    sent: list[requests.PreparedRequest] = field(default_factory=list)
    options: list[dict[str, Any]] = field(default_factory=list)


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def _answer(exchange: Exchange, request: requests.PreparedRequest) -> requests.Response:
    """The recorded answer to `request` (or the recorded network error, raised)."""
    if exchange.error is not None:
        raise exchange.error
    response = requests.Response()
    response.status_code = exchange.status
    response._content = exchange.body
    response.headers["Content-Type"] = exchange.content_type
    response.url = request.url or ""
    response.request = request
    return response


def replay(monkeypatch: pytest.MonkeyPatch, exchange: Exchange) -> Exchange:
    def send(self: HTTPAdapter, request: requests.PreparedRequest, **options: Any) -> requests.Response:
        exchange.sent.append(request)
        exchange.options.append(options)
        return _answer(exchange, request)

    monkeypatch.setattr(HTTPAdapter, "send", send)
    return exchange


def replay_in_order(monkeypatch: pytest.MonkeyPatch, exchanges: list[Exchange]) -> list[requests.PreparedRequest]:
    """Answer successive requests with `exchanges`, in order; returns the requests sent (for a conversation
    of several calls, such as Finkok's manifest service: its WSDL, then two operations)."""
    sent: list[requests.PreparedRequest] = []

    def send(self: HTTPAdapter, request: requests.PreparedRequest, **options: Any) -> requests.Response:
        sent.append(request)
        exchange = exchanges[len(sent) - 1]
        exchange.options.append(options)
        return _answer(exchange, request)

    monkeypatch.setattr(HTTPAdapter, "send", send)
    return sent
