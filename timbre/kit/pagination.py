"""List parameters shared by every list endpoint, and keyset pagination.

Cursor pagination orders by (`order_by` column, id) and resumes strictly after the last row seen,
so inserts while walking never repeat or skip an object. The cursor is opaque (base64 JSON) and
bound to its ordering. Metadata filters switch to page pagination, as gigstack's API does.

`total_results` is exact up to `EXACT_COUNT_LIMIT` matches; beyond, PostgreSQL's planner estimates it
(counting a million rows on every page would cost more than the page) and the page says so
(`Page.estimated`); SQLite has no estimate and always counts. `has_more` never depends on the count.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal, TypeVar

from fastapi import Query, Request
from sqlalchemy import ColumnElement, Executable, Numeric, Row, Select, and_, cast, func, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.sql.elements import ClauseElement
from sqlalchemy.sql.visitors import InternalTraversal, _TraverseInternalsType

from timbre.errors import BadRequest
from timbre.kit.crypto import b64url, b64url_decode
from timbre.kit.jsonfilter import json_value_equals
from timbre.kit.sqlin import dialect_of

T = TypeVar("T")

_MAX_METADATA_FILTERS = 10
MAX_TS = 10**13  # unix seconds or ms; far beyond any real date, within every integer column
EXACT_COUNT_LIMIT = 1_000  # matches counted exactly on PostgreSQL; beyond, the planner's estimate


@dataclass
class ListParams:
    limit: int = 10
    next: str | None = None
    order_by: str | None = None
    sort: Literal["asc", "desc"] = "desc"
    created_gte: int | None = None
    created_lte: int | None = None
    page: int | None = None
    metadata: dict[str, str] = field(default_factory=dict)


def _to_ms(value: int | None, *, end: bool = False) -> int | None:
    """`created_*` filters are unix seconds (the CLI's unit); values that can only be ms are taken as ms.
    An upper bound in seconds covers its whole second."""
    if value is None:
        return None
    if abs(value) >= 100_000_000_000:
        return value
    return value * 1000 + (999 if end else 0)


async def list_params(  # no I/O: runs on the event loop, not in the thread pool
    request: Request,
    limit: int = Query(10, ge=1, le=100, description="Page size, 1–100"),
    next: str | None = Query(None, max_length=500, description="Opaque cursor from the previous page"),
    order_by: str | None = Query(None, max_length=40, description="Field to order by (default created_at)"),
    sort: Literal["asc", "desc"] = Query("desc", description="asc or desc"),
    created_gte: int | None = Query(None, ge=0, le=MAX_TS, description="Created at or after (unix seconds)"),
    created_lte: int | None = Query(None, ge=0, le=MAX_TS, description="Created at or before (unix seconds)"),
    created_gte_b: int | None = Query(None, ge=0, le=MAX_TS, alias="created[gte]", description="Same as created_gte"),
    created_lte_b: int | None = Query(None, ge=0, le=MAX_TS, alias="created[lte]", description="Same as created_lte"),
    page: int | None = Query(None, ge=1, le=100_000, description="Page number (with metadata filters)"),
) -> ListParams:
    metadata: dict[str, str] = {}
    for key, value in request.query_params.multi_items():
        for prefix in ("metadata.", "metadata_", "metadata["):
            if key.startswith(prefix) and len(key) > len(prefix):
                name = key[len(prefix) :].rstrip("]") if prefix == "metadata[" else key[len(prefix) :]
                if not name or len(name) > 100:
                    raise BadRequest("Invalid metadata filter", f"Invalid metadata key in {key!r}")
                metadata[name] = value
    if len(metadata) > _MAX_METADATA_FILTERS:
        raise BadRequest("Invalid metadata filter", f"At most {_MAX_METADATA_FILTERS} metadata filters")
    return ListParams(
        limit=limit,
        next=next,
        order_by=order_by,
        sort=sort,
        created_gte=_to_ms(created_gte if created_gte is not None else created_gte_b),
        created_lte=_to_ms(created_lte if created_lte is not None else created_lte_b, end=True),
        page=page,
        metadata=metadata,
    )


@dataclass
class Page:
    items: Sequence[Any]
    next: str | None
    has_more: bool
    total: int
    page: int | None = None
    estimated: bool = False  # `total` is PostgreSQL's estimate (more than EXACT_COUNT_LIMIT matches)


@dataclass(frozen=True)
class SortKey:
    """What a list orders by: `expression` (the column; a nullable one with its NULLs counted as `blank`, the
    empty string or 0, so that they sort first ascending on both databases and a cursor can stand on one; an
    exact decimal as a number on SQLite, which stores it as text) and the Python type of its values."""

    expression: ColumnElement[Any]
    python_type: type
    blank: Any

    @classmethod
    def of(cls, column: InstrumentedAttribute[Any], dialect: str) -> SortKey:
        col = column.property.columns[0]
        python_type = col.type.python_type
        expression: ColumnElement[Any] = column.expression
        if python_type is Decimal and dialect == "sqlite":
            expression = cast(column, Numeric)
        blank: Any = None
        if col.nullable:
            blank = "" if python_type is str else python_type(0)
            expression = func.coalesce(expression, blank)
        return cls(expression, python_type, blank)

    def value_of(self, row: Any, key: str) -> int | str:
        """The cursor's value for `row`: JSON's (an exact decimal as its string)."""
        value = getattr(row, key)
        if value is None:
            value = self.blank
        return str(value) if isinstance(value, Decimal) else value  # type: ignore[no-any-return]

    def parse(self, value: Any) -> Any:
        """A cursor's value back as the column's type, or None when it cannot be one."""
        if self.python_type is Decimal:
            try:
                number = Decimal(value) if isinstance(value, str) and len(value) <= 40 else None
            except ArithmeticError:
                return None
            # a cursor we wrote holds a column's value: finite, within NUMERIC(24, 6)'s digits
            return number if number is not None and number.is_finite() and abs(number.adjusted()) <= 24 else None
        if self.python_type is int:
            ok = isinstance(value, int) and not isinstance(value, bool) and abs(value) <= 2**62
            return value if ok else None
        return value if isinstance(value, str) else None


def _encode_cursor(order_by: str, sort: str, value: int | str, row_id: str) -> str:
    return b64url(json.dumps([order_by, sort, value, row_id], separators=(",", ":")).encode())


def _decode_cursor(cursor: str, order_by: str, sort: str, key: SortKey) -> tuple[Any, str]:
    try:
        ob, so, raw, row_id = json.loads(b64url_decode(cursor))
    except (ValueError, TypeError):
        raise BadRequest("Invalid cursor", "The `next` cursor is malformed") from None
    if ob != order_by or so != sort or not isinstance(row_id, str):
        raise BadRequest("Invalid cursor", "The `next` cursor belongs to another ordering")
    value = key.parse(raw)
    if value is None:
        raise BadRequest("Invalid cursor", "The `next` cursor is malformed")
    return value, row_id


class Explain(Executable, ClauseElement):
    """`EXPLAIN (FORMAT JSON) <statement>` (PostgreSQL), its parameters bound like the statement's own."""

    inherit_cache = True  # compiled once per statement shape, like the statement itself
    _traverse_internals: _TraverseInternalsType = [("statement", InternalTraversal.dp_clauseelement)]  # noqa: RUF012

    def __init__(self, statement: Select[Any]) -> None:
        self.statement = statement

    @property
    def _all_selected_columns(self) -> Any:  # what a cached compilation maps the result's one column to
        return self.statement._all_selected_columns


@compiles(Explain, "postgresql")
def _explain(element: Explain, compiler: Any, **kw: Any) -> str:
    return "EXPLAIN (FORMAT JSON) " + str(compiler.process(element.statement, **kw))


def count(session: Session, stmt: Select[Any], model: Any) -> tuple[int, bool]:
    """How many rows `stmt` selects, and whether that is an estimate: exact up to `EXACT_COUNT_LIMIT`
    (a count of at most that many index entries), else, on PostgreSQL, the planner's estimate (never
    below what was counted)."""
    unordered = stmt.order_by(None)
    if dialect_of(session) != "postgresql":
        return session.scalar(select(func.count()).select_from(unordered.subquery())) or 0, False
    capped = unordered.with_only_columns(model.id).limit(EXACT_COUNT_LIMIT + 1).subquery()
    counted = session.scalar(select(func.count()).select_from(capped)) or 0
    if counted <= EXACT_COUNT_LIMIT:
        return counted, False
    plan = session.execute(Explain(unordered.with_only_columns(model.id))).scalar_one()
    return max(counted, int(plan[0]["Plan"]["Plan Rows"])), True


def paginate(
    session: Session,
    stmt: Select[Any],
    model: Any,
    params: ListParams,
    *,
    orderable: Mapping[str, InstrumentedAttribute[Any]] | None = None,
    metadata_column: InstrumentedAttribute[Any] | None = None,
    rows: Callable[[Row[Any]], Any] | None = None,
) -> Page:
    """Apply the shared filters, ordering and pagination to `stmt` (a select of `model`; or, with `rows`, of some of
    its columns, each row built by `rows` into an object that has them as attributes: no ORM objects)."""

    def fetch(stmt: Select[Any]) -> list[Any]:
        if rows is None:
            return list(session.scalars(stmt).all())
        return [rows(row) for row in session.execute(stmt)]

    columns: dict[str, InstrumentedAttribute[Any]] = {"created_at": model.created_at, "timestamp": model.created_at}
    columns.update(orderable or {})
    order_name = params.order_by or "created_at"
    if order_name not in columns:
        allowed = ", ".join(sorted(columns))
        raise BadRequest("Invalid order_by", f"order_by must be one of: {allowed}")
    order_col = columns[order_name]
    order_name = "created_at" if order_name == "timestamp" else order_name
    dialect = dialect_of(session)
    sort_key = SortKey.of(order_col, dialect)
    order_expr = sort_key.expression

    conditions: list[ColumnElement[bool]] = []
    if params.created_gte is not None:
        conditions.append(model.created_at >= params.created_gte)
    if params.created_lte is not None:
        conditions.append(model.created_at <= params.created_lte)
    if params.metadata:
        if metadata_column is None:
            raise BadRequest("Invalid metadata filter", "This list does not support metadata filters")
        for key, value in params.metadata.items():
            conditions.append(json_value_equals(metadata_column, key, value, dialect))
    if conditions:
        stmt = stmt.where(and_(*conditions))

    total, estimated = count(session, stmt, model)
    desc = params.sort == "desc"
    ordering = (order_expr.desc(), model.id.desc()) if desc else (order_expr.asc(), model.id.asc())

    if params.metadata or params.page is not None:
        page = params.page or 1
        found = fetch(stmt.order_by(*ordering).offset((page - 1) * params.limit).limit(params.limit + 1))
        return Page(found[: params.limit], None, len(found) > params.limit, total, page, estimated)

    if params.next:
        value, last_id = _decode_cursor(params.next, order_name, params.sort, sort_key)
        if desc:
            stmt = stmt.where(or_(order_expr < value, and_(order_expr == value, model.id < last_id)))
        else:
            stmt = stmt.where(or_(order_expr > value, and_(order_expr == value, model.id > last_id)))
    items = fetch(stmt.order_by(*ordering).limit(params.limit + 1))
    has_more = len(items) > params.limit
    items = items[: params.limit]
    cursor = None
    if has_more and items:
        last = items[-1]
        cursor = _encode_cursor(order_name, params.sort, sort_key.value_of(last, order_col.key), last.id)
    return Page(items, cursor, has_more, total, estimated=estimated)
