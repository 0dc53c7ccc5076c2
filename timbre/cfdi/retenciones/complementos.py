"""The complements of Retenciones 2.0 that Timbre builds, each for its CveRetenc, with the totals the
complement's filling guide derives from its details (so they always agree).

| CveRetenc | complement (local name) |
|---|---|
| 06 Enajenación de acciones | EnajenaciondeAcciones 1.0 |
| 14 Dividendos o utilidades distribuidos | Dividendos 1.0 |
| 16 Intereses | Intereses 1.0 |
| 18 Pagos a residentes en el extranjero | Pagosaextranjeros 1.0 |
| 26 Servicios mediante plataformas tecnológicas | ServiciosPlataformasTecnologicas 1.0 |
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from satcfdi.create.retencion import (
    dividendos10,
    enajenaciondeacciones10,
    intereses10,
    pagosaextranjeros10,
    plataformasTecnologicas10,
)

from timbre.cfdi.money import round_money

# CveRetenc → the complement's local name.
COMPLEMENTO_DE_CLAVE = {
    "06": "EnajenaciondeAcciones",
    "14": "Dividendos",
    "16": "Intereses",
    "18": "Pagosaextranjeros",
    "26": "ServiciosPlataformasTecnologicas",
}
IVA_PLATAFORMAS = "02"  # the complement's own c_TipoImpuesto: 01 ISR, 02 IVA, 03 IEPS


@dataclass(frozen=True, slots=True)
class ServicioPlataforma:
    forma_pago: str
    tipo: str
    fecha: date
    precio_sin_iva: Decimal
    tasa_iva: Decimal | None  # None: no IVA node
    comision: Decimal | None
    subtipo: str | None = None
    rfc_tercero_autorizado: str | None = None
    contribucion: Decimal | None = None
    entidad_contribucion: str | None = None

    @property
    def iva(self) -> Decimal:
        return round_money(self.precio_sin_iva * self.tasa_iva, 2) if self.tasa_iva is not None else Decimal(0)


def plataformas(periodicidad: str, servicios: list[ServicioPlataforma], *, iva_retenido: Decimal,
                isr_retenido: Decimal) -> Any:
    """ServiciosPlataformasTecnologicas 1.0; the retained totals are the document's ImpRetenidos."""
    detalles = []
    for s in servicios:
        detalle: dict[str, Any] = {
            "forma_pago_serv": s.forma_pago, "tipo_de_serv": s.tipo, "fecha_serv": s.fecha,
            "precio_serv_sin_iva": s.precio_sin_iva, "sub_tip_serv": s.subtipo,
            "rfc_tercero_autorizado": s.rfc_tercero_autorizado,
        }
        if s.tasa_iva is not None:
            detalle["impuestos_trasladadosdel_servicio"] = plataformasTecnologicas10.ImpuestosTrasladadosdelServicio(
                base=s.precio_sin_iva, impuesto=IVA_PLATAFORMAS, tasa_cuota=s.tasa_iva.quantize(Decimal("0.000001")),
                importe=s.iva)
        if s.comision is not None:
            detalle["comision_del_servicio"] = plataformasTecnologicas10.ComisionDelServicio(importe=s.comision)
        if s.contribucion is not None:
            detalle["contribucion_gubernamental"] = plataformasTecnologicas10.ContribucionGubernamental(
                imp_contrib=s.contribucion, entidad_donde_paga_la_contribucion=s.entidad_contribucion or "")
        detalles.append(plataformasTecnologicas10.DetallesDelServicio(**detalle))
    iva_trasladado = sum((s.iva for s in servicios), Decimal(0))
    contribuciones = [s.contribucion for s in servicios if s.contribucion is not None]
    return plataformasTecnologicas10.ServiciosPlataformasTecnologicas(
        periodicidad=periodicidad, num_serv=len(servicios),
        mon_tot_serv_siva=sum((s.precio_sin_iva for s in servicios), Decimal(0)),
        total_iva_trasladado=iva_trasladado, total_iva_retenido=iva_retenido, total_isr_retenido=isr_retenido,
        dif_iva_entregado_prest_serv=iva_trasladado - iva_retenido,
        mon_totalpor_uso_plataforma=sum((s.comision or Decimal(0) for s in servicios), Decimal(0)),
        servicios=detalles,
        mon_total_contribucion_gubernamental=sum(contribuciones, Decimal(0)) if contribuciones else None,
    )


def dividendos(*, tipo: str, isr_mexico: Decimal, isr_extranjero: Decimal, tipo_sociedad: str,
               ret_extranjero: Decimal | None = None, isr_acreditable_nacional: Decimal | None = None,
               acumulable_nacional: Decimal | None = None, acumulable_extranjero: Decimal | None = None,
               proporcion_remanente: Decimal | None = None) -> Any:
    return dividendos10.Dividendos(
        divid_o_util=dividendos10.DividOUtil(
            cve_tip_div_outil=tipo, mont_isr_acred_ret_mexico=isr_mexico, mont_isr_acred_ret_extranjero=isr_extranjero,
            tipo_soc_distr_div=tipo_sociedad, mont_ret_ext_div_ext=ret_extranjero,
            mont_isr_acred_nal=isr_acreditable_nacional, mont_div_acum_nal=acumulable_nacional,
            mont_div_acum_ext=acumulable_extranjero),
        remanente=dividendos10.Remanente(proporcion_rem=proporcion_remanente) if proporcion_remanente else None,
    )


def intereses(*, sistema_financiero: bool, retirados: bool, derivados: bool, nominal: Decimal, real: Decimal,
              perdida: Decimal) -> Any:
    def si(flag: bool) -> str:
        return "SI" if flag else "NO"

    return intereses10.Intereses(sist_financiero=si(sistema_financiero), retiro_aoresret_int=si(retirados),
                                 oper_financ_derivad=si(derivados), mont_int_nominal=nominal, mont_int_real=real,
                                 perdida=perdida)


def pagos_extranjeros(*, beneficiario_efectivo: bool, concepto: str, descripcion: str, pais: str | None = None,
                      rfc: str | None = None, curp: str | None = None, nombre: str | None = None) -> Any:
    """EsBenefEfectDelCobro SI: the Beneficiario node (the representative in Mexico); NO: NoBeneficiario
    (the foreign resident who collects)."""
    if beneficiario_efectivo:
        return pagosaextranjeros10.Pagosaextranjeros(
            es_benef_efect_del_cobro="SI", beneficiario=pagosaextranjeros10.Beneficiario(
                rfc=rfc or "", curp=curp or "", nom_den_raz_soc_b=nombre or "", concepto_pago=concepto,
                descripcion_concepto=descripcion))
    return pagosaextranjeros10.Pagosaextranjeros(
        es_benef_efect_del_cobro="NO", no_beneficiario=pagosaextranjeros10.NoBeneficiario(
            pais_de_resid_para_efec_fisc=pais or "", concepto_pago=concepto, descripcion_concepto=descripcion))


def enajenacion_acciones(*, contrato: str, ganancia: Decimal, perdida: Decimal) -> Any:
    return enajenaciondeacciones10.EnajenaciondeAcciones(contrato_intermediacion=contrato, ganancia=ganancia,
                                                        perdida=perdida)
