"""The request of `POST /invoices/payment`: a payment received elsewhere, and the invoices it pays.

Field names are the ones SAT's Pagos 2.0 rules report (`timbre.cfdi.rules.pagos`): `payment_form`,
`currency`, `exchange_rate`, `amount`, `paid_at`, `payer_bank.*`, `payee_bank.*` and, per invoice,
`invoices[k].{uuid, amount, equivalence}`; the installment number and previous balance of each
invoice come from our records, never from the request.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import Field, field_validator, model_validator

from timbre.invoices.schemas import SERIES_PATTERN, currency_code
from timbre.schemas import Email, Metadata, Strict

_CODE = re.compile(r"^[0-9]{2}$")
Amount = Annotated[Decimal, Field(gt=0, le=Decimal("1e15"), decimal_places=6)]


class PaidInvoice(Strict):
    """A PPD invoice of the team paid (in part) by this payment."""

    uuid: str | None = Field(None, max_length=40, description="The invoice's CFDI UUID (or give `id`)")
    id: str | None = Field(None, max_length=60, description="The invoice's id")
    amount: Amount = Field(..., description="ImpPagado: the amount paid, in the invoice's currency")
    equivalence: Decimal | None = Field(
        None, gt=0, le=Decimal("1e12"), decimal_places=10,
        description="EquivalenciaDR: units of the invoice's currency per unit of the payment's currency "
                    "(required when they differ)")

    @model_validator(mode="after")
    def _ref(self) -> PaidInvoice:
        if not (self.uuid or self.id):
            raise ValueError("give the invoice's uuid or id")
        return self

    @property
    def ref(self) -> str:
        return self.uuid or self.id or ""


class PayerBank(Strict):
    tax_id: str | None = Field(None, max_length=13, description="RfcEmisorCtaOrd")
    name: str | None = Field(None, max_length=300, description="NomBancoOrdExt (foreign banks)")
    account: str | None = Field(None, max_length=50, description="CtaOrdenante")


class PayeeBank(Strict):
    tax_id: str | None = Field(None, max_length=13, description="RfcEmisorCtaBen")
    account: str | None = Field(None, max_length=50, description="CtaBeneficiario")


class ComplementInput(Strict):
    """A payment complement for a payment received outside Timbre."""

    invoices: list[PaidInvoice] = Field(..., min_length=1, max_length=100)
    payment_form: str = Field(..., description="FormaDePagoP (c_FormaPago; not 99)")
    currency: str = Field("MXN", min_length=3, max_length=3, description="MonedaP")
    exchange_rate: Decimal | None = Field(None, gt=0, le=Decimal("1e12"), decimal_places=6,
                                          description="TipoCambioP: MXN per unit of `currency` (not for MXN)")
    confirmation: str | None = Field(None, pattern=r"^[0-9a-zA-Z]{5}$", description=(
        "Confirmacion: the PAC's key for a TipoCambioP outside SAT's allowed variation (CRP20216)"))
    amount: Amount | None = Field(None, description="Monto (default: the invoices' amounts, converted)")
    paid_at: datetime | int | None = Field(
        None, description="When the money arrived: unix seconds, an ISO date-time with its offset, or the "
                          "issuer's local date-time (its postal code's zone; default: now)")
    operation_number: str | None = Field(None, min_length=1, max_length=100, description="NumOperacion")
    payer_bank: PayerBank | None = None
    payee_bank: PayeeBank | None = None
    series: str | None = Field(None, pattern=SERIES_PATTERN)
    metadata: Metadata = Field(default_factory=dict)
    idempotency_key: str | None = Field(None, max_length=255)
    send_email: bool | None = None
    emails: list[Email] | None = Field(None, max_length=20)
    return_files_urls: bool = False

    @field_validator("payment_form", mode="before")
    @classmethod
    def _form(cls, value: Any) -> Any:
        if isinstance(value, str) and not _CODE.match(value.strip()):
            raise ValueError("must be a c_FormaPago code such as 03")
        return value.strip() if isinstance(value, str) else value

    _currency = field_validator("currency", mode="before")(currency_code)

    @field_validator("paid_at")
    @classmethod
    def _paid_at(cls, value: datetime | int | None) -> datetime | int | None:
        if isinstance(value, int) and not 0 < value < 10**13:
            raise ValueError("must be a unix timestamp")
        return value
