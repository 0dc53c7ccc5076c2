"""What every input value must be before it may reach a CFDI or the database, checked at the schema.

- Text holds only characters XML 1.0 can carry (`\\t`, `\\n`, `\\r`, U+0020–U+D7FF, U+E000–U+FFFD,
  U+10000–U+10FFFF): no other control character, no U+FFFE/U+FFFF, no lone surrogate. Such a character
  cannot be written into a CFDI (lxml refuses it), PostgreSQL cannot store a NUL, and a lone surrogate
  cannot even be encoded as UTF-8 — so it is refused up front, naming the field, instead of failing after
  a folio was taken. The error type `xml_character` is rendered as a 400 (`invalid_characters`).
- Integers fit a signed 64-bit column (SQLite refuses larger ones with an OverflowError).
- Floats are finite (Python's JSON parser accepts `NaN` and `Infinity`).
- A boolean is not a number: pydantic's lax mode turns `true` into `1` for `int` and `float` fields.

`XmlText` is the reusable field type for text that reaches a CFDI in models that do not derive
`timbre.schemas.Strict` (which applies every check above to all of its fields).
"""

from __future__ import annotations

import math
import re
import types
from collections.abc import Iterator
from decimal import Decimal
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import AfterValidator, BaseModel
from pydantic_core import InitErrorDetails, PydanticCustomError

XML_CHARACTER = "xml_character"
# pydantic itself refuses a lone surrogate in a `str` field as `string_unicode`: the same fault.
XML_ERROR_TYPES = frozenset({XML_CHARACTER, "string_unicode"})
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
INT_MAX = 2**63 - 1
MAX_DEPTH = 32  # of plain lists and dicts inside one field (free-form values): deeper is refused, never recursed
Loc = tuple[str | int, ...]


def xml_error(value: str) -> PydanticCustomError | None:
    """The error for a text XML cannot hold, or None."""
    bad = _NOT_XML.search(value)
    if bad is None:
        return None
    return PydanticCustomError(XML_CHARACTER, "contains {character} at position {position}, a character XML "
                               "cannot hold", {"character": f"U+{ord(bad.group()):04X}", "position": bad.start()})


def xml_text(value: str) -> str:
    """Validator: `value` unchanged, or an `xml_character` error."""
    error = xml_error(value)
    if error is not None:
        raise error
    return value


XmlText = Annotated[str, AfterValidator(xml_text)]


def _value_errors(value: Any, loc: Loc) -> Iterator[InitErrorDetails]:
    if isinstance(value, str):
        if (error := xml_error(value)) is not None:
            yield InitErrorDetails(type=error, loc=loc, input=value)
    elif isinstance(value, bool | BaseModel) or value is None:
        return  # a nested model checked its own fields
    elif isinstance(value, int):
        if not -INT_MAX - 1 <= value <= INT_MAX:
            yield InitErrorDetails(type=PydanticCustomError("int_out_of_range", "is out of range (at most 2^63-1 "
                                                            "in absolute value)"), loc=loc, input=value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            yield InitErrorDetails(type=PydanticCustomError("finite_number", "must be a finite number"), loc=loc,
                                   input=value)
    elif isinstance(value, list | tuple | set | frozenset | dict) and len(loc) > MAX_DEPTH:
        yield InitErrorDetails(type=PydanticCustomError("too_deep", "is nested more than {depth} levels deep",
                                                        {"depth": MAX_DEPTH}), loc=loc, input=None)
    elif isinstance(value, list | tuple | set | frozenset):
        for index, item in enumerate(value):
            yield from _value_errors(item, (*loc, index))
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and (error := xml_error(key)) is not None:
                yield InitErrorDetails(type=error, loc=(*loc, key), input=key)
            yield from _value_errors(item, (*loc, str(key)))


def model_errors(model: BaseModel) -> list[InitErrorDetails]:
    """Every text, integer or float of `model`'s own fields (not of nested models) that may not be stored."""
    fields = type(model).model_fields
    errors: list[InitErrorDetails] = []
    for name, value in model.__dict__.items():
        info = fields.get(name)
        errors.extend(_value_errors(value, (info.alias or name,) if info is not None else (name,)))
    return errors


def _is_number(annotation: Any) -> bool:
    if annotation in (int, float, Decimal):
        return True
    origin = get_origin(annotation)
    if origin is Annotated:
        return _is_number(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        return any(_is_number(arg) for arg in get_args(annotation))
    return False


_NUMBER_FIELDS: dict[type[BaseModel], frozenset[str]] = {}


def number_fields(model: type[BaseModel]) -> frozenset[str]:
    """The input keys (names and aliases) of `model`'s numeric fields (computed once per class)."""
    found = _NUMBER_FIELDS.get(model)
    if found is None:
        keys = set()
        for name, info in model.model_fields.items():
            if _is_number(info.annotation):
                keys.update({name, info.alias or name})
        found = _NUMBER_FIELDS[model] = frozenset(keys)
    return found


def boolean_number_errors(model: type[BaseModel], data: Any) -> list[InitErrorDetails]:
    """`true`/`false` given where `model` expects a number."""
    if not isinstance(data, dict):
        return []
    keys = number_fields(model)
    return [InitErrorDetails(type=PydanticCustomError("number_type", "must be a number, not a boolean"),
                             loc=(key,), input=value)
            for key, value in data.items() if key in keys and isinstance(value, bool)]
