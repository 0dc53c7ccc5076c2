"""What the rules need to know beyond the document itself.

Every input except `now` is optional: a rule whose input is missing is skipped (it cannot fail),
so a caller gets stricter validation by giving more context, never false alarms by giving less.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

# PACs refuse a Fecha more than 72 hours before the moment of stamping (SAT rule for PACs).
MAX_AGE = timedelta(hours=72)
# Clocks drift: a Fecha slightly ahead of our clock is accepted by PACs too.
CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class RelatedCfdi:
    """What we know about a CFDI referenced by UUID (CfdiRelacionados or a DoctoRelacionado).

    `exists=False` means "we know it does not exist / is cancelled"; unknown documents (issued
    elsewhere) are represented by the lookup returning None, and are not checked.
    """

    exists: bool
    tipo: str | None = None  # TipoDeComprobante: I, E, P ...
    moneda: str | None = None
    total: Decimal | None = None
    metodo_pago: str | None = None  # PUE / PPD
    saldo: Decimal | None = None  # outstanding balance before the payment being validated
    ultima_parcialidad: int | None = None  # NumParcialidad of the last payment applied to it
    rfc_emisor: str | None = None
    rfc_receptor: str | None = None


def limits_from_reference(reference: Decimal, variation: Decimal) -> tuple[Decimal, Decimal]:
    """TipoCambio limits from a reference rate and c_Moneda's variation (0.35 for 35%)."""
    return reference * (1 - variation), reference * (1 + variation)


@dataclass(frozen=True, slots=True)
class RuleContext:
    """Inputs of the rules that the comprobante does not carry.

    - `now`: the moment of stamping (timezone-aware; a naive value is taken as the local time of
      the place of issue).
    - `cert_not_before` / `cert_not_after` / `cert_rfc`: the issuer's CSD (checked against
      Fecha and Emisor/Rfc, CFDI40106).
    - `exchange_rate_limits`: currency -> (min, max) TipoCambio accepted without a Confirmacion
      (CFDI40118, CRP20216); build it with `limits_from_reference` from the day's reference rate.
    - `related`: UUID -> RelatedCfdi | None for documents we issued (CfdiRelacionados and the
      Pagos complement's DoctoRelacionado).
    - `emisor_marca_retencion`: the issuer's "Retención" mark in SAT's LCO (1 or 2), used by the
      RESICO rules CFDI140224/CFDI140225.
    - `tax_field`: maps (concept index, "Traslados"|"Retenciones", index) to the request field
      of that tax; the default assumes each item's taxes list transferred taxes first.
    """

    now: datetime
    cert_not_before: datetime | None = None
    cert_not_after: datetime | None = None
    cert_rfc: str | None = None
    exchange_rate_limits: Mapping[str, tuple[Decimal, Decimal]] = field(default_factory=dict)
    related: Callable[[str], RelatedCfdi | None] | None = None
    emisor_marca_retencion: int | None = None
    max_age: timedelta = MAX_AGE
    clock_skew: timedelta = CLOCK_SKEW
    tax_field: Callable[[int, str, int], str] | None = None
