"""The printable content of a CFDI 4.0: plain values extracted once from satcfdi's dict.

The layout code only reads these dataclasses, so it never has to know satcfdi's two shapes
(see ``fields``) nor where a SAT description comes from.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from timbre.catalogs import store
from timbre.cfdi.pdf import fields as f
from timbre.cfdi.pdf.sat import tfd_cadena_original, verification_url

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

# SAT's c_Impuesto has three rows and will not grow within CFDI 4.0: no lookup needed.
_IMPUESTOS = {"001": "ISR", "002": "IVA", "003": "IEPS"}


@dataclass(frozen=True, slots=True)
class Tax:
    kind: Literal["traslado", "retencion"]
    impuesto: str  # "IVA"
    factor: str  # "Tasa", "Cuota" or "Exento"
    rate: Decimal | None
    base: Decimal | None
    importe: Decimal | None


@dataclass(frozen=True, slots=True)
class ThirdParty:
    """ACuentaTerceros: the taxpayer on whose behalf a concept is billed."""

    rfc: str
    nombre: str
    regimen: str
    domicilio_fiscal: str


@dataclass(frozen=True, slots=True)
class Line:
    clave_prod_serv: str
    no_identificacion: str
    cantidad: Decimal | None
    clave_unidad: str
    unidad: str
    descripcion: str
    valor_unitario: Decimal | None
    descuento: Decimal | None
    importe: Decimal | None
    objeto_imp: str
    taxes: tuple[Tax, ...]
    a_cuenta_terceros: ThirdParty | None = None


@dataclass(frozen=True, slots=True)
class Related:
    tipo_relacion: str  # "04 - Sustitución de los CFDI previos"
    uuids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class GlobalInfo:
    periodicidad: str
    meses: str
    year: str


@dataclass(frozen=True, slots=True)
class PaidDocument:
    uuid: str
    serie_folio: str
    moneda: str
    parcialidad: str
    saldo_anterior: Decimal | None
    pagado: Decimal | None
    saldo_insoluto: Decimal | None
    equivalencia: Decimal | None = None
    objeto_imp: str = ""
    taxes: tuple[Tax, ...] = ()  # ImpuestosDR


@dataclass(frozen=True, slots=True)
class Payment:
    """A Pago node, every attribute of it (the bank accounts and SPEI chain included)."""

    fecha: str
    forma: str
    moneda: str
    tipo_cambio: Decimal | None
    monto: Decimal | None
    num_operacion: str
    documents: tuple[PaidDocument, ...]
    rfc_emisor_cta_ord: str = ""
    nom_banco_ord_ext: str = ""
    cta_ordenante: str = ""
    rfc_emisor_cta_ben: str = ""
    cta_beneficiario: str = ""
    tipo_cad_pago: str = ""
    cert_pago: str = ""
    cad_pago: str = ""
    sello_pago: str = ""
    taxes: tuple[Tax, ...] = ()  # ImpuestosP


@dataclass(frozen=True, slots=True)
class Payments:
    payments: tuple[Payment, ...]
    totals: tuple[tuple[str, Decimal], ...]  # (Totales attribute, value) in PAGOS_TOTALES order


@dataclass(frozen=True, slots=True)
class Stamp:
    uuid: str
    fecha_timbrado: str
    rfc_prov_certif: str
    no_certificado_sat: str
    sello_cfd: str
    sello_sat: str
    cadena_original: str
    qr_url: str


@dataclass(frozen=True, slots=True)
class Party:
    nombre: str
    rfc: str
    regimen: str
    domicilio_fiscal: str = ""
    uso: str = ""
    residencia_fiscal: str = ""
    num_reg_id_trib: str = ""


@dataclass(frozen=True, slots=True)
class Document:
    tipo: str  # "I", "E", "P", "T", "N"
    tipo_descripcion: str
    serie: str
    folio: str
    fecha: str
    lugar_expedicion: str
    moneda: str  # ISO code, e.g. "MXN"
    moneda_descripcion: str  # "MXN - Peso Mexicano"
    tipo_cambio: Decimal | None
    forma_pago: str
    metodo_pago: str
    exportacion: str
    condiciones_de_pago: str
    no_certificado: str
    sello: str
    emisor: Party
    receptor: Party
    lines: tuple[Line, ...]
    subtotal: Decimal | None
    descuento: Decimal | None
    total: Decimal
    traslados: tuple[Tax, ...]
    retenciones: tuple[Tax, ...]
    related: tuple[Related, ...]
    global_info: GlobalInfo | None
    payments: Payments | None
    stamp: Stamp | None

    @property
    def serie_folio(self) -> str:
        return "-".join(part for part in (self.serie, self.folio) if part)


def describe(catalog: str, value: Any, column: str = "description") -> str:
    """``"601 - General de Ley Personas Morales"``: the code with SAT's description when known."""
    key = f.code(value)
    if not key:
        return ""
    row = store.get(catalog, key)
    description = (row or {}).get(column) or f.sat_description(value)
    return f"{key} - {description}" if description else key


