"""Build a CFDI 4.0 Comprobante (satcfdi's `cfdi40.Comprobante`) from neutral, SAT-shaped input.

The amounts come from the tax engine (`taxes.ConceptAmounts` per concept); the document totals
are derived here with `taxes.summarize`, so XML, JSON and PDF share one computation (satcfdi's
constructor, which recomputes amounts its own way, is not used).

`Complemento` is a mapping keyed by the complement's local name (`{"Pagos": pago20.Pagos(...)}`),
as satcfdi expects; the TimbreFiscalDigital is added later by the PAC.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from satcfdi.cfdi import CFDI
from satcfdi.create.cfd import cfdi40

from .taxes import ConceptAmounts, DocumentAmounts, TaxLine, summarize

TipoDeComprobante = Literal["I", "E", "P", "T", "N"]


@dataclass(frozen=True, slots=True)
class Emisor:
    rfc: str
    nombre: str
    regimen_fiscal: str
    fac_atr_adquirente: str | None = None


@dataclass(frozen=True, slots=True)
class Receptor:
    rfc: str
    nombre: str
    domicilio_fiscal: str
    regimen_fiscal: str
    uso_cfdi: str
    residencia_fiscal: str | None = None
    num_reg_id_trib: str | None = None


@dataclass(frozen=True, slots=True)
class ACuentaTerceros:
    rfc: str
    nombre: str
    regimen_fiscal: str
    domicilio_fiscal: str


@dataclass(frozen=True, slots=True)
class Concepto:
    """A concept's descriptive fields plus its amounts from the tax engine."""

    clave_prod_serv: str
    clave_unidad: str
    descripcion: str
    amounts: ConceptAmounts
    unidad: str | None = None
    no_identificacion: str | None = None
    a_cuenta_terceros: ACuentaTerceros | None = None
    informacion_aduanera: Sequence[str] = ()
    cuenta_predial: Sequence[str] = ()


@dataclass(frozen=True, slots=True)
class CfdiRelacionados:
    tipo_relacion: str
    uuids: Sequence[str]


@dataclass(frozen=True, slots=True)
class InformacionGlobal:
    periodicidad: str
    meses: str
    ano: int


@dataclass(frozen=True, slots=True)
class ComprobanteInput:
    """Everything a CFDI 4.0 needs except the seal. `fecha` is the local time of issue (naive,
    as SAT writes it); `decimals` are the currency's decimals (c_Moneda)."""

    tipo_de_comprobante: TipoDeComprobante
    emisor: Emisor
    receptor: Receptor
    lugar_expedicion: str
    fecha: datetime
    conceptos: Sequence[Concepto]
    moneda: str = "MXN"
    decimals: int = 2
    tipo_cambio: Decimal | None = None
    serie: str | None = None
    folio: str | None = None
    forma_pago: str | None = None
    metodo_pago: str | None = None
    condiciones_de_pago: str | None = None
    exportacion: str = "01"
    confirmacion: str | None = None
    informacion_global: InformacionGlobal | None = None
    cfdi_relacionados: Sequence[CfdiRelacionados] = ()
    complemento: Mapping[str, CFDI] = field(default_factory=dict)


def pago_concepto() -> Concepto:
    """The single fixed concept of a payment CFDI (tipo P), as Anexo 20 prescribes."""
    zero = Decimal(0)
    return Concepto(
        clave_prod_serv="84111506",
        clave_unidad="ACT",
        descripcion="Pago",
        amounts=ConceptAmounts(
            cantidad=Decimal(1), valor_unitario=zero, importe=zero, descuento=None, objeto_imp="01"
        ),
    )


def document_amounts(data: ComprobanteInput) -> DocumentAmounts:
    """The totals the document will carry (SubTotal, Descuento, Impuestos, Total)."""
    return summarize([c.amounts for c in data.conceptos], data.decimals)


