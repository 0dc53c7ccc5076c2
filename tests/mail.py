"""A real local SMTP server (aiosmtpd) for tests."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from aiosmtpd.controller import Controller

from tests.procs import free_port


class Inbox:
    def __init__(self) -> None:
        self.messages: list[str] = []
        self.port = 0

    async def handle_DATA(self, _server: object, _session: object, envelope: object) -> str:
        self.messages.append(envelope.content.decode())  # type: ignore[attr-defined]
        return "250 OK"

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def wait_for(self, count: int, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.1)


@contextmanager
def smtp_server() -> Iterator[Inbox]:
    inbox = Inbox()
    inbox.port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()
