"""The Pagos 2.0 complement: Pago nodes with their ImpuestosP, and the MXN Totales.

Rounding (all with `money.round_money`, always of an exact sum, never of a sum of roundings):
- Monto, when not given: the documents' ImpPagado converted to the payment currency
  (ImpPagado / EquivalenciaDR), summed, rounded to MonedaP's decimals. satcfdi leaves it unrounded.
- ImpuestosP (payment currency, which satcfdi does not convert to): per Impuesto + TipoFactor +
  TasaOCuota (withholdings per Impuesto), the sum of BaseDR / EquivalenciaDR and of
  ImporteDR / EquivalenciaDR over the payment's documents, rounded to MonedaP's decimals.
- Totales (MXN, 2 decimals): the sum over payments of each amount times TipoCambioP, rounded once,
  as CRP20201-CRP20211 word it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any

from satcfdi.create.cfd import pago20

from ..money import decimals_of, round_money, to_decimal
from .docto import Docto, currency_decimals, docto, money
from .inputs import PagosInputError, Payment

ZERO = Decimal(0)
MXN_DECIMALS = 2
TIPO_CAMBIO_DECIMALS = 6  # TipoCambioP's fractionDigits in Pagos20.xsd
IVA = "002"
RETENCION_TOTAL = {"002": "TotalRetencionesIVA", "001": "TotalRetencionesISR", "003": "TotalRetencionesIEPS"}
IVA_TOTALS = {  # IVA rate -> (Totales base attribute, Totales impuesto attribute)
    Decimal("0.16"): ("TotalTrasladosBaseIVA16", "TotalTrasladosImpuestoIVA16"),
    Decimal("0.08"): ("TotalTrasladosBaseIVA8", "TotalTrasladosImpuestoIVA8"),
    Decimal(0): ("TotalTrasladosBaseIVA0", "TotalTrasladosImpuestoIVA0"),
}
IVA_EXENTO_TOTAL = "TotalTrasladosBaseIVAExento"

TrasladoKey = tuple[str, str, Decimal | None]


def build_pagos(payments: Sequence[Payment]) -> pago20.Pagos:
    """The "Pagos" complement (Version 2.0) for `payments`, ready for `ComprobanteInput.complemento`.

    Raises `PagosInputError` (or its `Overpayment`) when the payments cannot make a valid one.
    """
    if not payments:
        raise PagosInputError("a payment complement needs at least one payment")
    nodes = [_pago(payment) for payment in payments]
    complement = pago20.Pagos.__new__(pago20.Pagos)
    # satcfdi's constructor recomputes Monto/ImpuestosP/Totales unrounded and unconverted; ours
    # are final, so fill the (dict-based) complement directly, as build.build does.
    dict.update(complement, {"Version": pago20.Pagos.version, "Totales": _totales(nodes), "Pago": nodes})
    return complement


def _pago(payment: Payment) -> dict[str, Any]:
    moneda = payment.moneda_p
    places = currency_decimals(moneda, "payment currency")
    if not payment.documents:
        raise PagosInputError("a payment must pay at least one invoice")
    if payment.fecha_pago.tzinfo is not None:
        raise PagosInputError("fecha_pago must be the naive local time the payment was received")
    uuids = [d.uuid.upper() for d in payment.documents]
    if len(set(uuids)) != len(uuids):
        raise PagosInputError("an invoice may appear only once in a payment")
    tipo_cambio = _tipo_cambio(payment)
    mixed = any(d.moneda != moneda for d in payment.documents)
    doctos = [docto(d, moneda, mixed) for d in payment.documents]
    values: dict[str, Any] = {
        "FechaPago": payment.fecha_pago.replace(microsecond=0),
        "FormaDePagoP": payment.forma_de_pago_p,
        "MonedaP": moneda,
        "TipoCambioP": tipo_cambio,
        "Monto": _monto(payment, doctos, places, mixed),
        "NumOperacion": payment.num_operacion,
        "RfcEmisorCtaOrd": payment.rfc_emisor_cta_ord,
        "NomBancoOrdExt": payment.nom_banco_ord_ext,
        "CtaOrdenante": payment.cta_ordenante,
        "RfcEmisorCtaBen": payment.rfc_emisor_cta_ben,
        "CtaBeneficiario": payment.cta_beneficiario,
        "TipoCadPago": payment.tipo_cad_pago,
        "CertPago": payment.cert_pago,
        "CadPago": payment.cad_pago,
        "SelloPago": payment.sello_pago,
        "DoctoRelacionado": [d.node() for d in doctos],
        "ImpuestosP": _impuestos_p(doctos, places),
    }
    return {k: v for k, v in values.items() if v is not None}


def _tipo_cambio(payment: Payment) -> Decimal:
    if payment.moneda_p == "MXN":
        if payment.tipo_cambio_p is not None and payment.tipo_cambio_p != 1:
            raise PagosInputError("a payment in MXN has an exchange rate of 1")
        return Decimal(1)  # CRP20215: written, and 1
    if payment.tipo_cambio_p is None:
        raise PagosInputError(f"a payment in {payment.moneda_p} needs its exchange rate (MXN per {payment.moneda_p})")
    rate = to_decimal(payment.tipo_cambio_p)
    if rate <= 0 or decimals_of(rate) > TIPO_CAMBIO_DECIMALS:
        raise PagosInputError(
            f"exchange rate {rate} must be greater than 0 with at most {TIPO_CAMBIO_DECIMALS} decimals"
        )
    return rate


def _monto(payment: Payment, doctos: Sequence[Docto], places: int, mixed: bool) -> Decimal:
    if payment.monto is None:
        return round_money(sum((d.imp_pagado / d.equivalencia for d in doctos), ZERO), places)
    monto = money(payment.monto, places, "payment amount")
    if monto <= 0:
        raise PagosInputError("the payment amount must be greater than 0")
    paid = sum((d.imp_pagado for d in doctos), ZERO)
    if not mixed and paid > monto:  # CRP20217; mixed currencies are left to SAT's margins (CRP20275/6)
        raise PagosInputError(f"the invoices' amounts paid add up to {paid}, more than the payment's {monto}")
    return monto


def _impuestos_p(doctos: Sequence[Docto], places: int) -> dict[str, Any] | None:
    bases: dict[TrasladoKey, Decimal] = {}
    importes: dict[TrasladoKey, Decimal] = {}
    retenciones: dict[str, Decimal] = {}
    for d in doctos:
        for tax in d.taxes:
            if tax.retencion:
                assert tax.importe is not None  # withholdings always have an amount (docto.prorate)
                retenciones[tax.impuesto] = retenciones.get(tax.impuesto, ZERO) + tax.importe / d.equivalencia
                continue
            key = (tax.impuesto, tax.tipo_factor, tax.tasa_o_cuota)
            bases[key] = bases.get(key, ZERO) + tax.base / d.equivalencia
            if tax.importe is not None:
                importes[key] = importes.get(key, ZERO) + tax.importe / d.equivalencia
    if not bases and not retenciones:
        return None
    traslados_p: list[dict[str, Any]] = []
    for key, base in bases.items():
        node: dict[str, Any] = {"BaseP": round_money(base, places), "ImpuestoP": key[0], "TipoFactorP": key[1]}
        if key in importes:
            node.update(TasaOCuotaP=key[2], ImporteP=round_money(importes[key], places))
        traslados_p.append(node)
    retenciones_p = [
        {"ImpuestoP": impuesto, "ImporteP": round_money(importe, places)} for impuesto, importe in retenciones.items()
    ]
    return {"RetencionesP": retenciones_p or None, "TrasladosP": traslados_p or None}


def _totales(pagos: Sequence[dict[str, Any]]) -> dict[str, Decimal]:
    sums: dict[str, Decimal] = {}
    for pago in pagos:
        for attribute, value in _total_parts(pago):
            sums[attribute] = sums.get(attribute, ZERO) + value * pago["TipoCambioP"]
    return {attribute: round_money(value, MXN_DECIMALS) for attribute, value in sums.items()}


def _total_parts(pago: dict[str, Any]) -> Iterator[tuple[str, Decimal]]:
    """The (Totales attribute, amount in MonedaP) pairs one Pago contributes."""
    yield "MontoTotalPagos", pago["Monto"]
    impuestos = pago.get("ImpuestosP") or {}
    for retencion in impuestos.get("RetencionesP") or []:
        yield RETENCION_TOTAL[retencion["ImpuestoP"]], retencion["ImporteP"]
    for traslado in impuestos.get("TrasladosP") or []:
        if traslado["ImpuestoP"] != IVA:
            continue  # Totales summarise IVA only
        if traslado["TipoFactorP"] == "Exento":
            yield IVA_EXENTO_TOTAL, traslado["BaseP"]
            continue
        attributes = IVA_TOTALS.get(traslado["TasaOCuotaP"]) if traslado["TipoFactorP"] == "Tasa" else None
        if attributes is None:
            raise PagosInputError(
                f"IVA {traslado['TipoFactorP']} {traslado['TasaOCuotaP']} is not a rate a payment can carry"
            )
        yield attributes[0], traslado["BaseP"]
        yield attributes[1], traslado["ImporteP"]
