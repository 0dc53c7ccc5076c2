"""The Pagos 2.0 complement of a CFDI, as the PDF prints it: each payment, its documents, and the totals."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from timbre.cfdi.pdf import fields as f
from timbre.cfdi.pdf.describe import describe
from timbre.cfdi.pdf.document import PaidDocument, Payment, Payments
from timbre.cfdi.pdf.read_taxes import read_pagos_taxes

# Pagos 2.0 ``Totales`` attributes, in the XSD's order.
PAGOS_TOTALES = (
    "TotalRetencionesIVA",
    "TotalRetencionesISR",
    "TotalRetencionesIEPS",
    "TotalTrasladosBaseIVA16",
    "TotalTrasladosImpuestoIVA16",
    "TotalTrasladosBaseIVA8",
    "TotalTrasladosImpuestoIVA8",
    "TotalTrasladosBaseIVA0",
    "TotalTrasladosImpuestoIVA0",
    "TotalTrasladosBaseIVAExento",
    "MontoTotalPagos",
)


def read_payments(pagos: Mapping[str, Any]) -> Payments:
    payments = []
    for pago in f.nodes(pagos.get("Pago"), "FechaPago"):
        documents = tuple(
            PaidDocument(
                uuid=f.text(d.get("IdDocumento")).upper(),
                serie_folio="-".join(p for p in (f.text(d.get("Serie")), f.text(d.get("Folio"))) if p),
                moneda=f.code(d.get("MonedaDR")),
                parcialidad=f.text(d.get("NumParcialidad")),
                saldo_anterior=f.decimal(d.get("ImpSaldoAnt")),
                pagado=f.decimal(d.get("ImpPagado")),
                saldo_insoluto=f.decimal(d.get("ImpSaldoInsoluto")),
                equivalencia=f.decimal(d.get("EquivalenciaDR")),
                objeto_imp=f.code(d.get("ObjetoImpDR")),
                taxes=read_pagos_taxes(d.get("ImpuestosDR"), "DR"),
            )
            for d in f.nodes(pago.get("DoctoRelacionado"), "IdDocumento")
        )
        payments.append(
            Payment(
                fecha=f.format_datetime(pago.get("FechaPago")),
                forma=describe("c_FormaPago", pago.get("FormaDePagoP")),
                moneda=f.code(pago.get("MonedaP")),
                tipo_cambio=f.decimal(pago.get("TipoCambioP")),
                monto=f.decimal(pago.get("Monto")),
                num_operacion=f.text(pago.get("NumOperacion")),
                documents=documents,
                rfc_emisor_cta_ord=f.text(pago.get("RfcEmisorCtaOrd")),
                nom_banco_ord_ext=f.text(pago.get("NomBancoOrdExt")),
                cta_ordenante=f.text(pago.get("CtaOrdenante")),
                rfc_emisor_cta_ben=f.text(pago.get("RfcEmisorCtaBen")),
                cta_beneficiario=f.text(pago.get("CtaBeneficiario")),
                tipo_cad_pago=describe("c_TipoCadenaPago", pago.get("TipoCadPago")),
                cert_pago=f.text(pago.get("CertPago")),
                cad_pago=f.text(pago.get("CadPago")),
                sello_pago=f.text(pago.get("SelloPago")),
                taxes=read_pagos_taxes(pago.get("ImpuestosP"), "P"),
            )
        )
    totals = f.node(pagos.get("Totales"))
    return Payments(
        payments=tuple(payments),
        totals=tuple(
            (name, amount) for name in PAGOS_TOTALES if (amount := f.decimal(totals.get(name))) is not None
        ),
    )
