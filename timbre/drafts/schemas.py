"""Draft payloads: the create-invoice fields, all optional; only `invoice_type` is required to create."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import ConfigDict, Field, field_validator

from timbre.clients.schemas import ClientRef
from timbre.invoices.schemas import (
    SERIES_PATTERN,
    GlobalInfo,
    InvoiceConfig,
    ItemInput,
    RelatedDocuments,
    currency_code,
    normalize_automation_type,
)
from timbre.schemas import Email, Metadata, Strict

# Fields that belong to the draft itself, not to the invoice it becomes.
DRAFT_ONLY = ("description",)


class DraftFields(Strict):
    """DraftInvoiceUpdateInput: any field of an invoice; `null` clears it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, populate_by_name=True)

    description: str | None = Field(None, max_length=1000, description="A note about the draft (not stamped)")
    client: ClientRef | None = None
    items: list[ItemInput] | None = Field(None, max_length=1000)
    currency: str | None = Field(None, min_length=3, max_length=3)
    exchange_rate: Decimal | None = Field(None, gt=0, le=Decimal("1e12"), decimal_places=6)
    use: str | None = Field(None, max_length=4)
    payment_form: str | None = Field(None, max_length=2)
    payment_method: str | None = Field(None, max_length=3)
    series: str | None = Field(None, pattern=SERIES_PATTERN)
    invoice_config: InvoiceConfig | None = None
    related_documents: list[RelatedDocuments] | None = Field(None, max_length=20)
    global_: GlobalInfo | None = Field(None, alias="global")
    exports: str | None = Field(None, max_length=2)
    invoice_pdf_notes: str | None = Field(None, max_length=2000)
    automation_type: str | None = None
    metadata: Metadata | None = None
    emails: list[Email] | None = Field(None, max_length=20)

    _currency = field_validator("currency", mode="before")(currency_code)
    _automation = field_validator("automation_type", mode="before")(normalize_automation_type)


class DraftCreate(DraftFields):
    """DraftInvoiceInput: `invoice_type` (I income, E egress) and whatever else is known."""

    invoice_type: Literal["I", "E"]


class DraftUpdate(DraftFields):
    invoice_type: Literal["I", "E"] | None = None


class StampInput(Strict):
    send_email: bool = Field(True, description="E-mail the invoice to the client")
    return_files: bool = Field(False, description="Include the XML and PDF, base64-encoded, in the response")
