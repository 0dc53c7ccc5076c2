"""Reading values out of satcfdi dicts and formatting them for print.

satcfdi hands us two shapes of the same document: one it built (codes are ``str``, tax lists are
lists, a single node may be a bare mapping) and one it parsed (codes are ``Code(code,
description)``, taxes are dicts keyed ``"002|Tasa|0.160000"``). Everything here accepts both.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

Node = Mapping[str, Any]


def code(value: Any) -> str:
    """The SAT code of a catalog value: ``Code("601", ...)`` and ``"601"`` both give ``"601"``."""
    if value is None:
        return ""
    inner = getattr(value, "code", None)
    return str(inner if inner is not None else value)


def sat_description(value: Any) -> str | None:
    """The description satcfdi attached to a parsed catalog value, if any."""
    description = getattr(value, "description", None)
    if isinstance(description, list):
        return "; ".join(str(d) for d in description)
    return str(description) if description else None


def text(value: Any) -> str:
    """A printable string; ``None`` is empty."""
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return format_datetime(value)
    return code(value)


def decimal(value: Any) -> Decimal | None:
    """A Decimal from a Decimal, int or numeric string; ``None`` when absent or not a number."""
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):  # never produced by satcfdi; refuse to invent precision
        return Decimal(repr(value))
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def node(value: Any) -> Node:
    """A mapping child node, or an empty one."""
    return value if isinstance(value, Mapping) else {}


def nodes(value: Any, marker: str | None = None) -> list[Node]:
    """A repeated child as a list of mappings.

    Accepts ``None``, a list, a single node, or satcfdi's parsed dict of nodes keyed by their
    grouping key. ``marker`` is an attribute every real node carries (e.g. ``"Impuesto"``), used to
    tell a single node from a keyed dict of nodes.
    """
    if value is None:
        return []
    if isinstance(value, Mapping):
        if marker is not None and marker in value:
            return [value]
        children = list(value.values())
        if children and all(isinstance(child, Mapping) for child in children):
            return children
        return [value]
    if isinstance(value, list | tuple):
        return [item for item in value if isinstance(item, Mapping)]
    return []


def strings(value: Any) -> list[str]:
    """A repeated simple value (e.g. ``CfdiRelacionado`` UUIDs) as a list of strings."""
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [text(v.get("UUID")) if isinstance(v, Mapping) else text(v) for v in value]
    if isinstance(value, Mapping):
        return [text(value.get("UUID"))]
    return [text(value)]


def walk(value: Any) -> Iterator[Node]:
    """Every mapping in a ``Complemento``, whichever shape satcfdi gave it."""
    if isinstance(value, Mapping):
        yield value
        for child in value.values():
            if isinstance(child, Mapping):
                yield child
    elif isinstance(value, list | tuple):
        for item in value:
            yield from walk(item)


def format_money(value: Decimal | None) -> str:
    """``1,160.00``: thousands separators, at least two decimals, more if the value has them."""
    if value is None:
        return ""
    if not value.is_finite():
        return str(value)
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent > -2:
        value = value.quantize(Decimal("0.01"))
    return f"{value:,f}"


def format_quantity(value: Decimal | None) -> str:
    """A quantity without trailing zeros: ``2``, ``1.5``, ``0.25``."""
    if value is None:
        return ""
    if value == value.to_integral_value():
        return f"{value.quantize(Decimal(1)):,f}"
    return f"{value.normalize():,f}"


def format_rate(value: Decimal | None) -> str:
    """A SAT ``TasaOCuota`` factor as a percentage: ``0.160000`` → ``16%``."""
    if value is None:
        return ""
    return f"{format_quantity(value * 100)}%"


def format_datetime(value: Any) -> str:
    """``2026-11-20 10:00:00`` from a datetime or SAT's ``2026-11-20T10:00:00`` text."""
    if isinstance(value, datetime):
        return value.replace(microsecond=0, tzinfo=None).isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return text(value).replace("T", " ")
