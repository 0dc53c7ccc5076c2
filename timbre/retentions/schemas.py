"""Request bodies of the Retentions API (spec §2.10 and addendum §3).

Money is Decimal. Amounts may be given in another currency with `currency` and `exchange_rate`: a
Retenciones 2.0 document states MXN only, so they are converted (half-even to cents) before stamping.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import Field

from timbre.clients.schemas import ClientRef
from timbre.schemas import Strict

Money = Decimal


class RetainedTax(Strict):
    tax: str = Field(..., max_length=4, description="ISR, IVA or IEPS (or SAT's 001, 002, 003)")
    base: Money | None = Field(None, ge=0, max_digits=24, decimal_places=6)
    amount: Money = Field(..., ge=0, max_digits=24, decimal_places=6)
    payment_type: str = Field("01", min_length=2, max_length=2, description="c_TipoPagoRet 01-04")


class PlatformService(Strict):
    payment_form: str = Field(..., min_length=2, max_length=2, description="c_FormaPagoServ 01-09")
    service_type: str = Field(..., min_length=2, max_length=2, description="c_TipoDeServ")
    service_subtype: str | None = Field(None, min_length=2, max_length=2, description="c_SubTipoServ")
    service_date: date
    price_without_tax: Money = Field(..., max_digits=24, decimal_places=6)
    tax_rate: Money | None = Field(None, ge=0, le=1, max_digits=8, decimal_places=6,
                                   description="IVA rate of the service: 0.16, 0.08, 0 or 0.5")
    commission: Money | None = Field(None, max_digits=24, decimal_places=6)
    third_party_tax_id: str | None = Field(None, max_length=13)
    government_contribution: Money | None = Field(None, max_digits=24, decimal_places=6)
    contribution_state: str | None = Field(None, min_length=2, max_length=2, description="c_EntidadesFederativas")


class PlatformServices(Strict):
    periodicity: str = Field("04", min_length=2, max_length=2, description="c_Periodicidad 01-05 (04 monthly)")
    services: list[PlatformService] = Field(..., min_length=1, max_length=5000)


class Dividends(Strict):
    dividend_type: str = Field(..., min_length=2, max_length=2, description="c_TipoDividendoOUtilidadDistribuida")
    isr_mexico: Money = Field(..., max_digits=24, decimal_places=6)
    isr_abroad: Money = Field(Decimal(0), max_digits=24, decimal_places=6)
    company_type: Literal["Sociedad Nacional", "Sociedad Extranjera"] = "Sociedad Nacional"
    retained_abroad: Money | None = Field(None, max_digits=24, decimal_places=6)
    isr_creditable_national: Money | None = Field(None, max_digits=24, decimal_places=6)
    accumulable_national: Money | None = Field(None, max_digits=24, decimal_places=6)
    accumulable_abroad: Money | None = Field(None, max_digits=24, decimal_places=6)


class Interest(Strict):
    financial_system: bool = True
    withdrawn: bool = False
    derivatives: bool = False
    nominal: Money = Field(..., max_digits=24, decimal_places=6)
    real: Money = Field(..., max_digits=24, decimal_places=6)
    loss: Money = Field(Decimal(0), max_digits=24, decimal_places=6)


class ForeignPayments(Strict):
    is_effective_beneficiary: bool = False
    concept: str = Field(..., min_length=1, max_length=1, description="c_TipoContribuyenteSujetoRetencion 1-9")
    description: str = Field(..., min_length=1, max_length=255)
    country: str | None = Field(None, min_length=2, max_length=2, description="ISO country (c_Pais)")
    tax_id: str | None = Field(None, max_length=13, description="RFC of the representative in Mexico")
    curp: str | None = Field(None, max_length=18)
    name: str | None = Field(None, max_length=300)


class ShareSale(Strict):
    contract: str = Field(..., min_length=1, max_length=300)
    gain: Money = Field(..., max_digits=24, decimal_places=6)
    loss: Money = Field(Decimal(0), max_digits=24, decimal_places=6)


class RetentionInput(Strict):
    """`POST /retentions`: the spec's body plus the complements of keys 06, 14, 16 and 18."""

    retention_key: str = Field(..., min_length=1, max_length=2, description="SAT's c_CveRetenc 01-28")
    description: str | None = Field(None, min_length=1, max_length=100, description="Required for key 25")
    client: ClientRef
    period_start: int = Field(..., description="First month 1-12")
    period_end: int = Field(..., description="Last month 1-12")
    period_year: int = Field(..., ge=1900, le=9999)
    total_operation: Money = Field(..., ge=0, max_digits=24, decimal_places=6)
    total_exempt: Money = Field(Decimal(0), ge=0, max_digits=24, decimal_places=6)
    taxes: list[RetainedTax] = Field(default_factory=list, max_length=100)
    currency: str = Field("MXN", min_length=3, max_length=3, description="Currency of the amounts given")
    exchange_rate: Money | None = Field(None, gt=0, max_digits=24, decimal_places=6,
                                        description="MXN per unit of `currency` (required unless MXN)")
    platform_services: PlatformServices | None = None
    dividends: Dividends | None = None
    interest: Interest | None = None
    foreign_payments: ForeignPayments | None = None
    share_sale: ShareSale | None = None


class CancelRetentionInput(Strict):
    """`{motive, substitution_uuid}` as for invoices (SAT motives 01-04)."""

    motive: str = Field(..., min_length=2, max_length=2, description="01-04 (c_MotivoCancelacion)")
    substitution_uuid: str | None = Field(None, pattern=r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                                                        r"[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
