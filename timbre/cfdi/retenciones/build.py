"""What a Retenciones 2.0 document says (`RetencionInput`) → satcfdi's `Retenciones`, unsealed.

Amounts are MXN (SAT's rule for this document: "los importes se expresan en pesos mexicanos"), Decimal,
rounded half-even to 2 decimals by the caller (`money`). MontoTotGrav and MontoTotRet are derived
(operación − exento, Σ MontoRet), so they can never disagree with their parts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone, tzinfo
from decimal import Decimal
from typing import Any, Literal
from zoneinfo import ZoneInfo

from satcfdi.create.retencion import retenciones20
from satcfdi.transform import get_timezone

Nacionalidad = Literal["Nacional", "Extranjero"]
# Central Mexico has had no DST since 2022.
MEXICO_TZ = timezone(timedelta(hours=-6), "America/Mexico_City")


def zona_horaria(codigo_postal: str) -> tzinfo:
    """The time zone of a postal code (SAT's c_CodigoPostal huso horario, through satcfdi); central
    Mexico's when the code is unknown (the schema check then names the code)."""
    try:
        name = get_timezone(codigo_postal).zone  # a pytz zone: its name, as a zoneinfo zone (no LMT trap)
    except (KeyError, ValueError, TypeError, AttributeError):
        return MEXICO_TZ
    return ZoneInfo(str(name))


def fecha_expedicion(codigo_postal: str, now: datetime | None = None) -> datetime:
    """FechaExp: the wall clock of the place of issue (LugarExpRetenc), without zone, to the second."""
    zone = zona_horaria(codigo_postal)
    moment = now.astimezone(zone) if now is not None else datetime.now(zone)
    return moment.replace(tzinfo=None, microsecond=0)


@dataclass(frozen=True, slots=True)
class ImpRetenido:
    impuesto: str | None  # c_Impuesto: 001 ISR, 002 IVA, 003 IEPS
    base: Decimal | None
    monto: Decimal
    tipo_pago: str  # c_TipoPagoRet


@dataclass(frozen=True, slots=True)
class EmisorRet:
    rfc: str
    nombre: str
    regimen_fiscal: str


@dataclass(frozen=True, slots=True)
class ReceptorRet:
    nacionalidad: Nacionalidad
    nombre: str
    rfc: str | None = None
    domicilio_fiscal: str | None = None
    curp: str | None = None
    num_reg_id_trib: str | None = None


@dataclass(frozen=True, slots=True)
class Relacionado:
    tipo_relacion: str
    uuid: str


@dataclass(slots=True)
class RetencionInput:
    cve_retenc: str
    lugar_exp_retenc: str
    fecha_exp: datetime
    emisor: EmisorRet
    receptor: ReceptorRet
    mes_ini: str
    mes_fin: str
    ejercicio: str
    monto_tot_operacion: Decimal
    monto_tot_exent: Decimal
    imp_retenidos: list[ImpRetenido] = field(default_factory=list)
    desc_retenc: str | None = None
    folio_int: str | None = None
    relacionado: Relacionado | None = None
    utilidad_bimestral: Decimal | None = None
    isr_correspondiente: Decimal | None = None
    # local name → satcfdi complement object (ServiciosPlataformasTecnologicas, Dividendos, ...)
    complementos: dict[str, Any] = field(default_factory=dict)

    @property
    def monto_tot_grav(self) -> Decimal:
        return self.monto_tot_operacion - self.monto_tot_exent

    @property
    def monto_tot_ret(self) -> Decimal:
        return sum((i.monto for i in self.imp_retenidos), Decimal(0))


def build(data: RetencionInput) -> retenciones20.Retenciones:
    """satcfdi's Retenciones for `data` (unsealed: `seal.seal` writes NoCertificado, Certificado, Sello)."""
    receptor = data.receptor
    if receptor.nacionalidad == "Nacional":
        nodo = {"nacional": retenciones20.Nacional(
            rfc_r=receptor.rfc or "", nom_den_raz_soc_r=receptor.nombre,
            domicilio_fiscal_r=receptor.domicilio_fiscal or "", curp_r=receptor.curp)}
    else:
        nodo = {"extranjero": retenciones20.Extranjero(
            nom_den_raz_soc_r=receptor.nombre, num_reg_id_trib_r=receptor.num_reg_id_trib)}
    totales = retenciones20.Totales(
        monto_tot_operacion=data.monto_tot_operacion, monto_tot_grav=data.monto_tot_grav,
        monto_tot_exent=data.monto_tot_exent, monto_tot_ret=data.monto_tot_ret,
        utilidad_bimestral=data.utilidad_bimestral, isr_correspondiente=data.isr_correspondiente,
        imp_retenidos=[retenciones20.ImpRetenidos(monto_ret=i.monto, tipo_pago_ret=i.tipo_pago, base_ret=i.base,
                                                  impuesto_ret=i.impuesto) for i in data.imp_retenidos] or None,
    )
    relacionado = data.relacionado
    return retenciones20.Retenciones(
        lugar_exp_retenc=data.lugar_exp_retenc,
        cve_retenc=data.cve_retenc,
        emisor=retenciones20.Emisor(rfc_e=data.emisor.rfc, nom_den_raz_soc_e=data.emisor.nombre,
                                    regimen_fiscal_e=data.emisor.regimen_fiscal),
        receptor=retenciones20.Receptor(nacionalidad_r=receptor.nacionalidad, **nodo),
        periodo=retenciones20.Periodo(mes_ini=data.mes_ini, mes_fin=data.mes_fin, ejercicio=data.ejercicio),
        totales=totales,
        folio_int=data.folio_int,
        desc_retenc=data.desc_retenc,
        cfdi_reten_relacionados=retenciones20.CfdiRetenRelacionados(
            tipo_relacion=relacionado.tipo_relacion, uuid=relacionado.uuid) if relacionado else None,
        complemento=dict(data.complementos) or None,
        fecha_exp=data.fecha_exp,
    )
