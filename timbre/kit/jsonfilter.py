"""Equality on one key of a JSON column (`metadata.<key>=<value>` filters) that an index can serve.

The test is `column->>'key' = value` on every database: a stored string equal to the value, or a number or
boolean whose JSON text is the value. On PostgreSQL the column is `json`, which no index
searches, so the condition also asks `CAST(column AS jsonb) @> {"key": candidate}` for each way the value
may be stored: that is what the GIN index on `(column::jsonb) jsonb_path_ops` answers (migration 0015), and
the `->>` test then keeps exactly the rows it always meant (`5.0` contains `5` but its text is not "5").
"""

from __future__ import annotations

import json
import math
from typing import Any

from sqlalchemy import ColumnElement, and_, cast, or_
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import InstrumentedAttribute


def _candidates(value: str) -> list[Any]:
    """The metadata values (strings, numbers, booleans: `schemas.Metadata`) whose `->>` text can be `value`:
    the string itself, and the number or boolean it is the JSON text of."""
    try:
        parsed = json.loads(value)
    except ValueError:  # not JSON, or an integer too long to convert
        return [value]
    if isinstance(parsed, bool) or (isinstance(parsed, float) and math.isfinite(parsed)) or (
            isinstance(parsed, int) and -(2**63) <= parsed < 2**63):
        return [value, parsed]
    # a JSON string, null, NaN, 1e999, an integer beyond 64 bits, an object or an array: no metadata value is stored so
    return [value]


def json_value_equals(column: InstrumentedAttribute[Any], key: str, value: str, dialect: str) -> ColumnElement[bool]:
    equal: ColumnElement[bool] = column[key].as_string() == value
    if dialect != "postgresql":
        return equal
    document = cast(column, JSONB)
    return and_(or_(*(document.contains({key: candidate}) for candidate in _candidates(value))), equal)
