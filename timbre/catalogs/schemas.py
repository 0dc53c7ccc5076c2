"""Catalogs API payloads: SAT catalog entries as the API shows them."""

from __future__ import annotations

from pydantic import BaseModel, Field


class CatalogEntry(BaseModel):
    code: str = Field(description="SAT's code, as it goes in the CFDI")
    description: str


class TaxRegimeOut(CatalogEntry):
    persona_fisica: bool = Field(description="Applies to individuals (13-character RFC)")
    persona_moral: bool = Field(description="Applies to companies (12-character RFC)")


class CfdiUseOut(CatalogEntry):
    persona_fisica: bool
    persona_moral: bool
    tax_systems: list[str] = Field(description="Receiver tax regimes (c_RegimenFiscal) this use is allowed for")


class PaymentFormOut(CatalogEntry):
    bancarizado: bool = Field(description="Paid through a bank (accounts may be reported in payment complements)")


class MonthOut(CatalogEntry):
    kind: str = Field(description="month (01–12) or bimester (13–18), for global invoices")


class CurrencyOut(CatalogEntry):
    decimals: int = Field(description="Decimal places SAT allows for amounts in this currency")


class CancellationMotiveOut(CatalogEntry):
    requires_replacement: bool = Field(description="The cancellation must name the CFDI that replaces it")
    replacement_relationship: str | None = Field(description="TipoRelacion the replacing CFDI uses")


class KeyMatchOut(CatalogEntry):
    score: float = Field(description="Relevance; results come best first")


class PostalCodeOut(BaseModel):
    code: str
    state: str = Field(description="c_Estado code, e.g. CMX")
    municipality: str = Field(description="c_Municipio code within the state")
    locality: str = Field(description="c_Localidad code within the state (may be empty)")
    border_region: bool = Field(description="In a border-region VAT/ISR stimulus zone")
    time_zone: str


class CatalogInfo(BaseModel):
    name: str
    path: str
    sat_catalog: str
    description: str
