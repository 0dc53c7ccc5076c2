"""What client validation (`validation.validate_client`) reads and answers: a client's fiscal fields, and the
report with one issue per broken rule and a status per field (`validation` re-exports these)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from timbre.clients.rfc import RfcKind

FieldStatus = Literal["valid", "invalid", "missing", "not_required"]


@dataclass(frozen=True, slots=True)
class ClientFiscalData:
    """The fiscal fields of a client. Empty strings count as not given."""

    legal_name: str | None = None
    tax_id: str | None = None
    tax_system: str | None = None
    use: str | None = None
    zip: str | None = None
    country: str | None = None
    foreign_tax_id: str | None = None

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> ClientFiscalData:
        """From a gigstack-shaped client: ``address{zip,country}``; foreign tax id as
        ``foreign_tax_id`` or ``num_reg_id_trib``."""
        address = data.get("address") or {}

        def text(value: Any) -> str | None:
            return value if isinstance(value, str) else None

        return cls(
            legal_name=text(data.get("legal_name")),
            tax_id=text(data.get("tax_id")),
            tax_system=text(data.get("tax_system")),
            use=text(data.get("use")),
            zip=text(address.get("zip")) if isinstance(address, Mapping) else None,
            country=text(address.get("country")) if isinstance(address, Mapping) else None,
            foreign_tax_id=text(data.get("foreign_tax_id")) or text(data.get("num_reg_id_trib")),
        )


@dataclass(frozen=True, slots=True)
class Issue:
    field: str
    rule: str
    message: str
    sat_code: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        return {"field": self.field, "rule": self.rule, "message": self.message, "sat_code": self.sat_code}


@dataclass(frozen=True, slots=True)
class ValidationReport:
    issues: tuple[Issue, ...]
    fields: Mapping[str, FieldStatus]
    receiver_kind: RfcKind | None  # None unless the RFC is valid
    is_foreign: bool
    country: str | None  # c_Pais code when recognised

    @property
    def is_valid(self) -> bool:
        """No rule is broken by the fields that were given."""
        return not self.issues

    @property
    def is_complete_for_invoicing(self) -> bool:
        return self.is_valid and "missing" not in self.fields.values()

    @property
    def missing(self) -> list[str]:
        return [name for name, status in self.fields.items() if status == "missing"]

    def to_dict(self) -> dict[str, Any]:
        return {
            "is_valid": self.is_valid,
            "is_complete_for_invoicing": self.is_complete_for_invoicing,
            "receiver_kind": self.receiver_kind,
            "is_foreign": self.is_foreign,
            "fields": dict(self.fields),
            "missing": self.missing,
            "issues": [issue.to_dict() for issue in self.issues],
        }
