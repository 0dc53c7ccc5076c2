"""SAT's rules for which cancellations need the receiver's acceptance, as the simulated SAT applies them.

Source: RMF 2025, regla 2.7.1.35 "Cancelación de CFDI sin aceptación del receptor" (CFF art. 29-A, cuarto a
sexto párrafos). A CFDI is cancelled at once, without the receiver's acceptance, when it:

    I.    amounts to a Total of at most $1,000.00 MXN (foreign currency at its TipoCambio), except a CFDI
          with the "Complemento para recepción de Pagos" (tipo P), which never benefits from this one;
    II.   is a nómina CFDI (tipo N);
    III.  is an egreso (tipo E);
    IV.   is a traslado (tipo T) (the Carta Porte fuel exception is not modelled: we issue no Carta Porte);
    V.    was issued to a RIF taxpayer until 2021 (not modelled: the regime ended in 2021);
    VI.   covers retenciones e información de pagos (CFDI de Retenciones: not downloaded nor cancelled here);
    VII.  was issued to the público en general (Receptor Rfc XAXX010101000, regla 2.7.1.21);
    VIII. was issued to a foreign resident (Receptor Rfc XEXX010101000, regla 2.7.1.23);
    IX.   is cancelled within the business day after its issue (we read it as: before the end of the next
          Monday–Friday day after FechaTimbrado, Mexico City time; public holidays are not modelled);
    X.–XII. (issuers of specific sectors: PCGCFDISP, the financial system, the Federation): not modelled.

Every other cancellation is "Cancelable con aceptación": SAT asks the receiver, who has 72 hours to accept or
reject; without an answer SAT cancels it ("Plazo vencido"). A CFDI that other valid CFDI relate to is "No
cancelable" until they are cancelled.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from timbre.cfdi.pac.sandbox import MEXICO_TZ
from timbre.cfdi.seal import CFDI_NS, find_timbre

PUBLICO_EN_GENERAL = "XAXX010101000"
EXTRANJERO = "XEXX010101000"
SMALL_AMOUNT = Decimal("1000.00")
ANSWER_WINDOW = timedelta(hours=72)
NOMINA_NS = "http://www.sat.gob.mx/nomina12"


def _total_mxn(root: Any) -> Decimal:
    try:
        total = Decimal(root.get("Total") or "0")
        rate = Decimal(root.get("TipoCambio") or "1") if root.get("Moneda") not in (None, "MXN", "XXX") else 1
    except InvalidOperation:
        return Decimal("Infinity")
    return total * rate


def _end_of_next_business_day(stamped: datetime) -> datetime:
    day = stamped.date() + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime(day.year, day.month, day.day, tzinfo=MEXICO_TZ) + timedelta(days=1)


def stamped_at(root: Any) -> datetime | None:
    """FechaTimbrado of the TimbreFiscalDigital, in Mexico City time."""
    timbre = find_timbre(root)
    if timbre is None:
        return None
    try:
        return datetime.fromisoformat(timbre.get("FechaTimbrado")).replace(tzinfo=MEXICO_TZ)
    except (TypeError, ValueError):
        return None


def needs_acceptance(root: Any, requested_at: datetime) -> bool:
    """Whether SAT routes the cancellation of this CFDI (a parsed cfdi:Comprobante) to its receiver."""
    tipo = root.get("TipoDeComprobante")
    if tipo in ("E", "T", "N") or root.find(f".//{{{NOMINA_NS}}}Nomina") is not None:
        return False
    receptor = root.find(f"{{{CFDI_NS}}}Receptor")
    if receptor is not None and receptor.get("Rfc") in (PUBLICO_EN_GENERAL, EXTRANJERO):
        return False
    if tipo != "P" and _total_mxn(root) <= SMALL_AMOUNT:
        return False
    stamped = stamped_at(root)
    return not (stamped is not None and requested_at <= _end_of_next_business_day(stamped))
