"""What Anexo 20's filling guide (*Guía de llenado del CFDI 4.0* and of Pagos 2.0) asks that SAT's error
matrices do not check, refused before a folio is taken (400, every problem listed, `rule: "guia_llenado"`):

- FormaPago 99 ("Por definir") is for documents not paid when issued, MetodoPago PPD. PUE says the whole
  price was received at issue, so its FormaPago is the form it was paid with.
- Moneda XXX ("no currency") is for transfer (T) and payment (P) CFDI; an income or egress invoice states
  the currency its amounts are in.
- IVA at 8 % is the border-region stimulus: only a LugarExpedicion that c_CodigoPostal marks as inside the
  northern or southern border region (its *estímulo franja fronteriza* column) may apply it.
- FechaPago is when the payee received the money: never after the complement is issued.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from timbre.catalogs import husos, store
from timbre.cfdi.build import ComprobanteInput

RULE = "guia_llenado"
IVA = "002"
IVA_FRONTERA = Decimal("0.08")
# FechaPago and the stamp come from clocks that may drift a little apart.
CLOCK_SKEW = timedelta(minutes=5)


def _problem(field: str, message: str) -> dict[str, Any]:
    return {"field": field, "rule": RULE, "message": f"{field}: {message}"}


def border_region(codigo_postal: str) -> bool:
    """c_CodigoPostal marks the code inside the northern (1) or southern (2) border region."""
    row = store.get("c_CodigoPostal", codigo_postal)
    return row is not None and row["estimulo_franja_fronteriza"] not in ("", "0")


def invoice_problems(data: ComprobanteInput, tax_field: Callable[[int, str, int], str]) -> list[dict[str, Any]]:
    """The guide's rules an income or egress invoice breaks."""
    problems = []
    if data.metodo_pago == "PUE" and data.forma_pago == "99":
        problems.append(_problem("payment_form", "99 (Por definir) is for invoices not paid when issued (PPD); a "
                                                 "PUE invoice was paid in full at issue: give the form it was paid "
                                                 "with (c_FormaPago, e.g. 03 transfer), or make it PPD"))
    if data.moneda == "XXX":
        problems.append(_problem("currency", "XXX (no currency) is for transfer and payment CFDI; an invoice "
                                             "states the currency of its amounts (MXN, USD...)"))
    if not border_region(data.lugar_expedicion):
        for c, concepto in enumerate(data.conceptos):
            for t, tax in enumerate(concepto.amounts.traslados):
                if tax.impuesto == IVA and tax.tasa_o_cuota == IVA_FRONTERA:
                    problems.append(_problem(
                        f"{tax_field(c, 'Traslados', t)}.rate",
                        f"IVA at 8 % is the border-region stimulus; the team's postal code "
                        f"{data.lugar_expedicion} is outside the border region (c_CodigoPostal)"))
    return problems


def fecha_pago_problems(fecha_pago: datetime, codigo_postal: str) -> list[dict[str, Any]]:
    """FechaPago (the issuer's wall clock) may not lie in the future."""
    now = husos.local_now(codigo_postal)
    if fecha_pago > now + CLOCK_SKEW:
        return [_problem("paid_at", f"{fecha_pago.isoformat()} is in the future (now is {now.isoformat()} at "
                                    f"{codigo_postal}); FechaPago is when the money was received")]
    return []
