"""Read the printable content of a CFDI 4.0 (`document`) from satcfdi's dict: the voucher, its parties, concepts,
relations and stamp (the taxes in `read_taxes`, the Pagos 2.0 complement in `read_pagos`)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from timbre.catalogs import store
from timbre.cfdi.pdf import fields as f
from timbre.cfdi.pdf.describe import describe
from timbre.cfdi.pdf.document import Document, GlobalInfo, Line, Party, Related, Stamp, ThirdParty
from timbre.cfdi.pdf.read_pagos import read_payments
from timbre.cfdi.pdf.read_taxes import read_taxes
from timbre.cfdi.pdf.sat import tfd_cadena_original, verification_url


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
        traslados=read_taxes("traslado", impuestos.get("Traslados")),
        retenciones=read_taxes("retencion", impuestos.get("Retenciones")),
        related=tuple(_related(r) for r in f.nodes(cfdi.get("CfdiRelacionados"), "TipoRelacion")),
        global_info=_global_info(cfdi.get("InformacionGlobal")),
        payments=read_payments(pagos) if pagos else None,
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
        taxes=read_taxes("traslado", impuestos.get("Traslados"))
        + read_taxes("retencion", impuestos.get("Retenciones")),
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
