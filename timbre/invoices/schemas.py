"""Invoice payloads (spec §2.3: InvoiceIncomeInput / InvoiceEgressInput).

SAT codes (use, payment form, currency, relationship, periodicity, ...) are only checked for shape
here: their meaning is judged by SAT's rules before stamping, so a wrong code comes back as a 400
carrying SAT's error code and the request field, not as a bare 422.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, Literal

from pydantic import ConfigDict, Field, field_validator

from timbre.clients.schemas import ClientRef
from timbre.schemas import Email, Metadata, Strict, TaxElement

UUID_PATTERN = r"^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$"
SERIES_PATTERN = r"^[A-Za-z0-9]{1,10}$"
MAX_FOLIO = 10**12

# Every spelling of spec §1 (invoices guide, payments guide, CLI), and what each means for an invoice.
AUTOMATION_TYPES = {
    "payment": "pue_invoice",
    "pue_invoice": "pue_invoice",
    "stamp_invoice": "pue_invoice",
    "payment_and_complement": "ppd_invoice_and_complement",
    "ppd_invoice_and_complement": "ppd_invoice_and_complement",
    "receipt": "receipt",
    "none": "none",
}
_CODE = re.compile(r"^[A-Za-z0-9]{1,10}$")

Money = Decimal


def currency_code(value: Any) -> Any:
    """ISO 4217 codes are compared upper-case; whitespace is trimmed."""
    return value.strip().upper() if isinstance(value, str) else value


def normalize_automation_type(value: Any) -> Any:
    """Every spelling of `automation_type` in gigstack's documents, mapped to its canonical name."""
    if isinstance(value, str):
        key = value.strip().lower()
        if key not in AUTOMATION_TYPES:
            raise ValueError(f"must be one of {', '.join(AUTOMATION_TYPES)}")
        return AUTOMATION_TYPES[key]
    return value


def _code(value: Any) -> Any:
    """SAT codes travel as strings; a number (`"use": 3`) is a shape error, whitespace is trimmed."""
    if isinstance(value, str):
        value = value.strip()
        if not _CODE.match(value):
            raise ValueError("must be a SAT catalog code (letters and digits)")
    return value


class ItemSearch(Strict):
    """Find the team's service by SKU (or id) instead of repeating its fields."""

    on_key: Literal["sku", "id"] = "sku"
    on_value: str = Field(..., min_length=1, max_length=100)
    auto_create: bool = Field(False, description="Create the service from the item's fields when none matches")


class ThirdParty(Strict):
    """ACuentaTerceros: the item is billed on behalf of this taxpayer."""

    tax_id: str = Field(..., min_length=1, max_length=13)
    legal_name: str = Field(..., min_length=1, max_length=254)
    tax_system: str = Field(..., min_length=1, max_length=3)
    zip: str = Field(..., min_length=1, max_length=5)


class ItemInput(Strict):
    """An item: a service by `id`, a service by `search` on its SKU, or inline fields (which override a
    service's). Missing SAT keys and taxes come from the team's settings."""

    id: str | None = Field(None, max_length=60, description="A service id (service_…)")
    search: ItemSearch | None = None
    description: str | None = Field(None, min_length=1, max_length=1000)
    quantity: Decimal = Field(Decimal(1), gt=0, le=Decimal("1e12"), decimal_places=6)
    unit_price: Decimal | None = Field(None, ge=0, le=Decimal("1e15"), decimal_places=6)
    discount: Decimal = Field(Decimal(0), ge=0, le=Decimal("1e15"), decimal_places=6,
                              description="The line's total discount (SAT's Descuento)")
    sku: str | None = Field(None, max_length=100)
    product_key: str | None = Field(None, max_length=8, description="c_ClaveProdServ")
    unit_key: str | None = Field(None, max_length=3, description="c_ClaveUnidad")
    unit_name: str | None = Field(None, max_length=20)
    taxability: str | None = Field(None, max_length=2, description="c_ObjetoImp (01 not subject, 02 subject, ...)")
    taxes: list[TaxElement] | None = Field(None, max_length=10,
                                           description="Omit to use the service's or team's taxes; [] for none")
    third_party: ThirdParty | None = None

    _codes = field_validator("product_key", "unit_key", "taxability", mode="before")(_code)


