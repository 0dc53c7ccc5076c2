"""Wire schemas shared by several domains (addresses, metadata, tax elements)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from timbre.kit.storable import XmlText, boolean_number_errors, model_errors

__all__ = ["Address", "Color", "Email", "Metadata", "Strict", "TaxElement", "XmlText"]

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s]{2,63}$")
_COLOR = re.compile(r"^#(?:[0-9a-fA-F]{3}){1,2}$")


def _email(value: str) -> str:
    value = value.strip()
    if not _EMAIL.match(value):
        raise ValueError("must be a valid e-mail address")
    return value.lower()


def _color(value: str) -> str:
    if not _COLOR.match(value):
        raise ValueError("must be a hex colour like #1A2B3C")
    return value


Email = Annotated[str, Field(max_length=320), AfterValidator(_email)]
Color = Annotated[str, AfterValidator(_color)]


def _metadata(value: dict[str, Any]) -> dict[str, Any]:
    if len(value) > 50:
        raise ValueError("at most 50 keys")
    for key, item in value.items():
        if not key or len(key) > 40:
            raise ValueError("keys must have 1–40 characters")
        if item is not None and not isinstance(item, str | int | float | bool):
            raise ValueError(f"value of {key!r} must be a string, number, boolean or null")
        if isinstance(item, str) and len(item) > 500:
            raise ValueError(f"value of {key!r} is longer than 500 characters")
    return value


Metadata = Annotated[dict[str, Any], AfterValidator(_metadata)]


class Strict(BaseModel):
    """Input models reject unknown fields, so a typo is a clear 422 instead of a silent no-op. Every field
    holds what a CFDI and the database can store (`timbre.kit.storable`): text without characters XML
    cannot hold (a 400 naming the field), integers within 64 bits, finite floats, and no boolean where a
    number is expected."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _no_boolean_numbers(cls, data: Any) -> Any:
        if errors := boolean_number_errors(cls, data):
            raise ValidationError.from_exception_data(cls.__name__, errors)
        return data

    @model_validator(mode="after")
    def _storable(self) -> Any:
        if errors := model_errors(self):
            raise ValidationError.from_exception_data(type(self).__name__, errors)
        return self


class Address(Strict):
    country: str | None = Field(None, max_length=60)
    street: str | None = Field(None, max_length=200)
    exterior: str | None = Field(None, max_length=60)
    interior: str | None = Field(None, max_length=60)
    neighborhood: str | None = Field(None, max_length=120)
    municipality: str | None = Field(None, max_length=120)
    city: str | None = Field(None, max_length=120)
    state: str | None = Field(None, max_length=120)
    zip: str | None = Field(None, max_length=10)


class TaxElement(Strict):
    """A tax on an item, service or team default: IVA/ISR/IEPS, rate 0–1 (Tasa) or an amount (Cuota)."""

    type: Literal["IVA", "ISR", "IEPS"]
    rate: Decimal = Field(Decimal("0"), ge=0, max_digits=12, decimal_places=6)
    factor: Literal["Tasa", "Cuota", "Exento"] = "Tasa"
    withholding: bool = False
    inclusive: bool = False
    base: str | None = Field(None, max_length=10)

    @field_validator("type", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value

    @field_validator("factor", mode="before")
    @classmethod
    def _capital(cls, value: Any) -> Any:
        return value.capitalize() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _rate(self) -> TaxElement:
        if self.factor == "Exento" and self.withholding:
            raise ValueError("An exempt tax cannot be withheld")
        return self
