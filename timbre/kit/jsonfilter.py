"""Equality on one key of a JSON column (`metadata.<key>=<value>` filters) that an index can serve.

The test is `column->>'key' = value` on every database: a stored string equal to the value, or a number,
boolean or object whose JSON text is the value. On PostgreSQL the column is `json`, which no index
searches, so the condition also asks `CAST(column AS jsonb) @> {"key": candidate}` for each way the value
may be stored: that is what the GIN index on `(column::jsonb) jsonb_path_ops` answers (migration 0015), and
the `->>` test then drops the few containments that are not equalities (an array containing the value).
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import ColumnElement, and_, cast, or_
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import InstrumentedAttribute


def _candidates(value: str) -> list[Any]:
    """The JSON values whose `->>` text can be `value`: the string itself, and what it parses to when it is
    JSON text of a number, a boolean, an object or an array."""
    found: list[Any] = [value]
    try:
        parsed = json.loads(value)
    except ValueError:
        return found
    if parsed is None or isinstance(parsed, str):
        return found
    try:
        text = json.dumps(parsed, allow_nan=False)  # NaN, Infinity, 1e999: no jsonb holds them
    except ValueError:
        return found
    return found if "\\u0000" in text else [*found, parsed]  # nor a NUL character


def json_value_equals(column: InstrumentedAttribute[Any], key: str, value: str, dialect: str) -> ColumnElement[bool]:
    equal: ColumnElement[bool] = column[key].as_string() == value
    if dialect != "postgresql":
        return equal
    document = cast(column, JSONB)
    return and_(or_(*(document.contains({key: candidate}) for candidate in _candidates(value))), equal)
