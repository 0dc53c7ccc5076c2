"""The printable content of a CFDI 4.0: plain values, extracted once from satcfdi's dict by `read`.

The layout code only reads these dataclasses, so it never has to know satcfdi's two shapes
(see ``fields``) nor where a SAT description comes from.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal


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
