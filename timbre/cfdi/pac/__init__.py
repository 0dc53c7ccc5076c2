"""Stamping providers (PACs): the interface in `base`, the embedded test-mode `sandbox`, and
adapters over satcfdi's clients for real PACs (`finkok`, `swsapien`)."""

from .base import (
    PAC,
    CancelMotive,
    CancelResult,
    Environment,
    PacError,
    PacNotFound,
    PacRejected,
    PacUnavailable,
    StampResult,
)

__all__ = [
    "PAC",
    "CancelMotive",
    "CancelResult",
    "Environment",
    "PacError",
    "PacNotFound",
    "PacRejected",
    "PacUnavailable",
    "StampResult",
]
