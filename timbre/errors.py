"""Errors and their envelope (the handlers that render them: `error_handlers`).

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

from typing import Any, ClassVar

from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from timbre.kit.clock import now_ms


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
