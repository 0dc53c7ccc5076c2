"""Payments API payloads (spec §2.4). SAT codes are checked for shape here; their meaning is judged
when a document is issued."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator

from timbre.clients.schemas import ClientRef
from timbre.invoices.schemas import ItemInput, currency_code, normalize_automation_type
from timbre.schemas import Email, Metadata, Strict

# gigstack's methods: card (Stripe), spei ("Mexican bank transfer"), oxxo (Stripe), stripe-spei
# (Stripe customer balance); its examples and CLI say "bank" for a transfer.
PAYMENT_METHODS = ("card", "bank", "spei", "oxxo", "stripe-spei")
PaymentMethod = Literal["card", "bank", "spei", "oxxo", "stripe-spei"]
STATUSES = ("pending", "requires_payment_method", "processing", "succeeded", "failed", "cancelled", "refunded")
Status = Literal["pending", "requires_payment_method", "processing", "succeeded", "failed", "cancelled", "refunded"]
Amount = Annotated[Decimal, Field(gt=0, le=Decimal("1e15"), decimal_places=6)]
_FORM = re.compile(r"^[0-9]{2}$")


def _payment_form(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        if not _FORM.match(value):
            raise ValueError("must be a c_FormaPago code such as 03")
    return value


class PaymentInput(Strict):
    """What register and request share: who pays, for what, and what documents follow."""

    client: ClientRef | None = Field(None, description="`id`, a `search` (upsert) or inline fields; defaults to "
                                                       "the client of `ppd_invoice_id`")
    items: list[ItemInput] | None = Field(None, min_length=1, max_length=200,
                                          description="Priced like invoice items (services by id or SKU)")
    amount: Amount | None = Field(None, description="Without items: the amount charged (no taxes broken down); "
                                                    "with `ppd_invoice_id` it defaults to the invoice's balance")
    currency: str = Field("MXN", min_length=3, max_length=3, description="c_Moneda")
    exchange_rate: Decimal | None = Field(None, gt=0, le=Decimal("1e12"), decimal_places=6,
                                          description="MXN per unit of `currency`")
    automation_type: str | None = Field(
        None, description="pue_invoice (or payment, stamp_invoice): a stamped PUE invoice; ppd_invoice_and_complement"
                          " (or payment_and_complement): a PPD invoice and its payment complement; receipt; none. "
                          "Default: the client's defaults (issue_automatic_invoices → pue_invoice, "
                          "issue_invoiceable_receipts → receipt), else none")
    ppd_invoice_id: str | None = Field(None, max_length=60, description="A PPD invoice (id or UUID) this payment "
                                                                        "pays: its payment complement follows")
    use: str | None = Field(None, max_length=4, description="c_UsoCFDI of the invoice the automation issues")
    metadata: Metadata = Field(default_factory=dict)
    idempotency_key: str | None = Field(None, max_length=255)
    send_email: bool | None = None
    emails: list[Email] | None = Field(None, max_length=20)

    _automation = field_validator("automation_type", mode="before")(normalize_automation_type)

    _currency = field_validator("currency", mode="before")(currency_code)


class PaymentRegister(PaymentInput):
    """RegisterPaymentInput: a payment already received (`succeeded` at once)."""

    payment_form: str = Field(..., description="c_FormaPago: how the money arrived (01 cash, 03 transfer, "
                                               "04 credit card, 28 debit card, ...)")
    paid_at: datetime | int | None = Field(None, description="When the money arrived (unix seconds or ISO); "
                                                             "default now")
    operation_number: str | None = Field(None, min_length=1, max_length=100,
                                         description="The bank's reference (NumOperacion in a complement)")

    _form = field_validator("payment_form", mode="before")(_payment_form)


class PaymentRequest(PaymentInput):
    """RequestPaymentInput: a payment link for the client to pay."""

    allowed_payment_methods: list[PaymentMethod] | None = Field(
        None, max_length=5, description="card, bank, spei, oxxo, stripe-spei (default: what the team has set up)")
    payment_form: str | None = Field(None, description="Expected c_FormaPago, if known")

    _form = field_validator("payment_form", mode="before")(_payment_form)


class MarkPaidInput(Strict):
    """MarkPaymentAsPaidInput."""

    payment_form: str | None = Field(None, description="c_FormaPago (default: the payment's)")
    paid_at: datetime | int | None = None
    operation_number: str | None = Field(None, min_length=1, max_length=100)

    _form = field_validator("payment_form", mode="before")(_payment_form)


class RefundInput(Strict):
    """RefundPaymentInput: all of what is left to refund by default, or `amount`."""

    amount: Amount | None = None
    reason: str | None = Field(None, max_length=500, description="e.g. duplicate, fraudulent, requested_by_customer")
    external_processor_refund: bool = Field(False, description="The money was already returned through the card "
                                                               "processor or bank (recorded only)")


class PaymentUpdate(Strict):
    """UpdatePaymentInput: gigstack's `items`, `client` and `automation_type` (while the payment is unpaid), plus
    `metadata` and `emails` (any time)."""

    items: list[ItemInput] | None = Field(None, min_length=1, max_length=200,
                                          description="Priced again like on create; they replace the items")
    client: ClientRef | None = Field(None, description="`{id}` of another client moves the payment to it; fields "
                                                       "(with no id, or the payment's client's id) patch that client")
    automation_type: str | None = Field(None, description="Attach an automation to a payment that has none")
    metadata: Metadata | None = Field(None, description="Merged; a null value removes a key")
    emails: list[Email] | None = Field(None, max_length=20)

    _automation = field_validator("automation_type", mode="before")(normalize_automation_type)
