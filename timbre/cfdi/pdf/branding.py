"""A team's look on its PDFs: names, two colours and an optional logo."""

from __future__ import annotations

import re
from dataclasses import dataclass

RGB = tuple[int, int, int]

_HEX = re.compile(r"#?([0-9a-fA-F]{6})")

DEFAULT_PRIMARY = "#1F3A5F"
DEFAULT_SECONDARY = "#4A90C2"


@dataclass(frozen=True, slots=True)
class Branding:
    """How a team's documents look. ``logo`` is PNG or JPEG bytes."""

    legal_name: str
    alias: str | None = None
    primary_color: str = DEFAULT_PRIMARY
    secondary_color: str = DEFAULT_SECONDARY
    logo: bytes | None = None

    @property
    def display_name(self) -> str:
        """The name printed where there is no logo: the trade name if any."""
        return self.alias or self.legal_name


def parse_color(value: str | None, default: str) -> RGB:
    """``"#RRGGBB"`` (or ``"RRGGBB"``) as an RGB triple; a malformed value falls back to ``default``.

    Colours come from team settings: a bad one must not stop an invoice from rendering.
    """
    match = _HEX.fullmatch(value.strip()) if value else None
    digits = match.group(1) if match else default.lstrip("#")
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def tint(color: RGB, amount: float) -> RGB:
    """Mix ``color`` with white; ``amount`` 0 keeps the colour, 1 gives white."""
    r, g, b = color
    return (
        round(r + (255 - r) * amount),
        round(g + (255 - g) * amount),
        round(b + (255 - b) * amount),
    )


def readable_on(color: RGB) -> RGB:
    """Black or white, whichever reads better on a ``color`` background (WCAG contrast)."""
    on_white = contrast(color, (255, 255, 255))
    on_black = contrast(color, (0, 0, 0))
    return (255, 255, 255) if on_white >= on_black else (0, 0, 0)


def text_safe(color: RGB, minimum: float = 4.5) -> RGB:
    """``color`` darkened just enough to be readable as text on white (WCAG AA ratio).

    Team colours are often light (yellow, pastel); labels drawn in them must stay legible.
    """
    r, g, b = color
    for step in range(21):
        keep = 1 - step / 20
        candidate = (round(r * keep), round(g * keep), round(b * keep))
        if contrast(candidate, (255, 255, 255)) >= minimum:
            return candidate
    return (0, 0, 0)


def contrast(a: RGB, b: RGB) -> float:
    """WCAG 2 contrast ratio between two colours, from 1 to 21."""
    la, lb = _luminance(a), _luminance(b)
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


def _luminance(color: RGB) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = color
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
