"""Banxico's SIE API replayed from recorded answers: a requests transport adapter (the only thing mocked)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import requests
from requests.adapters import BaseAdapter

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "banxico"


class Recorded(BaseAdapter):
    """Answers every request with one recorded body and status; keeps the requests it saw."""

    def __init__(self, body: bytes, status: int = 200, *, error: Exception | None = None) -> None:
        super().__init__()
        self.body, self.status, self.error = body, status, error
        self.seen: list[requests.PreparedRequest] = []

    def send(self, request: requests.PreparedRequest, stream: bool = False, timeout: Any = None,
             verify: Any = True, cert: Any = None, proxies: Mapping[str, str] | None = None) -> requests.Response:
        self.seen.append(request)
        if self.error is not None:
            raise self.error
        response = requests.Response()
        response.status_code = self.status
        response._content = self.body
        response.headers["Content-Type"] = "application/json"
        response.url = request.url or ""
        response.request = request
        return response

    def close(self) -> None:
        pass


def session_with(adapter: Recorded) -> requests.Session:
    session = requests.Session()
    session.mount("https://", adapter)
    return session


def recorded_sie() -> Recorded:
    return Recorded((FIXTURES / "sie_SF43718_SF46410.json").read_bytes())


def series_csv(rows: Mapping[str, str]) -> bytes:
    """A SIE CSV of SF43718 shaped like the fixture, with these `dd/mm/yyyy -> value` rows."""
    fixture = (FIXTURES / "SF43718_fix.csv").read_bytes().decode("latin-1")
    head = fixture[: fixture.index('"Fecha","SF43718"\n') + len('"Fecha","SF43718"\n')]
    return (head + "".join(f'"{day}","{value}"\n' for day, value in rows.items())).encode("latin-1")
