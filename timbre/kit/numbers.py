"""Decimals on the wire: exact `Decimal` inside, JSON numbers outside (gigstack shows `total: 1160.0`)."""

from __future__ import annotations

from decimal import Decimal


def number(value: Decimal | str | int | float | None) -> float | None:
    """A decimal as a JSON number: floats print the shortest repr, so 0.07 stays 0.07. `float()` of a Decimal,
    a decimal string or an int is the correctly rounded nearest float, as `float(Decimal(value))` is."""
    return None if value is None else float(value)
