"""What every check of a client's fiscal fields writes to: its issues and the status of each field."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from timbre.clients.fiscal_data import FieldStatus, Issue
from timbre.clients.rfc import RfcResult


def given(value: str | None) -> str | None:
    """The value, or None when it was not given (absent or blank)."""
    return value if value is not None and value.strip() else None


@dataclass
class Check:
    on: datetime.date
    issues: list[Issue] = field(default_factory=list)
    status: dict[str, FieldStatus] = field(default_factory=dict)

    def fail(self, field_name: str, rule: str, message: str, sat_code: str | None = None) -> None:
        self.issues.append(Issue(field_name, rule, message, sat_code))
        self.status[field_name] = "invalid"

    def mark(self, field_name: str, status: FieldStatus) -> None:
        self.status.setdefault(field_name, status)


def persona_text(rfc: RfcResult) -> str:
    """The kind of person of an RFC, as the messages name it."""
    return "companies (persona moral)" if rfc.persona == "moral" else "individuals (persona física)"
