"""Errors and their envelope.

Every error is rendered as::

    {"success": false, "message": "<summary>", "error": {"code", "message", "details"}, "timestamp"}

The summary stays at the top level so that clients reading either of gigstack's documented error
shapes (`body.message` / `body.error.message`) find a human-readable text.

    TimbreError                    (status, code)
    ├── BadRequest                 400 bad_request
    │   ├── ValidationFailed       400 validation_failed   (business validation with details)
    │   └── BusinessRuleViolation  400 business_rule_violation
    ├── Unauthorized               401 unauthorized
    ├── PaymentRequired            402 payment_required
    ├── Forbidden                  403 forbidden
    ├── NotFound                   404 not_found
    ├── Conflict                   409 resource_conflict
    ├── PayloadTooLarge            413 payload_too_large
    ├── UnsupportedMediaType       415 unsupported_media_type
    ├── UnprocessableEntity        422 validation_failed   (payload shape)
    └── ServiceUnavailable         503 unavailable
"""

from __future__ import annotations

import logging
import sqlite3
from typing import Any, ClassVar

from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from timbre.kit.clock import now_ms
from timbre.kit.storable import XML_ERROR_TYPES

log = logging.getLogger("timbre.errors")


class TimbreError(Exception):
    """Base of every error the API renders; carries its HTTP status and machine code."""

    status_code: ClassVar[int] = 500
    code: ClassVar[str] = "internal_error"

    def __init__(
        self,
        message: str,
        detail: str | None = None,
        *,
        details: Any = None,
        code: str | None = None,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail or message
        self.details = details
        self.error_code = code or self.code
        self.extra = extra or {}
        self.headers = headers


class BadRequest(TimbreError):
    """The request is well formed but cannot be processed as given."""

    status_code = 400
    code = "bad_request"


class ValidationFailed(BadRequest):
    """Business validation failed; `details` lists every problem."""

    code = "validation_failed"


class BusinessRuleViolation(BadRequest):
    """A business rule forbids the operation."""

    code = "business_rule_violation"


class Unauthorized(TimbreError):
    """No API key, or one that is malformed, unknown or revoked."""

    status_code = 401
    code = "unauthorized"


class PaymentRequired(TimbreError):
    """The team has no credits left."""

    status_code = 402
    code = "payment_required"


class Forbidden(TimbreError):
    """Authenticated, but not allowed to do this."""

    status_code = 403
    code = "forbidden"


class NotFound(TimbreError):
    """The object does not exist (or not for this team and mode)."""

    status_code = 404
    code = "not_found"


class Conflict(TimbreError):
    """The request conflicts with the current state."""

    status_code = 409
    code = "resource_conflict"


class PayloadTooLarge(TimbreError):
    """The body or upload exceeds the limit."""

    status_code = 413
    code = "payload_too_large"


class UnsupportedMediaType(TimbreError):
    """The upload's content type is not accepted."""

    status_code = 415
    code = "unsupported_media_type"


class UnprocessableEntity(TimbreError):
    """The payload does not match the schema."""

    status_code = 422
    code = "validation_failed"


class ServiceUnavailable(TimbreError):
    """A dependency (PAC, SMTP, ...) is unavailable; retry later."""

    status_code = 503
    code = "unavailable"


class ErrorBody(BaseModel):
    code: str
    message: str
    details: Any = None


class ErrorEnvelope(BaseModel):
    """The error envelope (documented for every route)."""

    success: bool = False
    message: str
    error: ErrorBody
    timestamp: int


def error_payload(status: int, code: str, message: str, detail: str, details: Any = None) -> dict[str, Any]:
    return {
        "success": False,
        "message": message,
        "error": {"code": code, "message": detail, "details": details},
        "timestamp": now_ms(),
    }


def render(exc: TimbreError) -> JSONResponse:
    body = error_payload(exc.status_code, exc.error_code, exc.message, exc.detail, exc.details)
    body.update(exc.extra)
    return JSONResponse(jsonable_encoder(body), status_code=exc.status_code, headers=exc.headers)


_HTTP_CODES = {
    400: ("bad_request", "Bad request"),
    401: ("unauthorized", "Unauthorized"),
    403: ("forbidden", "Access denied"),
    404: ("not_found", "Not found"),
    405: ("method_not_allowed", "Method not allowed"),
    413: ("payload_too_large", "Payload too large"),
    415: ("unsupported_media_type", "Unsupported media type"),
}


def _field_path(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    out = ""
    for p in parts:
        out += f"[{p}]" if p.isdigit() else (f".{p}" if out else p)
    return out or ".".join(str(p) for p in loc)


def validation_details(errors: list[Any]) -> list[dict[str, Any]]:
    details = []
    for err in errors:
        loc = tuple(err.get("loc", ()))
        field = _field_path(loc)
        msg = str(err.get("msg", "invalid"))
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, ") :]
        if err.get("type") == "string_unicode":
            msg = "contains a lone surrogate (an unpaired U+D800-U+DFFF), a character XML cannot hold"
        details.append({"field": field, "message": f"{field}: {msg}" if field else msg, "type": err.get("type")})
    return details


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


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorEnvelope, "description": desc}
    for status, desc in {
        400: "Bad request or business rule violation",
        401: "Missing, malformed, unknown or revoked API key",
        403: "Insufficient permissions or team outside the billing account",
        404: "Not found",
        409: "Conflict (duplicate, idempotency key reused with another body)",
        422: "Invalid field in the payload",
    }.items()
}
