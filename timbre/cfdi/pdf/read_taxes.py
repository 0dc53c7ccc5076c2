"""The taxes of a CFDI, a concept, or a Pagos 2.0 payment and its documents, as the PDF prints them."""

from __future__ import annotations

from typing import Any, Literal

from timbre.cfdi.pdf import fields as f
from timbre.cfdi.pdf.document import Tax

# SAT's c_Impuesto has three rows and will not grow within CFDI 4.0: no lookup needed.
_IMPUESTOS = {"001": "ISR", "002": "IVA", "003": "IEPS"}


def read_taxes(kind: Literal["traslado", "retencion"], value: Any, suffix: str = "") -> tuple[Tax, ...]:
    """Traslados/Retenciones of a CFDI or a concept; with `suffix` ("DR", "P") the Pagos 2.0 ones."""
    taxes = []
    for tax in f.nodes(value, f"Impuesto{suffix}"):
        impuesto = f.code(tax.get(f"Impuesto{suffix}"))
        taxes.append(
            Tax(
                kind=kind,
                impuesto=_IMPUESTOS.get(impuesto, impuesto),
                factor=f.code(tax.get(f"TipoFactor{suffix}")),
                rate=f.decimal(tax.get(f"TasaOCuota{suffix}")),
                base=f.decimal(tax.get(f"Base{suffix}")),
                importe=f.decimal(tax.get(f"Importe{suffix}")),
            )
        )
    return tuple(taxes)


def read_pagos_taxes(value: Any, suffix: str) -> tuple[Tax, ...]:
    node = f.node(value)
    return read_taxes("traslado", node.get(f"Traslados{suffix}"), suffix) + read_taxes(
        "retencion", node.get(f"Retenciones{suffix}"), suffix
    )
