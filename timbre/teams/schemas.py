"""Teams API payloads (spec §2.6)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from timbre.schemas import Address, Color, Email, Metadata, Strict, TaxElement

RFC_PATTERN = r"^[A-ZÑ&]{3,4}[0-9]{6}[A-Z0-9]{3}$"
SERIES_PATTERN = r"^[A-Za-z0-9]{1,10}$"
MAX_FOLIO = 10**12
RoleName = Literal["admin", "editor", "viewer"]


class Brand(Strict):
    alias: str = Field(..., min_length=1, max_length=120)
    primary_color: Color | None = None
    secondary_color: Color | None = None
    logo: str | None = Field(None, max_length=2048)


class BrandUpdate(Strict):
    alias: str | None = Field(None, min_length=1, max_length=120)
    primary_color: Color | None = None
    secondary_color: Color | None = None
    logo: str | None = Field(None, max_length=2048)


class TeamAddress(Address):
    country: str = Field(..., min_length=2, max_length=60)


class MemberInput(Strict):
    id: str = Field(..., min_length=1, max_length=40)
    role: RoleName = "viewer"


class TeamCreate(Strict):
    legal_name: str = Field(..., min_length=1, max_length=300)
    tax_id: str | None = Field(None, pattern=RFC_PATTERN)
    tax_system: str | None = Field(None, pattern=r"^[0-9]{3}$")
    brand: Brand | None = None
    support_email: Email | None = None
    support_phone: str | None = Field(None, max_length=40)
    address: TeamAddress | None = None
    metadata: Metadata = Field(default_factory=dict)
    generate_onboarding_url: bool = False
    add_members: list[MemberInput] = Field(default_factory=list, max_length=100)
    add_master_team_members: bool = False
    credit_limit: int | None = Field(None, ge=0, le=10**9)


class TeamUpdate(Strict):
    legal_name: str | None = Field(None, min_length=1, max_length=300)
    tax_id: str | None = Field(None, pattern=RFC_PATTERN)
    tax_system: str | None = Field(None, pattern=r"^[0-9]{3}$")
    brand: BrandUpdate | None = None
    support_email: Email | None = None
    support_phone: str | None = Field(None, max_length=40)
    address: Address | None = None
    metadata: Metadata | None = None
    credit_limit: int | None = Field(None, ge=0, le=10**9)

    @model_validator(mode="after")
    def _legal_name_not_null(self) -> TeamUpdate:
        if "legal_name" in self.model_fields_set and self.legal_name is None:
            raise ValueError("legal_name cannot be null")
        return self


class SeriesDefault(Strict):
    serie: str | None = Field(None, pattern=SERIES_PATTERN)
    folio_number_live: int | None = Field(None, ge=0, le=MAX_FOLIO)
    folio_number_test: int | None = Field(None, ge=0, le=MAX_FOLIO)


class DefaultSeries(Strict):
    income: SeriesDefault | None = None
    complements: SeriesDefault | None = None
    credit_note: SeriesDefault | None = None


class EmailSettings(Strict):
    invoices_bcc: list[Email] | None = None
    payments_bcc: list[Email] | None = None
    receipts_bcc: list[Email] | None = None
    avoid_invoice_emails: bool | None = None
    avoid_test_invoice_emails: bool | None = None
    avoid_receipts_emails: bool | None = None
    avoid_foreign_receipts_emails: bool | None = None
    invoice_body: str | None = Field(None, max_length=10000)
    invoice_subject: str | None = Field(None, max_length=300)
    complement_body: str | None = Field(None, max_length=10000)
    complement_subject: str | None = Field(None, max_length=300)
    credit_note_body: str | None = Field(None, max_length=10000)
    credit_note_subject: str | None = Field(None, max_length=300)
    payment_body: str | None = Field(None, max_length=10000)
    payment_subject: str | None = Field(None, max_length=300)
    receipt_body: str | None = Field(None, max_length=10000)
    receipt_subject: str | None = Field(None, max_length=300)
    receipt_reminder_body: str | None = Field(None, max_length=10000)
    receipt_reminder_subject: str | None = Field(None, max_length=300)


class ProductCode(Strict):
    key: str = Field(..., pattern=r"^[0-9]{8}$")
    description: str | None = Field(None, max_length=300)


class Periodicity(Strict):
    label: str | None = Field(None, max_length=40)
    value: Literal["day", "week", "two_weeks", "month", "two_months"]


PERIODICITIES = ("day", "week", "two_weeks", "month", "two_months")


class TeamSettingsInput(Strict):
    """Team settings; every field optional. Values are checked against SAT's catalogs."""

    avoid_automations_on_currencies: list[str] | None = Field(None, max_length=50)
    default_description: str | None = Field(None, max_length=1000)
    taxes: list[TaxElement] | None = Field(None, max_length=10)
    withholding_taxes: list[TaxElement] | None = Field(None, max_length=10)
    taxes_usd: list[TaxElement] | bool | None = None
    local_taxes: list[dict[str, Any]] | None = Field(None, max_length=10)
    emails: EmailSettings | None = None
    override_item_description: bool | None = None
    global_invoice_disabled: bool | None = None
    complements: list[dict[str, Any]] | None = Field(None, max_length=20)
    uses_on_self_invoice_portal: list[str] | None = Field(None, max_length=30)
    invoice_pdf_notes: str | None = Field(None, max_length=2000)
    product_key: str | None = Field(None, pattern=r"^[0-9]{8}$")
    unit_key: str | None = Field(None, pattern=r"^[A-Z0-9]{1,3}$")
    unit_name: str | None = Field(None, max_length=120)
    sku: str | None = Field(None, max_length=100)
    use: str | None = Field(None, pattern=r"^[A-Z0-9]{3,4}$")
    automate_complement_for_ppd_invoices: bool | None = None
    automate_partial_payment_complements: bool | None = None
    customer_portal_id: str | None = Field(None, max_length=100)
    periodicity: Periodicity | Literal["day", "week", "two_weeks", "month", "two_months"] | None = None
    default_series: DefaultSeries | None = None
    avoid_legal_name_replacer: bool | None = None
    enforce_client_country_taxes: bool | None = None
    use_foreign_public_in_usd: bool | None = None
    avoid_receipts: bool | None = None
    cancel_receipts_on_refunds: bool | None = None
    invoice_per_receipt: bool | None = None
    allow_notes_on_self_invoice: bool | None = None
    allow_product_code_on_self_invoice: bool | None = None
    allowed_product_codes: list[ProductCode] | None = Field(None, max_length=200)
    send_invoice_english_pdf: bool | None = None
    addenda: str | None = Field(None, max_length=20000)
    custom_payment_description: str | None = Field(None, max_length=1000)
    force_series: bool | None = None
    concepts_catalog: list[dict[str, Any]] | None = Field(None, max_length=500)
    pdf_language: Literal["es", "en"] | None = None
    global_invoicing_monthly_cuts: int | None = Field(None, ge=2, le=5)
    eom_ppd_threshold_days: int | None = Field(None, ge=0, le=31)
    limit_days_to_pay: int | None = Field(None, ge=0, le=3650)
    payment_reminders: dict[str, Any] | None = None
    reinvoice: dict[str, Any] | None = None
    refunds: dict[str, Any] | None = None
    email_templates: dict[str, Any] | None = None

    @field_validator("avoid_automations_on_currencies")
    @classmethod
    def _currencies(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        out = [v.upper() for v in value]
        for code in out:
            if len(code) != 3 or not code.isalpha():
                raise ValueError(f"{code!r} is not an ISO 4217 currency code")
        return out

    @model_validator(mode="after")
    def _withholding_flags(self) -> TeamSettingsInput:
        for tax in self.withholding_taxes or []:
            tax.withholding = True
        return self


class SeriesCreate(Strict):
    series: str = Field(..., pattern=SERIES_PATTERN, description="Alphanumeric, at most 10 characters")
    live: int = Field(0, ge=0, le=MAX_FOLIO, description="Last folio used in live mode")
    test: int = Field(0, ge=0, le=MAX_FOLIO, description="Last folio used in test mode")
    document_type: Literal["income", "credit_note", "complements", "egress", "payment"] = "income"


class SeriesUpdate(Strict):
    live: int | None = Field(None, ge=0, le=MAX_FOLIO)
    test: int | None = Field(None, ge=0, le=MAX_FOLIO)
    document_type: Literal["income", "credit_note", "complements", "egress", "payment"] = "income"

    @model_validator(mode="after")
    def _one(self) -> SeriesUpdate:
        if self.live is None and self.test is None:
            raise ValueError("give at least one of live, test")
        return self


class MemberRemove(Strict):
    id: str = Field(..., min_length=1, max_length=40)


class MemberOut(BaseModel):
    id: str
    email: str
    role: str


class SatStatus(BaseModel):
    completed: bool = False
    connected_at: int | None = Field(None, description="Unix seconds")
    csd_expires_at: int | None = Field(None, description="Unix seconds")
    test_csd: bool = Field(False, description="Test mode stamps with a test CSD Timbre made for the team's RFC")


class TeamOut(BaseModel):
    id: str
    legal_name: str
    name: str
    tax_id: str | None
    tax_system: str | None
    address: dict[str, Any]
    brand: dict[str, Any]
    settings: dict[str, Any]
    support_email: str | None
    support_phone: str | None
    owner: str | None
    members: list[MemberOut]
    sat: SatStatus
    integrations: dict[str, Any]
    metadata: dict[str, Any]
    status: str
    scheduled_deletion: dict[str, Any] | None = None
    credit_limit: int | None
    used_credits: int
    credit_period_start: int
    billing: dict[str, Any]
    billing_account: str
    is_master: bool
    livemode: bool
    created_at: int
    onboarding_url: str | None = None


class SeriesOut(BaseModel):
    series: str
    document_type: str
    live: int
    test: int
    next_folio_live: int
    next_folio_test: int
    created_at: int
