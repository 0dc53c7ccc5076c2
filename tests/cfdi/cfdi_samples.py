"""Plain helpers that build real CFDI input for the tests (the seed's worked examples and friends)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from timbre.cfdi import taxes
from timbre.cfdi.build import ComprobanteInput, Concepto, Emisor, Receptor
from timbre.cfdi.pac.sandbox import MEXICO_TZ

# Every document and certificate of the CFDI tests lives around this instant (inside the Timbre
# Test CA's validity, 2025-2055), so no test depends on today's date.
INSTANT = datetime(2026, 6, 15, 18, 0, tzinfo=UTC)
FECHA = INSTANT.astimezone(MEXICO_TZ).replace(tzinfo=None) - timedelta(minutes=5)  # 2026-06-15T11:55:00

D = Decimal
IVA16 = taxes.Tax("IVA", D("0.16"))
ISR10_RET = taxes.Tax("ISR", D("0.10"), withholding=True)
IVA_2_3_RET = taxes.Tax("IVA", D("0.106667"), withholding=True)

MORAL = Emisor("EKU9003173C9", "ESCUELA KEMPER URGATE", "601")
FISICA = Emisor("XIQB891116QE4", "BERENICE XIMO QUEZADA", "612")
TO_FISICA = Receptor("XIQB891116QE4", "BERENICE XIMO QUEZADA", "36257", "612", "G03")
TO_MORAL = Receptor("EKU9003173C9", "ESCUELA KEMPER URGATE", "42501", "601", "G03")

Line = tuple[str, str, str, taxes.Item]  # ClaveProdServ, ClaveUnidad, Descripcion, Item


def invoice_input(items: Sequence[Line], *, fecha: datetime, decimals: int = 2, **fields: Any) -> ComprobanteInput:
    """A tipo I ComprobanteInput from a moral issuer to a física receiver, unless `fields` say otherwise."""
    amounts = taxes.compute([item for *_, item in items], decimals)
    conceptos = [
        Concepto(clave, unidad, descripcion, concept)
        for (clave, unidad, descripcion, _), concept in zip(items, amounts.conceptos, strict=True)
    ]
    values: dict[str, Any] = {
        "tipo_de_comprobante": "I",
        "emisor": MORAL,
        "receptor": TO_FISICA,
        "lugar_expedicion": "42501",
        "fecha": fecha,
        "conceptos": conceptos,
        "decimals": decimals,
        "serie": "A",
        "folio": "123",
        "forma_pago": "03",
        "metodo_pago": "PUE",
    }
    values.update(fields)
    return ComprobanteInput(**values)


def consulting_items() -> list[Line]:
    """The seed's multi-item PUE example: 10 hours of consulting and a software license."""
    return [
        ("80141503", "HUR", "Consulting services - Phase 1", taxes.Item(D(10), D(1000), taxes=[IVA16])),
        ("81111500", "H87", "Software license", taxes.Item(D(1), D(5000), taxes=[IVA16])),
    ]


def professional_services_items() -> list[Line]:
    """The seed's withholding example: IVA 16%, ISR 10% and IVA 10.6667% withheld."""
    item = taxes.Item(D(1), D(10000), taxes=[IVA16, ISR10_RET, IVA_2_3_RET])
    return [("80141503", "E48", "Professional services", item)]


def large_project_items() -> list[Line]:
    """The seed's PPD example: one large project, paid later."""
    return [("80141503", "E48", "Large project - Total amount", taxes.Item(D(1), D(100000), taxes=[IVA16]))]
