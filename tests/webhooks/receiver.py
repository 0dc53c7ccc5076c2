"""A real HTTP receiver on 127.0.0.1 for webhook tests: records every request it answers and replies with a
scripted sequence of statuses (the last one repeats)."""

from __future__ import annotations

import json
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks.webhooks import Webhook as Verifier


@dataclass
class Received:
    headers: dict[str, str]
    body: str

    @property
    def json(self) -> dict[str, Any]:
        parsed: dict[str, Any] = json.loads(self.body)
        return parsed

    def verify(self, secret: str) -> dict[str, Any]:
        """Checked with the Standard Webhooks library's own verifier (raises if the signature is wrong)."""
        verified: dict[str, Any] = Verifier(secret).verify(self.body, self.headers)
        return verified


@dataclass
class Receiver:
    statuses: list[int] = field(default_factory=lambda: [200])
    answer: bytes = b'{"ok":true}'
    redirect_to: str | None = None
    hold: threading.Event | None = None  # when set, requests wait for it before answering
    received: list[Received] = field(default_factory=list)
    arrived: int = 0  # requests read, answered or not yet
    port: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def next_status(self) -> int:
        with self._lock:
            return self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]

    def ids(self) -> list[str]:
        with self._lock:
            return [r.headers["webhook-id"] for r in self.received]

    def types(self) -> list[str]:
        with self._lock:
            return [r.json["type"] for r in self.received]


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length") or 0)).decode()
            with receiver._lock:
                receiver.arrived += 1
            if receiver.hold is not None:
                receiver.hold.wait(60)
            status = receiver.next_status()
            with receiver._lock:  # recorded before the answer leaves, so a sender that got it sees it recorded
                receiver.received.append(Received({k.lower(): v for k, v in self.headers.items()}, body))
            self.send_response(status)
            if receiver.redirect_to and 300 <= status < 400:
                self.send_header("location", receiver.redirect_to)
            self.send_header("content-length", str(len(receiver.answer)))
            self.end_headers()
            self.wfile.write(receiver.answer)

        def log_message(self, *_args: Any) -> None:
            pass

    return Handler


@contextmanager
def receiver(statuses: list[int] | None = None, *, bind: tuple[str, int] = ("127.0.0.1", 0),
             tls: ssl.SSLContext | None = None, **kwargs: Any) -> Iterator[Receiver]:
    """A receiver listening on `bind` (any free port by default), over TLS with the `tls` server context."""
    state = Receiver(statuses=statuses or [200], **kwargs)
    server = ThreadingHTTPServer(bind, _handler(state))
    server.daemon_threads = True
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        if state.hold is not None:
            state.hold.set()
        server.shutdown()
        server.server_close()
