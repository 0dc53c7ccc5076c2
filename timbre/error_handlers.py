"""The application's exception handlers: every error, expected or not, answered in the error envelope (`errors`).

A `TimbreError` renders itself; a request that fails validation is a 422 (or a 400 for malformed JSON, or for
characters no CFDI can hold); Starlette's 404/405 name what exists; values the database refuses are a 400; SQLite's
write lock taken too long a 503 `database_busy`; anything else a 500 that logs the exception and shows nothing of it.
"""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from timbre.errors import (
    BadRequest,
    ServiceUnavailable,
    TimbreError,
    UnprocessableEntity,
    ValidationFailed,
    error_payload,
    render,
    validation_details,
)
from timbre.kit.storable import XML_ERROR_TYPES

log = logging.getLogger("timbre.errors")

_HTTP_CODES = {
    400: ("bad_request", "Bad request"),
    401: ("unauthorized", "Unauthorized"),
    403: ("forbidden", "Access denied"),
    404: ("not_found", "Not found"),
    405: ("method_not_allowed", "Method not allowed"),
    413: ("payload_too_large", "Payload too large"),
    415: ("unsupported_media_type", "Unsupported media type"),
}


async def handle_timbre_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, TimbreError)
    return render(exc)


async def handle_validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    if any(e.get("type") == "json_invalid" for e in errors):
        return render(BadRequest("Malformed JSON", "The request body is not valid JSON", code="invalid_json"))
    details = validation_details(errors)
    summary = "; ".join(d["message"] for d in details[:5])
    if all(e.get("type") in XML_ERROR_TYPES for e in errors):  # a value no CFDI can hold: refused like a SAT rule
        return render(ValidationFailed("Invalid characters", summary, details=details, code="invalid_characters"))
    return render(UnprocessableEntity("Invalid request body", summary, details=details))


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def allowed_methods(request: Request) -> list[str]:
    """Every method some route fully matches on this path (Starlette's 405 names only the first
    partially matching route's methods)."""
    routes = request.app.router.routes
    return [method for method in _METHODS
            if any(route.matches({**request.scope, "method": method})[0] is Match.FULL for route in routes)]


def _route_paths(routes: Any) -> Any:
    """Every route's path template, through FastAPI's included routers."""
    for route in routes:
        candidates = getattr(route, "effective_candidates", None)
        if candidates is not None:
            yield from _route_paths(candidates())
        elif isinstance(getattr(route, "path", None), str):
            yield route.path


def _literal_route_matches(request: Request) -> bool:
    """Whether a route without path parameters has exactly this path (for another method). A path matched only
    by a parameter route (`GET /invoices/sat` against `DELETE /invoices/{id}`) names nothing that exists."""
    path = request.url.path
    return any(template == path for template in _route_paths(request.app.router.routes) if "{" not in template)


async def handle_http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 405 and not _literal_route_matches(request):
        exc = StarletteHTTPException(404)
    code, message = _HTTP_CODES.get(exc.status_code, ("error", "Error"))
    detail = exc.detail if isinstance(exc.detail, str) else message
    headers = dict(getattr(exc, "headers", None) or {})
    if exc.status_code == 404 and detail == "Not Found":
        detail = "No route matches this path"
    if exc.status_code == 405:
        headers["Allow"] = ", ".join(allowed_methods(request))
        detail = f"This path accepts {headers['Allow']}, not {request.method}"
    body = error_payload(exc.status_code, code, message, detail)
    return JSONResponse(body, status_code=exc.status_code, headers=headers or None)


async def handle_data_error(request: Request, exc: Exception) -> JSONResponse:
    """A value the database refuses (NUL character, out-of-range number): bad input, not a server error."""
    log.warning("database refused a value on %s %s: %s", request.method, request.url.path, type(exc).__name__)
    return render(BadRequest("Invalid request", "A value in the request cannot be stored (bad characters or range)"))


async def handle_overflow(request: Request, exc: Exception) -> JSONResponse:
    """A number too large for the database (SQLite's 64-bit integers) or for a date: bad input."""
    log.warning("number out of range on %s %s: %s", request.method, request.url.path, exc)
    return render(BadRequest("Invalid request", "A number in the request is out of range", code="out_of_range"))


def is_lock_timeout(exc: BaseException) -> bool:
    """SQLite's write lock (or our writers queue) still taken after the busy timeout."""
    original = getattr(exc, "orig", exc)
    return isinstance(original, sqlite3.OperationalError) and "database is locked" in str(original)


async def handle_unexpected(request: Request, exc: Exception) -> JSONResponse:
    if is_lock_timeout(exc):
        log.warning("database write lock timed out on %s %s", request.method, request.url.path)
        busy = ServiceUnavailable("Database busy", "The database stayed locked by other writes; retry the request",
                                  code="database_busy", headers={"Retry-After": "1"})
        return render(busy)
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    body = error_payload(500, "internal_error", "Internal server error", "An unexpected error occurred")
    return JSONResponse(body, status_code=500)
