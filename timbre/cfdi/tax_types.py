"""The tax engine's vocabulary: what it is given (`Item`, `Tax`) and what it computes (a concept's and the
document's amounts, in SAT's terms)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

TaxType = Literal["IVA", "ISR", "IEPS"]
TipoFactor = Literal["Tasa", "Cuota", "Exento"]

IMPUESTO: dict[str, str] = {"ISR": "001", "IVA": "002", "IEPS": "003"}
ZERO = Decimal(0)


class TaxInputError(ValueError):
    """The items or taxes given to the engine cannot produce a valid CFDI."""


@dataclass(frozen=True, slots=True)
class Tax:
    """One tax applied to an item, in the wire's vocabulary (`type`, `rate`, `withholding`)."""

    type: TaxType
    rate: Decimal | None = None
    factor: TipoFactor = "Tasa"
    withholding: bool = False
    inclusive: bool = False


@dataclass(frozen=True, slots=True)
class Item:
    """One line: `discount` is the line's total discount (SAT's Descuento), not per unit."""

    quantity: Decimal
    unit_price: Decimal
    discount: Decimal = ZERO
    taxes: Sequence[Tax] = ()
    objeto_imp: str | None = None


@dataclass(frozen=True, slots=True)
class TaxLine:
    """A concept's Traslado or Retencion (Impuesto as SAT's code: 001/002/003)."""

    base: Decimal
    impuesto: str
    tipo_factor: str
    tasa_o_cuota: Decimal | None
    importe: Decimal | None


@dataclass(frozen=True, slots=True)
class ConceptAmounts:
    cantidad: Decimal
    valor_unitario: Decimal
    importe: Decimal
    descuento: Decimal | None
    objeto_imp: str
    traslados: tuple[TaxLine, ...] = ()
    retenciones: tuple[TaxLine, ...] = ()


@dataclass(frozen=True, slots=True)
class TrasladoTotal:
    """cfdi:Impuestos/Traslados/Traslado."""

    base: Decimal
    impuesto: str
    tipo_factor: str
    tasa_o_cuota: Decimal | None
    importe: Decimal | None


@dataclass(frozen=True, slots=True)
class RetencionTotal:
    """cfdi:Impuestos/Retenciones/Retencion."""

    impuesto: str
    importe: Decimal


@dataclass(frozen=True, slots=True)
class DocumentAmounts:
    conceptos: tuple[ConceptAmounts, ...]
    subtotal: Decimal
    descuento: Decimal | None
    total_impuestos_trasladados: Decimal | None
    total_impuestos_retenidos: Decimal | None
    total: Decimal
    traslados: tuple[TrasladoTotal, ...] = ()
    retenciones: tuple[RetencionTotal, ...] = ()


def importe_of(line: TaxLine) -> Decimal:
    """A tax line's Importe (zero when Exento has none)."""
    return line.importe if line.importe is not None else ZERO
