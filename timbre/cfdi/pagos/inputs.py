"""The neutral input of a payment complement: payments, the invoices they pay and those invoices' taxes.

Amounts of a `PaidDocument` are in the invoice's currency (MonedaDR); `Payment.monto` is in the
payment's currency (MonedaP). `DocumentTax` lines are the paid invoice's concept taxes grouped
by Impuesto + TipoFactor + TasaOCuota (what the complement prorates per payment); build them with
`taxes_of_amounts` (from the tax engine) or `taxes_of_cfdi` (from a parsed invoice).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from ..taxes import ConceptAmounts

ZERO = Decimal(0)


class PagosInputError(ValueError):
    """The payments given cannot produce a valid Pagos 2.0 complement."""


class Overpayment(PagosInputError):
    """A payment is larger than the outstanding balance of the invoice it pays."""


@dataclass(frozen=True, slots=True, kw_only=True)
class DocumentTax:
    """One grouped tax of a paid invoice (or its prorated share in a DoctoRelacionado).

    `impuesto` is SAT's code (001 ISR, 002 IVA, 003 IEPS); Exento lines have no rate nor importe.
    """

    impuesto: str
    tipo_factor: str
    tasa_o_cuota: Decimal | None
    base: Decimal
    importe: Decimal | None
    retencion: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class PaidDocument:
    """An invoice (DoctoRelacionado) paid, fully or in part, by a payment.

    - `imp_saldo_ant`, `imp_pagado`, `total` are in `moneda`, the invoice's currency; the first
      installment's `imp_saldo_ant` is the invoice's `total`.
    - `equivalencia`: units of `moneda` worth one unit of the payment's currency; required when
      the currencies differ, 1 (or None) when they are the same.
    - `objeto_imp`: ObjetoImpDR; None means "02" when the invoice has taxes, else "01".
    - `taxes` and `total` drive the proration: each tax's base and importe times imp_pagado / total.
    """

    uuid: str
    moneda: str
    num_parcialidad: int
    imp_saldo_ant: Decimal
    imp_pagado: Decimal
    total: Decimal
    taxes: Sequence[DocumentTax] = ()
    objeto_imp: str | None = None
    equivalencia: Decimal | None = None
    serie: str | None = None
    folio: str | None = None

    @property
    def imp_saldo_insoluto(self) -> Decimal:
        """The balance left after this payment (what the invoice's balance becomes)."""
        return self.imp_saldo_ant - self.imp_pagado


@dataclass(frozen=True, slots=True, kw_only=True)
class Payment:
    """One payment received (a Pago node). `fecha_pago` is the naive local time the money arrived;
    `monto` (in `moneda_p`) is computed from the documents when None; `tipo_cambio_p` is MXN per
    unit of `moneda_p`, required unless it is MXN. The bank fields follow c_FormaPago's rules."""

    fecha_pago: datetime
    forma_de_pago_p: str
    moneda_p: str
    documents: Sequence[PaidDocument]
    tipo_cambio_p: Decimal | None = None
    monto: Decimal | None = None
    num_operacion: str | None = None
    rfc_emisor_cta_ord: str | None = None
    nom_banco_ord_ext: str | None = None
    cta_ordenante: str | None = None
    rfc_emisor_cta_ben: str | None = None
    cta_beneficiario: str | None = None
    tipo_cad_pago: str | None = None
    cert_pago: str | None = None
    cad_pago: str | None = None
    sello_pago: str | None = None


def taxes_of_amounts(conceptos: Sequence[ConceptAmounts]) -> tuple[DocumentTax, ...]:
    """An invoice's grouped taxes from the tax engine's concept amounts (`DocumentAmounts.conceptos`)."""
    lines = [(line, False) for c in conceptos for line in c.traslados]
    lines += [(line, True) for c in conceptos for line in c.retenciones]
    return _grouped(
        (line.impuesto, line.tipo_factor, line.tasa_o_cuota, line.base, line.importe, retencion)
        for line, retencion in lines
    )


def taxes_of_cfdi(comprobante: Mapping[str, Any]) -> tuple[DocumentTax, ...]:
    """An invoice's grouped taxes from a parsed CFDI 4.0 (satcfdi's `CFDI.from_xml` or `build`)."""
    found: list[tuple[str, str, Decimal | None, Decimal, Decimal | None, bool]] = []
    for concepto in _children(comprobante.get("Conceptos")):
        impuestos = concepto.get("Impuestos") or {}
        for kind, retencion in (("Traslados", False), ("Retenciones", True)):
            for tax in _children(impuestos.get(kind)):
                found.append(
                    (
                        _code(tax["Impuesto"]),
                        _code(tax["TipoFactor"]),
                        _dec(tax.get("TasaOCuota")),
                        Decimal(tax["Base"]),
                        _dec(tax.get("Importe")),
                        retencion,
                    )
                )
    return _grouped(found)


def _children(value: Any) -> list[Mapping[str, Any]]:
    """A repeatable element's nodes: a list when built, a mapping keyed by tax when parsed by satcfdi."""
    if isinstance(value, Mapping):
        return list(value.values())
    return list(value or [])


def _code(value: Any) -> str:
    """A catalog key: parsed XML gives satcfdi `Code` objects ("002 - IVA") carrying `.code`."""
    return str(getattr(value, "code", value))


def _dec(value: Any) -> Decimal | None:
    return None if value is None else Decimal(value)


def _grouped(
    lines: Iterable[tuple[str, str, Decimal | None, Decimal, Decimal | None, bool]],
) -> tuple[DocumentTax, ...]:
    """Sum Base and Importe per (retencion, Impuesto, TipoFactor, TasaOCuota), first-seen order."""
    groups: dict[tuple[bool, str, str, Decimal | None], tuple[Decimal, Decimal | None]] = {}
    for impuesto, factor, tasa, base, importe, retencion in lines:
        key = (retencion, impuesto, factor, tasa)
        total_base, total_importe = groups.get(key, (ZERO, None))
        if importe is not None:
            total_importe = (total_importe or ZERO) + importe
        groups[key] = (total_base + base, total_importe)
    return tuple(
        DocumentTax(impuesto=impuesto, tipo_factor=factor, tasa_o_cuota=tasa, base=base, importe=importe,
                    retencion=retencion)
        for (retencion, impuesto, factor, tasa), (base, importe) in groups.items()
    )  # fmt: skip

