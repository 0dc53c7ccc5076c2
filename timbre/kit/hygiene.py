"""Request hygiene, as ASGI middlewares around the whole application.

- `RejectNulMiddleware`: NUL characters in the path or query are a 400 before they reach the database
  (PostgreSQL text cannot store them; SQLite would, so the two databases would disagree).
- `BodyLimitMiddleware`: a body larger than `TIMBRE_MAX_BODY_BYTES` (1 MiB by default) is a 413 before it
  is parsed — from its `Content-Length`, or as soon as a streamed body passes the cap. Multipart uploads
  are left to their own, larger limits (`kit.uploads`).
- `ContainErrorsMiddleware`: an unexpected exception is answered with the 500 envelope here instead of
  escaping to the server, which would close the client's keep-alive connection (uvicorn closes every
  connection whose application raised).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import unquote_to_bytes

from starlette.exceptions import HTTPException
from starlette.requests import Request

from timbre.error_handlers import handle_unexpected
from timbre.errors import error_payload

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Any, Any], Awaitable[None]]


async def send_error(send: Any, status: int, code: str, message: str, detail: str) -> None:
    body = json.dumps(error_payload(status, code, message, detail)).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


class RejectNulMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            raw = scope.get("raw_path") or scope["path"].encode()
            query = scope.get("query_string", b"")
            if b"\x00" in unquote_to_bytes(raw) or b"\x00" in unquote_to_bytes(query):
                await send_error(send, 400, "bad_request", "Invalid request", "The URL contains a NUL character")
                return
        await self.app(scope, receive, send)


class BodyTooLarge(HTTPException):
    """Raised from `receive` when a streamed body passes the cap: FastAPI re-raises an HTTPException met
    while reading the body, so the route answers 413 through the app's error handler."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body is larger than {limit} bytes")


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope["headers"]:
        if key.lower() == name:
            return bytes(value)
    return None


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or (_header(scope, b"content-type") or b"").lower().startswith(b"multipart/"):
            await self.app(scope, receive, send)
            return
        limit = self.max_bytes
        length = _header(scope, b"content-length")
        if length is not None and length.strip().isdigit() and int(length) > limit:
            await send_error(send, 413, "payload_too_large", "Payload too large",
                             f"The request body is larger than {limit} bytes")
            return
        received = 0
        started = False

        async def limited() -> Message:
            nonlocal received
            message: Message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def tracking(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited, tracking)
        except BodyTooLarge as exc:  # met outside a route (a middleware reading the body)
            if started:
                raise
            await send_error(send, 413, "payload_too_large", "Payload too large", str(exc.detail))


class ContainErrorsMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking)
        except Exception as exc:
            if started:  # the response is half sent: only closing the connection can tell the client
                raise
            response = await handle_unexpected(Request(scope), exc)
            await response(scope, receive, send)
