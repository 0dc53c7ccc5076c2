"""Services API payloads (spec §2.2): ServiceInput and the service object."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, Field, PlainSerializer

from timbre.schemas import Metadata, Strict, TaxElement

# JSON numbers, as gigstack shows prices and rates (its CLI does arithmetic on them). Inputs are capped at
# 15 significant digits, which a JSON number carries exactly; stored and computed values stay Decimal.
DecimalNumber = Annotated[Decimal, PlainSerializer(float, return_type=float, when_used="json")]
Price = Annotated[Decimal, Field(ge=0, max_digits=15, decimal_places=6)]


class ServiceCreate(Strict):
    """ServiceInput. `product_key`/`unit_key` default to the team's settings when omitted."""

    description: str = Field(..., min_length=1, max_length=1000)
    sku: str | None = Field(None, max_length=100)
    product_key: str | None = Field(None, max_length=8, description="c_ClaveProdServ, 8 digits (e.g. 81111500)")
    unit_key: str | None = Field(None, max_length=10, description="c_ClaveUnidad (e.g. E48 service unit, H87 piece)")
    unit_name: str | None = Field(None, max_length=100, description="Default: the unit key's SAT name")
    unit_price: Price
    taxes: list[TaxElement] = Field(default_factory=list, max_length=10)
    metadata: Metadata = Field(default_factory=dict)


class ServiceUpdate(Strict):
    """Partial ServiceInput: only the fields given change (`taxes` replaces the list)."""

    description: str | None = Field(None, min_length=1, max_length=1000)
    sku: str | None = Field(None, max_length=100)
    product_key: str | None = Field(None, max_length=8)
    unit_key: str | None = Field(None, max_length=10)
    unit_name: str | None = Field(None, max_length=100)
    unit_price: Price | None = None
    taxes: list[TaxElement] | None = Field(None, max_length=10)
    metadata: Metadata | None = None


class TaxOut(BaseModel):
    type: str
    rate: DecimalNumber
    factor: str
    withholding: bool
    inclusive: bool
    base: str | None = None


class ServiceOut(BaseModel):
    id: str
    description: str
    sku: str | None
    product_key: str
    unit_key: str
    unit_name: str | None
    unit_price: DecimalNumber
    taxes: list[TaxOut]
    metadata: dict[str, Any]
    livemode: bool
    team: str
    created_at: int = Field(description="Unix seconds")
    updated_at: int = Field(description="Unix seconds")


class DeletedOut(BaseModel):
    id: str
    deleted: bool
