"""Decimals on the wire: exact `Decimal` inside, JSON numbers outside (gigstack shows `total: 1160.0`)."""

from __future__ import annotations

from decimal import Decimal


def number(value: Decimal | str | int | float | None) -> float | None:
    """A decimal as a JSON number: floats print the shortest repr, so 0.07 stays 0.07."""
    return None if value is None else float(Decimal(str(value)) if isinstance(value, float) else Decimal(value))
