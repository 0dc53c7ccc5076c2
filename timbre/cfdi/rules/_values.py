"""Tolerant readers for satcfdi's comprobante dicts.

Rules read documents built with `satcfdi.create.cfd.cfdi40.Comprobante` (plain str/Decimal/int
values, lists of nodes, absent attributes stored as None) and also documents parsed back with
`satcfdi.cfdi.CFDI.from_string` (codes become `satcfdi.models.Code` objects and repeated nodes
such as Traslados become dicts keyed by "002|Tasa|0.160000"). A broken value must never make a
rule crash: readers return None and the rule reports the SAT error instead.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from ..money import decimals_of

RFC_PATTERN = re.compile(r"^[A-ZÑ&]{3,4}[0-9]{2}(0[1-9]|1[012])(0[1-9]|[12][0-9]|3[01])[A-Z0-9]{2}[0-9A]$")
RFC_PUBLICO_GENERAL = "XAXX010101000"
RFC_EXTRANJERO = "XEXX010101000"
GENERIC_RFCS = frozenset({RFC_PUBLICO_GENERAL, RFC_EXTRANJERO})
PUBLICO_EN_GENERAL = "PUBLICO EN GENERAL"

Node = Mapping[str, Any]


def text(value: object) -> str | None:
    """A code or string attribute as str; None when absent or empty."""
    if value is None:
        return None
    code = getattr(value, "code", None)  # satcfdi.models.Code from parsed XML
    result = str(code) if code is not None else str(value)
    return result if result != "" else None


def dec(value: object) -> Decimal | None:
    """A numeric attribute as a finite Decimal; None when absent or not a number."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    try:
        result = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return result if result.is_finite() else None


def decimals(value: Decimal) -> int:
    """Fraction digits a value is written with (`Decimal('1.50')` -> 2)."""
    return decimals_of(value)


def present(node: Node | None, key: str) -> bool:
    """Whether an attribute or child node is written (None and "" are absent, as in the XML)."""
    if node is None:
        return False
    value = node.get(key)
    if value is None or value == "":
        return False
    return not (isinstance(value, list | tuple | dict) and len(value) == 0)


def nodes(value: object) -> list[Node]:
    """Child nodes of a repeatable element, whatever shape satcfdi gave them."""
    if value is None:
        return []
    if isinstance(value, Mapping):
        # A keyed collection (parsed XML) has only mapping values; a single node has attributes.
        if value and all(isinstance(v, Mapping) for v in value.values()):
            return list(value.values())
        return [value]
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        return [v for v in value if isinstance(v, Mapping)]
    return []


def child(node: Node | None, key: str) -> Node | None:
    """A single child node (e.g. a concept's Impuestos), None when absent."""
    if node is None:
        return None
    value = node.get(key)
    return value if isinstance(value, Mapping) else None


def strings(value: object) -> list[str]:
    """Repeated simple values (CfdiRelacionado UUIDs, NumeroPedimento) as strings."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, Mapping):
        items: list[object] = list(value.values()) if not _is_leaf(value) else [value]
    elif isinstance(value, Sequence):
        items = list(value)
    else:
        items = [value]
    result: list[str] = []
    for item in items:
        if isinstance(item, Mapping):
            # satcfdi may wrap a value node as {"UUID": ...} or {"NumeroPedimento": ...}
            inner = next((text(v) for v in item.values() if text(v)), None)
            if inner:
                result.append(inner)
        elif (s := text(item)) is not None:
            result.append(s)
    return result


def _is_leaf(value: Mapping[str, Any]) -> bool:
    return not all(isinstance(v, Mapping) for v in value.values())


def persona(rfc: str | None) -> Literal["fisica", "moral"] | None:
    """'moral' for 12-character RFCs, 'fisica' for 13; None for anything else."""
    if rfc is None:
        return None
    if len(rfc) == 12:
        return "moral"
    if len(rfc) == 13:
        return "fisica"
    return None


def as_datetime(value: object) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


def fmt(value: Decimal | None) -> str:
    """A Decimal as written in the XML (no exponent notation)."""
    return "(missing)" if value is None else format(value, "f")


def show(value: str | None) -> str:
    """A code for a message: quoted, or "(missing)"."""
    return repr(value) if value else "(missing)"