class RelatedDocuments(Strict):
    relationship: str = Field(..., min_length=1, max_length=2, description="c_TipoRelacion: 01-07")
    documents: list[str] = Field(..., min_length=1, max_length=100)

    _codes = field_validator("relationship", mode="before")(_code)

    @field_validator("documents")
    @classmethod
    def _uuids(cls, value: list[str]) -> list[str]:
        for uuid in value:
            if not re.match(UUID_PATTERN, uuid):
                raise ValueError(f"{uuid!r} is not a CFDI UUID")
        return [uuid.upper() for uuid in value]


class GlobalInfo(Strict):
    """InformacionGlobal of a factura global (público en general)."""

    periodicity: str = Field(..., min_length=1, max_length=2, description="c_Periodicidad: 01 daily … 05 bimonthly")
    months: str = Field(..., min_length=1, max_length=2, description="c_Meses: 01-12, or 13-18 for bimesters")
    year: int = Field(..., ge=2000, le=2999)

    _codes = field_validator("periodicity", "months", mode="before")(_code)


class InvoiceConfig(Strict):
    serie: str | None = Field(None, pattern=SERIES_PATTERN)


class CustomComplement(Strict):
    type: str = Field(..., max_length=40)
    data: Any = None


class InvoiceInput(Strict):
    """InvoiceIncomeInput / InvoiceEgressInput."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, populate_by_name=True)

    automation_type: str | None = Field(
        None, description="payment | pue_invoice | stamp_invoice (PUE); payment_and_complement | "
                          "ppd_invoice_and_complement (PPD); receipt; none")
    client: ClientRef
    items: list[ItemInput] = Field(..., min_length=1, max_length=1000)
    currency: str = Field("MXN", min_length=3, max_length=3, description="c_Moneda")
    exchange_rate: Decimal | None = Field(None, gt=0, le=Decimal("1e12"), decimal_places=6)
    confirmation: str | None = Field(None, pattern=r"^[0-9a-zA-Z]{5}$", description=(
        "Confirmacion: the PAC's key for an exchange rate outside SAT's allowed variation (CFDI40118)"))
    use: str | None = Field(None, max_length=4, description="c_UsoCFDI (default: client's, then team's)")
    payment_form: str | None = Field(None, max_length=2, description="c_FormaPago (PPD: 99)")
    payment_method: str | None = Field(None, max_length=3, description="PUE or PPD")
    series: str | None = Field(None, pattern=SERIES_PATTERN)
    folio_number: int | None = Field(None, ge=1, le=MAX_FOLIO)
    idempotency_key: str | None = Field(None, max_length=255)
    complements: list[CustomComplement] | None = Field(None, max_length=10)
    related_documents: list[RelatedDocuments] = Field(default_factory=list, max_length=20)
    global_: GlobalInfo | None = Field(None, alias="global")
    exports: str = Field("01", max_length=2, description="c_Exportacion")
    invoice_pdf_notes: str | None = Field(None, max_length=2000)
    addenda: str | None = Field(None, max_length=20000, description="Accepted and kept; not written into the CFDI")
    return_files_urls: bool = False
    metadata: Metadata = Field(default_factory=dict)
    send_email: bool | None = None
    emails: list[Email] | None = Field(None, max_length=20)
    ignore_emails: bool | None = None
    invoice_config: InvoiceConfig | None = None
    ppd_invoice_id: str | None = Field(None, max_length=60)
    invoice_type: Literal["I", "E"] | None = Field(None, description="Only for /invoices/validate (default I)")

    _codes = field_validator("use", "payment_form", "payment_method", "exports", mode="before")(_code)

    _currency = field_validator("currency", mode="before")(currency_code)
    _automation = field_validator("automation_type", mode="before")(normalize_automation_type)


class CancelInput(Strict):
    """`{motive, substitution_uuid}`; gigstack's CLI sends the substitute as `replacement`."""

    motive: str = Field(..., min_length=2, max_length=2, description="01-04 (c_MotivoCancelacion)")
    substitution_uuid: str | None = Field(None, pattern=UUID_PATTERN)
    replacement: str | None = Field(None, pattern=UUID_PATTERN)

    @property
    def substitute(self) -> str | None:
        value = self.substitution_uuid or self.replacement
        return value.upper() if value else None


class SendInput(Strict):
    emails: list[Email] | None = Field(None, max_length=20, description="Default: the client's e-mail")

class CancellationAnswerInput(Strict):
    """The receiver's answer to a cancellation SAT routed to it for acceptance (test mode only)."""

    accept: bool = Field(..., description="true: accept (SAT cancels the invoice); false: refuse (it stays valid)")
