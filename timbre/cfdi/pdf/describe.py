"""SAT's description of a catalog code, as the PDF prints it."""

from __future__ import annotations

from typing import Any

from timbre.catalogs import store
from timbre.cfdi.pdf import fields as f


def describe(catalog: str, value: Any, column: str = "description") -> str:
    """``"601 - General de Ley Personas Morales"``: the code with SAT's description when known."""
    key = f.code(value)
    if not key:
        return ""
    row = store.get(catalog, key)
    description = (row or {}).get(column) or f.sat_description(value)
    return f"{key} - {description}" if description else key
