"""Receipts API payloads (spec §2.5, addendum §1.2–1.3): ReceiptInput, its update, the stamp body."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, Literal

from pydantic import Field, field_validator

from timbre.clients.schemas import ClientRef
from timbre.invoices.schemas import SERIES_PATTERN, ItemInput, currency_code
from timbre.schemas import Email, Metadata, Strict

Periodicity = Literal["day", "week", "two_weeks", "month", "two_months"]
# Stored statuses plus `expired` (pending past `validUntil`); `open` is gigstack's CLI's word for pending,
# `stamped`/`canceled` the n8n node's.
Status = Literal["pending", "open", "invoiced", "completed", "expired", "cancelled", "stamped", "canceled"]
StampTo = Literal["client", "general_public_national", "general_public_foreign"]
_FORM = re.compile(r"^[0-9]{2}$")
MAX_TS = 10**13


def payment_form_code(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        if not _FORM.match(value) or value == "99":
            raise ValueError("must be a c_FormaPago code such as 01 (cash) or 03 (transfer); a sale already paid "
                             "is never 99")
    return value


class ReceiptConfig(Strict):
    """`invoice_config`: the series (and folio, 0 = next) of the invoice the receipt becomes."""

    serie: str | None = Field(None, pattern=SERIES_PATTERN)
    folio: int | None = Field(None, ge=0, le=10**12)


class ReceiptFields(Strict):
    items: list[ItemInput] = Field(..., min_length=1, max_length=200,
                                   description="As invoice items: a service `id`, a `search` on its SKU, or inline "
                                               "fields; the team's default taxes apply")
    metadata: Metadata = Field(default_factory=dict)


class ReceiptInput(ReceiptFields):
    """ReceiptInput: what was sold, to whom (optional) and how long the customer may self-invoice it."""

    client: ClientRef | None = Field(None, description="`id`, a `search` (upsert) or inline fields; optional")
    currency: str = Field("MXN", min_length=3, max_length=3, description="c_Moneda")
    exchange_rate: Decimal | None = Field(None, gt=0, le=Decimal("1e12"), decimal_places=6)
    payment_form: str = Field("03", description="c_FormaPago of the sale (never 99: it was paid)")
    periodicity: Periodicity | None = Field(None, description="Validity for self-invoicing (default: the team's "
                                                              "`periodicity`, else month = 30 days)")
    valid_until: int | None = Field(None, ge=0, le=MAX_TS, description="Unix seconds (or ms); overrides "
                                                                       "`periodicity`'s validity")
    idempotency_key: str | None = Field(None, max_length=255)
    invoice_config: ReceiptConfig | None = None
    series: str | None = Field(None, pattern=SERIES_PATTERN, description="The receipt's own folio series "
                                                                        "(default R)")
    send_email: bool = Field(False, description="E-mail the receipt (its PDF and self-invoice link) to the client")
    emails: list[Email] | None = Field(None, max_length=20)

    _currency = field_validator("currency", mode="before")(currency_code)
    _form = field_validator("payment_form", mode="before")(payment_form_code)


class ReceiptUpdate(Strict):
    """While a receipt is open: its items, client and metadata (merged; null removes a key)."""

    items: list[ItemInput] | None = Field(None, min_length=1, max_length=200)
    client: ClientRef | None = None
    metadata: dict[str, Any] | None = None
    payment_form: str | None = None

    _form = field_validator("payment_form", mode="before")(payment_form_code)


class FiscalInformation(Strict):
    legal_name: str | None = Field(None, max_length=300)
    tax_id: str | None = Field(None, max_length=40)
    tax_system: str | None = Field(None, max_length=10)
    zip: str | None = Field(None, max_length=10)
    use: str | None = Field(None, max_length=10)
    email: Email | None = None


class StampInput(Strict):
    """`POST /receipts/{id}/stamp`: invoice the receipt now (gigstack's CLI sends no body: to its client)."""

    stamp_to: StampTo = "client"
    fiscal_information: FiscalInformation | None = Field(
        None, description="The receiver's fiscal data (the client is found by RFC, updated or created)")
    use: str | None = Field(None, max_length=4, description="c_UsoCFDI (default: the client's)")
    date: int | None = Field(None, ge=0, le=MAX_TS, description="Accepted; the CFDI is dated now (SAT allows "
                                                                "at most 72 hours back)")
    send_email: bool = True


class ReopenInput(Strict):
    reason: str | None = Field(None, max_length=500)


class EomInput(Strict):
    """`POST /invoices/eom/run`: close the periods that ended (or `year`/`month` only)."""

    year: int | None = Field(None, ge=2022, le=2999)
    month: int | None = Field(None, ge=1, le=12)
