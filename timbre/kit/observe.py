"""The outermost middleware: a request id for every request (`X-Request-Id`), and its count and latency by route.

Plain ASGI (no `BaseHTTPMiddleware`, whose task and stream hand-offs cost more than the whole of this), and
the route is read after the request from the `route` Starlette leaves in the scope, so that the label is the
template (`/v2/invoices/{invoice_id}`), never the path: a label per invoice would grow without bound.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from time import perf_counter
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from timbre.kit import metrics
from timbre.kit.logs import accept_request_id, request_id

HEADER = b"x-request-id"
UNMATCHED = "unmatched"
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})  # any other is one label


def prefixed_routes(routers: Iterable[tuple[str, Any]]) -> dict[int, str]:
    """`{id(route): prefix + route.path}` for routers included with a prefix: FastAPI leaves an included
    router's routes unprefixed (`/invoices/{uuid}`), and they are what the scope's `route` holds."""
    return {id(route): prefix + route.path for prefix, router in routers for route in router.routes}


class ObservabilityMiddleware:
    def __init__(self, app: ASGIApp, prefixed: Mapping[int, str] | None = None) -> None:
        self.app = app
        self.prefixed = prefixed or {}

    def _template(self, scope: Scope) -> str:
        route = scope.get("route")
        if route is None:
            return UNMATCHED
        return self.prefixed.get(id(route)) or getattr(route, "path", None) or UNMATCHED

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = next((value for name, value in scope["headers"] if name == HEADER), None)
        rid = accept_request_id(incoming.decode("latin-1") if incoming is not None else None)
        token = request_id.set(rid)
        id_header = (HEADER, rid.encode())
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), id_header]
            await send(message)

        start = perf_counter()
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            method = scope["method"] if scope["method"] in _METHODS else "OTHER"
            metrics.observe_request(method, self._template(scope), status, perf_counter() - start)
            request_id.reset(token)