def build(data: ComprobanteInput) -> cfdi40.Comprobante:
    """The unsealed `cfdi40.Comprobante` for `data`."""
    if not data.conceptos:
        raise ValueError("a Comprobante needs at least one Concepto")
    if data.fecha.tzinfo is not None:
        raise ValueError("fecha must be the naive local time of issue (SAT writes no time zone)")
    amounts = document_amounts(data)
    values: dict[str, Any] = {
        "Version": cfdi40.Comprobante.version,
        "Serie": data.serie,
        "Folio": data.folio,
        "Fecha": data.fecha.replace(microsecond=0),
        "Sello": "",
        "FormaPago": data.forma_pago,
        "NoCertificado": "",
        "Certificado": "",
        "CondicionesDePago": data.condiciones_de_pago,
        "SubTotal": amounts.subtotal,
        "Descuento": amounts.descuento,
        "Moneda": data.moneda,
        "TipoCambio": data.tipo_cambio,
        "Total": amounts.total,
        "TipoDeComprobante": data.tipo_de_comprobante,
        "Exportacion": data.exportacion,
        "MetodoPago": data.metodo_pago,
        "LugarExpedicion": data.lugar_expedicion,
        "Confirmacion": data.confirmacion,
        "InformacionGlobal": _informacion_global(data.informacion_global),
        "CfdiRelacionados": [
            cfdi40.CfdiRelacionados(tipo_relacion=r.tipo_relacion, cfdi_relacionado=list(r.uuids))
            for r in data.cfdi_relacionados
        ]
        or None,
        "Emisor": _emisor(data.emisor),
        "Receptor": _receptor(data.receptor),
        "Conceptos": [_concepto(c) for c in data.conceptos],
        "Impuestos": _impuestos(amounts),
        "Complemento": dict(data.complemento) or None,
        "Addenda": None,
    }
    # satcfdi's constructor recomputes every amount with its own rules and catalog; our engine
    # is the single source of truth, so fill the (dict-based) Comprobante directly.
    comprobante = cfdi40.Comprobante.__new__(cfdi40.Comprobante)
    dict.update(comprobante, values)
    return comprobante


def _emisor(emisor: Emisor) -> cfdi40.Emisor:
    return cfdi40.Emisor(
        rfc=emisor.rfc,
        nombre=emisor.nombre,
        regimen_fiscal=emisor.regimen_fiscal,
        fac_atr_adquirente=emisor.fac_atr_adquirente,
    )


def _receptor(receptor: Receptor) -> cfdi40.Receptor:
    return cfdi40.Receptor(
        rfc=receptor.rfc,
        nombre=receptor.nombre,
        domicilio_fiscal_receptor=receptor.domicilio_fiscal,
        regimen_fiscal_receptor=receptor.regimen_fiscal,
        uso_cfdi=receptor.uso_cfdi,
        residencia_fiscal=receptor.residencia_fiscal,
        num_reg_id_trib=receptor.num_reg_id_trib,
    )


def _informacion_global(value: InformacionGlobal | None) -> cfdi40.InformacionGlobal | None:
    if value is None:
        return None
    return cfdi40.InformacionGlobal(periodicidad=value.periodicidad, meses=value.meses, ano=value.ano)


def _concepto(concepto: Concepto) -> cfdi40.Concepto:
    amounts = concepto.amounts
    impuestos: dict[str, Any] = {}
    if amounts.traslados:
        impuestos["Traslados"] = [_tax_line(line) for line in amounts.traslados]
    if amounts.retenciones:
        impuestos["Retenciones"] = [_tax_line(line) for line in amounts.retenciones]
    terceros = concepto.a_cuenta_terceros
    result = cfdi40.Concepto(
        clave_prod_serv=concepto.clave_prod_serv,
        cantidad=amounts.cantidad,
        clave_unidad=concepto.clave_unidad,
        descripcion=concepto.descripcion,
        valor_unitario=amounts.valor_unitario,
        objeto_imp=amounts.objeto_imp,
        no_identificacion=concepto.no_identificacion,
        unidad=concepto.unidad,
        descuento=amounts.descuento,
        impuestos=impuestos or None,
        a_cuenta_terceros=None
        if terceros is None
        else cfdi40.ACuentaTerceros(
            rfc_a_cuenta_terceros=terceros.rfc,
            nombre_a_cuenta_terceros=terceros.nombre,
            regimen_fiscal_a_cuenta_terceros=terceros.regimen_fiscal,
            domicilio_fiscal_a_cuenta_terceros=terceros.domicilio_fiscal,
        ),
        informacion_aduanera=list(concepto.informacion_aduanera) or None,
        cuenta_predial=list(concepto.cuenta_predial) or None,
    )
    result["Importe"] = amounts.importe
    return result


def _tax_line(line: TaxLine) -> dict[str, Any]:
    return {
        "Base": line.base,
        "Impuesto": line.impuesto,
        "TipoFactor": line.tipo_factor,
        "TasaOCuota": line.tasa_o_cuota,
        "Importe": line.importe,
    }


def _impuestos(amounts: DocumentAmounts) -> dict[str, Any] | None:
    if not amounts.traslados and not amounts.retenciones:
        return None
    impuestos: dict[str, Any] = {
        "TotalImpuestosRetenidos": amounts.total_impuestos_retenidos,
        "TotalImpuestosTrasladados": amounts.total_impuestos_trasladados,
    }
    if amounts.retenciones:
        impuestos["Retenciones"] = [{"Impuesto": r.impuesto, "Importe": r.importe} for r in amounts.retenciones]
    if amounts.traslados:
        impuestos["Traslados"] = [
            {
                "Base": t.base,
                "Impuesto": t.impuesto,
                "TipoFactor": t.tipo_factor,
                "TasaOCuota": t.tasa_o_cuota,
                "Importe": t.importe,
            }
            for t in amounts.traslados
        ]
    return impuestos