def read_document(cfdi: Mapping[str, Any]) -> Document:
    """Extract everything the PDF prints from a satcfdi CFDI 4.0 dict."""
    emisor = f.node(cfdi.get("Emisor"))
    receptor = f.node(cfdi.get("Receptor"))
    impuestos = f.node(cfdi.get("Impuestos"))
    complementos = _complementos(cfdi.get("Complemento"))
    total = f.decimal(cfdi.get("Total")) or Decimal(0)
    stamp = _stamp(complementos.get("TimbreFiscalDigital"), cfdi, total)
    pagos = complementos.get("Pagos")
    return Document(
        tipo=f.code(cfdi.get("TipoDeComprobante")),
        tipo_descripcion=describe("c_TipoDeComprobante", cfdi.get("TipoDeComprobante")),
        serie=f.text(cfdi.get("Serie")),
        folio=f.text(cfdi.get("Folio")),
        fecha=f.format_datetime(cfdi.get("Fecha")),
        lugar_expedicion=f.text(cfdi.get("LugarExpedicion")),
        moneda=f.code(cfdi.get("Moneda")),
        moneda_descripcion=describe("c_Moneda", cfdi.get("Moneda")),
        tipo_cambio=f.decimal(cfdi.get("TipoCambio")),
        forma_pago=describe("c_FormaPago", cfdi.get("FormaPago")),
        metodo_pago=describe("c_MetodoPago", cfdi.get("MetodoPago")),
        exportacion=describe("c_Exportacion", cfdi.get("Exportacion")),
        condiciones_de_pago=f.text(cfdi.get("CondicionesDePago")),
        no_certificado=f.text(cfdi.get("NoCertificado")),
        sello=f.text(cfdi.get("Sello")),
        emisor=Party(
            nombre=f.text(emisor.get("Nombre")),
            rfc=f.text(emisor.get("Rfc")),
            regimen=describe("c_RegimenFiscal", emisor.get("RegimenFiscal")),
        ),
        receptor=Party(
            nombre=f.text(receptor.get("Nombre")),
            rfc=f.text(receptor.get("Rfc")),
            regimen=describe("c_RegimenFiscal", receptor.get("RegimenFiscalReceptor")),
            domicilio_fiscal=f.text(receptor.get("DomicilioFiscalReceptor")),
            uso=describe("c_UsoCFDI", receptor.get("UsoCFDI")),
            residencia_fiscal=f.code(receptor.get("ResidenciaFiscal")),
            num_reg_id_trib=f.text(receptor.get("NumRegIdTrib")),
        ),
        lines=tuple(_line(concepto) for concepto in f.nodes(cfdi.get("Conceptos"), "ClaveProdServ")),
        subtotal=f.decimal(cfdi.get("SubTotal")),
        descuento=f.decimal(cfdi.get("Descuento")),
        total=total,
        traslados=_taxes("traslado", impuestos.get("Traslados")),
        retenciones=_taxes("retencion", impuestos.get("Retenciones")),
        related=tuple(_related(r) for r in f.nodes(cfdi.get("CfdiRelacionados"), "TipoRelacion")),
        global_info=_global_info(cfdi.get("InformacionGlobal")),
        payments=_payments(pagos) if pagos else None,
        stamp=stamp,
    )


def _complementos(value: Any) -> dict[str, Mapping[str, Any]]:
    # Keyed by local name when satcfdi parsed the XML; a bare complement (or a list of them)
    # when it built the document. Recognise each by its tag, or by an attribute only it has.
    found: dict[str, Mapping[str, Any]] = {}
    for candidate in f.walk(value):
        tag = str(getattr(candidate, "tag", ""))
        if tag.endswith("}TimbreFiscalDigital") or "SelloSAT" in candidate:
            found.setdefault("TimbreFiscalDigital", candidate)
        elif tag.endswith("}Pagos") or ("Pago" in candidate and "Totales" in candidate):
            found.setdefault("Pagos", candidate)
    return found


