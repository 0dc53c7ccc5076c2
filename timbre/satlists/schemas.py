"""Query shapes of the SAT lists API."""

from __future__ import annotations

RFC_PATTERN = r"^[A-Za-zÑñ&]{3,4}[0-9]{6}[A-Za-z0-9]{3}$"
