"""Clients API payloads (spec §2.1): ClientInput, the upsert `search`, ApiPublicClient."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from timbre.schemas import Address, Email, Metadata, Strict

SEARCH_KEYS = ("tax_id", "email", "name", "legal_name", "company", "phone", "id")


class ClientSearch(Strict):
    """Find the client instead of creating a duplicate: `on_key` (tax_id, email, name, legal_name, company,
    phone, id or `metadata.<key>`) equal to `on_value` (default: the same field of the payload)."""

    on_key: str = Field("tax_id", min_length=2, max_length=60)
    on_value: str | None = Field(None, max_length=320)
    update: bool = Field(False, description="Update the client found with the payload's fields")
    auto_create: bool = Field(True, description="Create the client when none matches (false: 404 instead)")

    @field_validator("on_key")
    @classmethod
    def _known_key(cls, value: str) -> str:
        if value in SEARCH_KEYS or (value.startswith("metadata.") and len(value) > len("metadata.")):
            return value
        raise ValueError(f"must be one of {', '.join(SEARCH_KEYS)} or metadata.<key>")


class ClientDefaults(Strict):
    keep_full_legal_name: bool | None = Field(
        None, description="Keep the régimen de capital (S.A. de C.V., ...) in legal_name; by default it is "
                          "removed, as CFDI 4.0 requires")
    issue_automatic_invoices: bool | None = None
    issue_invoiceable_receipts: bool | None = None


class ClientFields(Strict):
    """ClientInput: every field optional. Values given must be valid; missing ones make `is_valid` false."""

    name: str | None = Field(None, max_length=300)
    legal_name: str | None = Field(None, max_length=300, description="Razón social, as on the Constancia")
    company: str | None = Field(None, max_length=300)
    email: Email | None = None
    phone: str | None = Field(None, max_length=40)
    tax_id: str | None = Field(None, max_length=40, description="RFC (12 or 13 characters, uppercase)")
    tax_system: str | None = Field(None, max_length=10, description="c_RegimenFiscal code, e.g. 601, 612, 626")
    use: str | None = Field(None, max_length=10, description="c_UsoCFDI code, e.g. G03, S01")
    foreign_tax_id: str | None = Field(None, max_length=40,
                                       description="Foreign receivers: their tax id (NumRegIdTrib)")
    address: Address | None = None
    bcc: list[Email] | None = Field(None, max_length=20)
    metadata: Metadata | None = None
    defaults: ClientDefaults | None = None


class ClientCreate(ClientFields):
    search: ClientSearch | None = None


class ClientUpdate(ClientFields):
    pass


class ClientRef(ClientFields):
    """A client inside another object (invoices, payments, receipts): `id`, a `search`, or inline fields."""

    id: str | None = Field(None, max_length=60)
    search: ClientSearch | None = None


class EfosOut(BaseModel):
    is_valid: bool = Field(description="False when SAT's 69-B list has the RFC as Definitivo")
    status: str | None = Field(None, description="Situation on the 69-B list (Presunto, Definitivo, ...), if listed")


class ClientOut(BaseModel):
    """ApiPublicClient."""

    model_config = ConfigDict(populate_by_name=True)

    id: str
    name: str | None
    legal_name: str | None
    company: str | None
    email: str | None
    phone: str | None
    tax_id: str | None
    tax_system: str | None
    use: str | None
    foreign_tax_id: str | None
    address: dict[str, Any]
    bcc: list[str]
    metadata: dict[str, Any]
    defaults: dict[str, Any]
    is_valid: bool = Field(description="The fiscal data is complete and valid for a CFDI 4.0 receiver")
    efos: EfosOut
    from_: str = Field(alias="from")
    livemode: bool
    owner: str | None
    team: str
    created_at: int = Field(description="Unix seconds")
    updated_at: int = Field(description="Unix seconds")


class IssueOut(BaseModel):
    field: str
    rule: str
    message: str
    sat_code: str | None


class ClientValidationOut(BaseModel):
    """The field-by-field report of `POST /clients/validate/{id}`."""

    id: str
    tax_id: str | None
    is_valid: bool = Field(description="Same as the client's: every field a CFDI receiver needs is given and valid")
    receiver_kind: str | None = Field(description="fisica, moral, generico_nacional or generico_extranjero")
    is_foreign: bool
    fields: dict[str, str] = Field(description="Per field: valid, invalid, missing or not_required")
    missing: list[str]
    issues: list[IssueOut]
    efos: EfosOut


class DeletedOut(BaseModel):
    id: str
    deleted: bool


class LinkedEntity(BaseModel):
    entityType: str
    entityId: str


class SupportDocumentOut(BaseModel):
    """A support document, in the camelCase vocabulary of gigstack's documents API."""

    id: str
    documentType: str
    name: str
    description: str | None
    fileName: str
    fileSize: int
    mimeType: str
    sha256: str
    storagePath: str
    fileUrl: str = Field(description="Download link, valid for one hour, no API key needed")
    linkedEntities: list[LinkedEntity]
    livemode: bool
    team: str
    created_at: int = Field(description="Unix seconds")


class CsfRegimenOut(BaseModel):
    code: str | None = Field(description="c_RegimenFiscal code (null: SAT's name matched no catalog entry)")
    name: str = Field(description="The régimen as the constancia names it")
    start: str | None = Field(description="Its Fecha Inicio (dd/mm/yyyy)")


class CsfOut(BaseModel):
    """What the Constancia de Situación Fiscal says."""

    tax_id: str
    persona: Literal["fisica", "moral"]
    legal_name: str = Field(description="Nombre and apellidos (persona física) or Denominación/Razón Social")
    id_cif: str | None = Field(description="The constancia's idCIF")
    tax_system: str | None = Field(description="The régimen the client was given: the first one in force")
    tax_systems: list[CsfRegimenOut] = Field(description="Every régimen in force (without Fecha Fin)")
    zip: str | None
    address: dict[str, str]
    status: str | None = Field(description="Estatus en el padrón, e.g. ACTIVO")
    qr_verified: bool = Field(description="The QR code's SAT validation URL names the same RFC and idCIF")


class ClientFromCsfOut(ClientOut):
    csf: CsfOut