def _stamp(tfd: Mapping[str, Any] | None, cfdi: Mapping[str, Any], total: Decimal) -> Stamp | None:
    if not tfd or not tfd.get("UUID"):
        return None
    uuid = f.text(tfd.get("UUID")).upper()
    return Stamp(
        uuid=uuid,
        fecha_timbrado=f.format_datetime(tfd.get("FechaTimbrado")),
        rfc_prov_certif=f.text(tfd.get("RfcProvCertif")),
        no_certificado_sat=f.text(tfd.get("NoCertificadoSAT")),
        sello_cfd=f.text(tfd.get("SelloCFD")),
        sello_sat=f.text(tfd.get("SelloSAT")),
        cadena_original=tfd_cadena_original(tfd),
        qr_url=verification_url(
            uuid=uuid,
            rfc_emisor=f.text(f.node(cfdi.get("Emisor")).get("Rfc")),
            rfc_receptor=f.text(f.node(cfdi.get("Receptor")).get("Rfc")),
            total=total,
            sello=f.text(cfdi.get("Sello")),
        ),
    )


def _line(concepto: Mapping[str, Any]) -> Line:
    impuestos = f.node(concepto.get("Impuestos"))
    return Line(
        clave_prod_serv=f.code(concepto.get("ClaveProdServ")),
        no_identificacion=f.text(concepto.get("NoIdentificacion")),
        cantidad=f.decimal(concepto.get("Cantidad")),
        clave_unidad=f.code(concepto.get("ClaveUnidad")),
        unidad=f.text(concepto.get("Unidad")) or _unidad_name(concepto.get("ClaveUnidad")),
        descripcion=f.text(concepto.get("Descripcion")),
        valor_unitario=f.decimal(concepto.get("ValorUnitario")),
        descuento=f.decimal(concepto.get("Descuento")),
        importe=f.decimal(concepto.get("Importe")),
        objeto_imp=f.code(concepto.get("ObjetoImp")),
        taxes=_taxes("traslado", impuestos.get("Traslados"))
        + _taxes("retencion", impuestos.get("Retenciones")),
        a_cuenta_terceros=_third_party(concepto.get("ACuentaTerceros")),
    )


def _third_party(value: Any) -> ThirdParty | None:
    node = f.node(value)
    if not node:
        return None
    return ThirdParty(
        rfc=f.text(node.get("RfcACuentaTerceros")),
        nombre=f.text(node.get("NombreACuentaTerceros")),
        regimen=describe("c_RegimenFiscal", node.get("RegimenFiscalACuentaTerceros")),
        domicilio_fiscal=f.text(node.get("DomicilioFiscalACuentaTerceros")),
    )


def _unidad_name(value: Any) -> str:
    # SAT's name for the unit when the issuer gave none of its own (Unidad is optional).
    row = store.get("c_ClaveUnidad", f.code(value)) if value else None
    return row["name"] if row else ""


def _taxes(kind: Literal["traslado", "retencion"], value: Any, suffix: str = "") -> tuple[Tax, ...]:
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


def _pagos_taxes(value: Any, suffix: str) -> tuple[Tax, ...]:
    node = f.node(value)
    return _taxes("traslado", node.get(f"Traslados{suffix}"), suffix) + _taxes(
        "retencion", node.get(f"Retenciones{suffix}"), suffix
    )


def _related(node: Mapping[str, Any]) -> Related:
    return Related(
        tipo_relacion=describe("c_TipoRelacion", node.get("TipoRelacion")),
        uuids=tuple(u.upper() for u in f.strings(node.get("CfdiRelacionado")) if u),
    )


def _global_info(value: Any) -> GlobalInfo | None:
    node = f.node(value)
    if not node:
        return None
    return GlobalInfo(
        periodicidad=describe("c_Periodicidad", node.get("Periodicidad")),
        meses=describe("c_Meses", node.get("Meses")),
        year=f.text(node.get("Año")),
    )


def _payments(pagos: Mapping[str, Any]) -> Payments:
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
                taxes=_pagos_taxes(d.get("ImpuestosDR"), "DR"),
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
                taxes=_pagos_taxes(pago.get("ImpuestosP"), "P"),
            )
        )
    totals = f.node(pagos.get("Totales"))
    return Payments(
        payments=tuple(payments),
        totals=tuple(
            (name, amount) for name in PAGOS_TOTALES if (amount := f.decimal(totals.get(name))) is not None
        ),
    )
