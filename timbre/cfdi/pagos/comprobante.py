"""The CFDI 4.0 of type P that carries a Pagos 2.0 complement (Anexo 20's fixed shape)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from ..build import CfdiRelacionados, ComprobanteInput, Emisor, Receptor, pago_concepto
from .complement import build_pagos
from .inputs import Payment

USO_PAGOS = "CP01"


def comprobante_pago(
    emisor: Emisor,
    receptor: Receptor,
    lugar_expedicion: str,
    fecha: datetime,
    serie: str | None,
    folio: str | None,
    payments: Sequence[Payment],
    *,
    cfdi_relacionados: Sequence[CfdiRelacionados] = (),
    confirmacion: str | None = None,
) -> ComprobanteInput:
    """A payment CFDI: Moneda XXX, SubTotal and Total 0, Exportacion 01, the single "Pago"
    concept (84111506, ACT), UsoCFDI CP01, no FormaPago/MetodoPago, and the Pagos complement.

    `cfdi_relacionados` is for a complement that replaces a cancelled one (TipoRelacion 04).
    """
    return ComprobanteInput(
        tipo_de_comprobante="P",
        emisor=emisor,
        receptor=replace(receptor, uso_cfdi=USO_PAGOS),
        lugar_expedicion=lugar_expedicion,
        fecha=fecha,
        conceptos=[pago_concepto()],
        moneda="XXX",
        decimals=0,  # XXX has no decimals: SubTotal="0" Total="0"
        serie=serie,
        folio=folio,
        exportacion="01",
        cfdi_relacionados=cfdi_relacionados,
        confirmacion=confirmacion,
        complemento={"Pagos": build_pagos(payments)},
    )
