"""Retenciones 2.0 inputs for the core tests: one per complement Timbre builds, and one without."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal as D
from typing import Any

from timbre.cfdi.retenciones import complementos as c
from timbre.cfdi.retenciones.build import EmisorRet, ImpRetenido, ReceptorRet, RetencionInput

EMISOR = EmisorRet("EKU9003173C9", "ESCUELA KEMPER URGATE", "601")
NACIONAL = ReceptorRet("Nacional", "BERENICE XIMO QUEZADA", rfc="XIQB891116QE4", domicilio_fiscal="36257")
EXTRANJERO = ReceptorRet("Extranjero", "ACME INC", num_reg_id_trib="123456789")


def servicio(**overrides: Any) -> c.ServicioPlataforma:
    values: dict[str, Any] = {"forma_pago": "03", "tipo": "01", "fecha": date(2026, 6, 10),
                              "precio_sin_iva": D("1000.00"), "tasa_iva": D("0.16"), "comision": D("100.00")}
    values.update(overrides)
    return c.ServicioPlataforma(**values)


def retencion(key: str, fecha: datetime, **overrides: Any) -> RetencionInput:
    """A valid input of `key` (26, 14, 16, 18, 06 or 01 without complement)."""
    imps = [ImpRetenido("001", D("1000.00"), D("10.00"), "01"), ImpRetenido("002", D("1000.00"), D("80.00"), "01")]
    complementos: dict[str, Any] = {}
    receptor = NACIONAL
    if key == "26":
        complementos["ServiciosPlataformasTecnologicas"] = c.plataformas(
            "04", [servicio()], iva_retenido=D("80.00"), isr_retenido=D("10.00"))
    elif key == "14":
        complementos["Dividendos"] = c.dividendos(tipo="01", isr_mexico=D("100.00"), isr_extranjero=D(0),
                                                  tipo_sociedad="Sociedad Nacional")
    elif key == "16":
        complementos["Intereses"] = c.intereses(sistema_financiero=True, retirados=False, derivados=False,
                                                nominal=D("1000.00"), real=D("600.00"), perdida=D(0))
    elif key == "18":
        receptor = EXTRANJERO
        complementos["Pagosaextranjeros"] = c.pagos_extranjeros(
            beneficiario_efectivo=False, concepto="1", descripcion="Regalías", pais="US")
    elif key == "06":
        complementos["EnajenaciondeAcciones"] = c.enajenacion_acciones(contrato="Contrato 1", ganancia=D("500"),
                                                                      perdida=D(0))
    values: dict[str, Any] = {
        "cve_retenc": key, "lugar_exp_retenc": "42501", "fecha_exp": fecha, "emisor": EMISOR, "receptor": receptor,
        "mes_ini": "06", "mes_fin": "06", "ejercicio": "2026", "monto_tot_operacion": D("1000.00"),
        "monto_tot_exent": D(0), "imp_retenidos": imps, "complementos": complementos,
    }
    values.update(overrides)
    return RetencionInput(**values)
