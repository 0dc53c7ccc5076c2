"""The success envelopes: `{success, message, data, timestamp}` and, for lists, `next`, `has_more`,
`total_results` (and `page` when paginating by page; `total_results_estimated`: true when the total is
PostgreSQL's estimate, see `kit.pagination`), plus `pagination.totalItems`, which gigstack's CLI `explain`
reads."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from fastapi import Response
from pydantic import BaseModel

from timbre.kit.clock import now_ms

T = TypeVar("T")


class Envelope(BaseModel, Generic[T]):
    success: bool = True
    message: str
    data: T
    timestamp: int


class Pagination(BaseModel):
    totalItems: int = 0  # gigstack's name


class ListEnvelope(BaseModel, Generic[T]):
    success: bool = True
    message: str
    data: list[T]
    next: str | None = None
    has_more: bool = False
    total_results: int = 0
    pagination: Pagination = Pagination()
    page: int | None = None
    total_results_estimated: bool = False
    timestamp: int


def ok(message: str, data: Any) -> dict[str, Any]:
    return {"success": True, "message": message, "data": data, "timestamp": now_ms()}


def created_or_existing(response: Response, created: bool, data: Any, *, created_message: str,
                        existing_message: str) -> dict[str, Any]:
    """The answer of a create that may return what already exists (a retry with the same idempotency key, a
    match): 201 (the route's status) with `created_message` when made now, else 200 with `existing_message`."""
    if not created:
        response.status_code = 200
        return ok(existing_message, data)
    return ok(created_message, data)


def listing(message: str, data: Sequence[Any], *, next: str | None, has_more: bool, total: int,
            page: int | None = None, estimated: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {
        "success": True,
        "message": message,
        "data": list(data),
        "next": next,
        "has_more": has_more,
        "total_results": total,
        "total_results_estimated": estimated,
        "pagination": {"totalItems": total},
        "timestamp": now_ms(),
    }
    if page is not None:
        body["page"] = page
    return body


_PAGE_OF_DICTS = ListEnvelope[dict[str, Any]]


def rendered_listing(message: str, data: Sequence[dict[str, Any]], *, next: str | None, has_more: bool,
                     total: int, page: int | None = None, estimated: bool = False) -> Response:
    """`listing` for a route declaring `response_model=ListEnvelope[dict[str, Any]]`, rendered once: the very
    bytes FastAPI writes for it (the same pydantic serializer, the same field order) without first
    re-validating, that is copying, every row the service just built. The route keeps its `response_model`
    for the OpenAPI document."""
    envelope = _PAGE_OF_DICTS.model_construct(
        message=message, data=list(data), next=next, has_more=has_more, total_results=total,
        pagination=Pagination(totalItems=total), page=page, total_results_estimated=estimated, timestamp=now_ms())
    return Response(envelope.model_dump_json(), media_type="application/json")
