"""The filling guide's rules (Anexo 20, guía de llenado de Retenciones 2.0 and of its complements)
that a request can break, checked before any folio or credit is taken.

Each rule has a stable code (`RET20xxx` for the document, `RETCxxxx` for complements), SAT's node and
attribute, the Spanish rule, an English explanation, the fix in the API's terms and the request field:
`GET /invoices/cfdi-errors?type=retention` lists them. Rules the schema already enforces on values Timbre
writes itself (Version, Sello, NoCertificado) are not listed: a request cannot break them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from .build import RetencionInput
from .complementos import COMPLEMENTO_DE_CLAVE

CVE_RETENC = {f"{n:02d}" for n in range(1, 29)}
IMPUESTOS = {"001", "002", "003"}
TIPO_PAGO_RET = {"01", "02", "03", "04"}
EJERCICIOS = {str(y) for y in range(2019, 2028)}  # SAT's c_Ejercicio
MESES = {f"{n:02d}" for n in range(1, 13)}
TASAS_PLATAFORMAS = {Decimal("0.16"), Decimal("0.08"), Decimal(0), Decimal("0.5")}
SCHEMA = "RET20012"  # SAT's XSDs, checked on the document as it will be sealed (`schema_violations`)


@dataclass(frozen=True, slots=True)
class Regla:
    code: str
    node: str
    attribute: str
    description: str  # Spanish, the guide's rule
    explanation: str  # English
    solution: str
    field: str


@dataclass(frozen=True, slots=True)
class Violation:
    code: str
    field: str
    message: str


REGLAS: tuple[Regla, ...] = (
    Regla("RET20001", "Retenciones", "CveRetenc", "La clave de retención debe existir en el catálogo c_CveRetenc.",
          "The retention key is not one of SAT's c_CveRetenc keys.", "Send retention_key 01 to 28.",
          "retention_key"),
    Regla("RET20002", "Retenciones", "DescRetenc",
          "Cuando la clave de retención sea 25 (otro tipo de retenciones) se debe registrar DescRetenc.",
          "Key 25 (other retentions) needs a description.", "Send description (1 to 100 characters).",
          "description"),
    Regla("RET20003", "Periodo", "MesIni",
          "MesIni y MesFin deben ser claves del catálogo c_Periodo (01 a 12).",
          "The period's months must be 1 to 12.", "Send period_start and period_end between 1 and 12.",
          "period_start"),
    Regla("RET20004", "Periodo", "MesFin", "El mes final debe ser mayor o igual al mes inicial.",
          "The period ends before it starts.", "Send period_end >= period_start.", "period_end"),
    Regla("RET20005", "Periodo", "Ejercicio",
          "El ejercicio debe existir en c_Ejercicio y no ser posterior al año de expedición.",
          "The fiscal year is not in SAT's catalog or lies in the future.",
          "Send period_year between 2019 and the current year.", "period_year"),
    Regla("RET20006", "Totales", "MontoTotExent",
          "El monto exento no puede ser mayor que el monto total de la operación (MontoTotGrav = "
          "MontoTotOperacion - MontoTotExent no admite negativos).",
          "The exempt amount exceeds the operation's total.", "Send total_exempt <= total_operation.",
          "total_exempt"),
    Regla("RET20007", "ImpRetenidos", "ImpuestoRet", "El impuesto retenido debe existir en c_Impuesto.",
          "Unknown retained tax.", "Send taxes[].tax as ISR, IVA or IEPS (or 001, 002, 003).", "taxes[].tax"),
    Regla("RET20008", "ImpRetenidos", "TipoPagoRet", "El tipo de pago debe existir en c_TipoPagoRet.",
          "Unknown payment type of the retention.", "Send taxes[].payment_type 01 to 04.", "taxes[].payment_type"),
    Regla("RET20009", "ImpRetenidos", "MontoRet",
          "El monto retenido no puede ser mayor que la base de la retención.",
          "A retained amount is larger than its base.", "Send taxes[].amount <= taxes[].base.", "taxes[].amount"),
    Regla("RET20010", "Complemento", "",
          "Las claves 06, 14, 16, 18 y 26 requieren su complemento; no se registran complementos de otra clave.",
          "The key needs its complement, or a complement of another key was sent.",
          "Send the key's complement (26 platform_services, 14 dividends, 16 interest, 18 foreign_payments, "
          "06 share_sale) and no other.", "retention_key"),
    Regla("RET20011", "Receptor", "NacionalidadR",
          "Para pagos a residentes en el extranjero (clave 18) el receptor debe ser Extranjero.",
          "Key 18 pays a foreign resident: the receiver must be foreign.",
          "Use a client whose address.country is not MEX (or tax_id XEXX010101000).", "client"),
    Regla("RETC0001", "ServiciosPlataformasTecnologicas", "FechaServ",
          "La fecha del servicio debe estar dentro del periodo del comprobante.",
          "A service date lies outside the document's period.",
          "Send platform_services.services[].service_date within period_start..period_end of period_year.",
          "platform_services.services[].service_date"),
    Regla("RETC0002", "ServiciosPlataformasTecnologicas", "TotalIVARetenido",
          "TotalIVARetenido no puede ser mayor que TotalIVATrasladado (DifIVAEntregadoPrestServ no admite "
          "negativos).", "More VAT was retained than the services carried.",
          "Send the IVA of taxes[] <= the IVA of the services (price_without_tax × tax_rate).", "taxes[].amount"),
    Regla("RETC0003", "ServiciosPlataformasTecnologicas", "MontoTotOperacion",
          "El monto total de la operación debe ser igual a MonTotServSIVA, la suma de PrecioServSinIVA.",
          "total_operation is not the sum of the services' prices without VAT.",
          "Send total_operation = Σ platform_services.services[].price_without_tax.", "total_operation"),
    Regla("RETC0004", "DetallesDelServicio", "Importe",
          "Los importes del servicio (precio, comisión, contribución) deben ser mayores o iguales a cero.",
          "A service amount is negative.", "Send non-negative price_without_tax, commission and contribution.",
          "platform_services.services[]"),
    Regla("RETC0007", "ImpuestosTrasladadosdelServicio", "TasaCuota",
          "La tasa del IVA del servicio debe existir en c_TasaCuota del complemento (0.16, 0.08, 0 o 0.5).",
          "The service's VAT rate is not one SAT allows for platforms.", "Send tax_rate 0.16, 0.08, 0 or 0.5.",
          "platform_services.services[].tax_rate"),
    Regla("RETC0005", "Pagosaextranjeros", "Beneficiario",
          "Si EsBenefEfectDelCobro es SI se registra el nodo Beneficiario (RFC, CURP y nombre del representante); "
          "si es NO, el nodo NoBeneficiario con el país de residencia.",
          "The beneficiary data does not match is_effective_beneficiary.",
          "With is_effective_beneficiary true send tax_id, curp and name; with false send country.",
          "foreign_payments"),
    Regla("RETC0006", "Dividendos/Intereses/EnajenaciondeAcciones", "Monto",
          "Los montos de los complementos no admiten valores negativos.",
          "A complement amount is negative.", "Send non-negative amounts in the complement.", "complement"),
    Regla(SCHEMA, "Retenciones y complementos", "*",
          "Cada valor debe cumplir el esquema (XSD) del SAT del comprobante y de su complemento: claves de sus "
          "catálogos (c_TipoDividendoOUtilidadDistribuida, c_TipoContribuyenteSujetoRetencion, c_Pais, "
          "c_Periodicidad, c_FormaPagoServ, c_TipoDeServ, c_SubTipoServ, c_EntidadesFederativas), patrones (RFC, "
          "CURP) y longitudes.",
          "A value breaks SAT's schema of the document or its complement (a catalog key, a pattern, a length).",
          "Send the catalog key or the format SAT's schema names in the message.", "document"),
)
_BY_CODE = {r.code: r for r in REGLAS}


def _v(code: str, detail: str, field: str | None = None) -> Violation:
    return Violation(code, field or _BY_CODE[code].field, f"{field or _BY_CODE[code].field}: {detail}")


def _document(d: RetencionInput) -> Iterator[Violation]:
    if d.cve_retenc not in CVE_RETENC:
        yield _v("RET20001", f"{d.cve_retenc!r} is not a SAT retention key (01-28)")
    if d.cve_retenc == "25" and not d.desc_retenc:
        yield _v("RET20002", "required for retention_key 25")
    for name, month in (("period_start", d.mes_ini), ("period_end", d.mes_fin)):
        if month not in MESES:
            yield _v("RET20003", f"{month!r} is not a month 1-12", name)
    if d.mes_ini in MESES and d.mes_fin in MESES and d.mes_fin < d.mes_ini:
        yield _v("RET20004", f"{int(d.mes_fin)} is before period_start {int(d.mes_ini)}")
    if d.ejercicio not in EJERCICIOS or int(d.ejercicio) > d.fecha_exp.year:
        yield _v("RET20005", f"{d.ejercicio!r} is not a fiscal year SAT accepts now")
    if d.monto_tot_exent > d.monto_tot_operacion:
        yield _v("RET20006", f"{d.monto_tot_exent} exceeds total_operation {d.monto_tot_operacion}")
    for i, imp in enumerate(d.imp_retenidos):
        if imp.impuesto is not None and imp.impuesto not in IMPUESTOS:
            yield _v("RET20007", f"{imp.impuesto!r} is not ISR, IVA or IEPS", f"taxes[{i}].tax")
        if imp.tipo_pago not in TIPO_PAGO_RET:
            yield _v("RET20008", f"{imp.tipo_pago!r} is not 01-04", f"taxes[{i}].payment_type")
        if imp.base is not None and imp.monto > imp.base:
            yield _v("RET20009", f"{imp.monto} exceeds its base {imp.base}", f"taxes[{i}].amount")
    expected = COMPLEMENTO_DE_CLAVE.get(d.cve_retenc)
    given = set(d.complementos)
    if (expected and expected not in given) or given - ({expected} if expected else set()):
        wanted = f"the {expected} complement" if expected else "no complement"
        yield _v("RET20010", f"retention_key {d.cve_retenc} takes {wanted}")
    if d.cve_retenc == "18" and d.receptor.nacionalidad != "Extranjero":
        yield _v("RET20011", "retention_key 18 needs a foreign receiver")


def _negatives(values: dict[str, Any]) -> Iterator[str]:
    for key, value in values.items():
        if isinstance(value, Decimal) and value < 0:
            yield key
        elif isinstance(value, dict):
            yield from _negatives(value)


def _plataformas(d: RetencionInput, c: Any) -> Iterator[Violation]:
    year = int(d.ejercicio) if d.ejercicio.isdigit() else 0
    months = (int(d.mes_ini), int(d.mes_fin)) if {d.mes_ini, d.mes_fin} <= MESES else (1, 12)
    detalles = c["Servicios"]
    for i, s in enumerate(detalles):
        fecha = s["FechaServ"]
        if isinstance(fecha, date) and not (fecha.year == year and months[0] <= fecha.month <= months[1]):
            yield _v("RETC0001", f"{fecha.isoformat()} is outside the period",
                     f"platform_services.services[{i}].service_date")
        iva = s.get("ImpuestosTrasladadosdelServicio")
        if iva is not None and iva["TasaCuota"] not in TASAS_PLATAFORMAS:
            yield _v("RETC0007", f"{iva['TasaCuota']} is not 0.16, 0.08, 0 or 0.5",
                     f"platform_services.services[{i}].tax_rate")
        if any(_negatives(dict(s))):
            yield _v("RETC0004", "amounts must not be negative", f"platform_services.services[{i}]")
    if c["TotalIVARetenido"] > c["TotalIVATrasladado"]:
        yield _v("RETC0002", f"IVA retained {c['TotalIVARetenido']} exceeds the services' IVA "
                             f"{c['TotalIVATrasladado']}")
    if d.monto_tot_operacion != c["MonTotServSIVA"]:
        yield _v("RETC0003", f"{d.monto_tot_operacion} is not the services' total {c['MonTotServSIVA']}")


def _pagos_extranjeros(d: RetencionInput, c: Any) -> Iterator[Violation]:
    if c["EsBenefEfectDelCobro"] == "SI":
        b = c.get("Beneficiario") or {}
        if not (b.get("RFC") and b.get("CURP") and b.get("NomDenRazSocB")):
            yield _v("RETC0005", "is_effective_beneficiary true needs tax_id, curp and name")
    elif not (c.get("NoBeneficiario") or {}).get("PaisDeResidParaEfecFisc"):
        yield _v("RETC0005", "is_effective_beneficiary false needs country")


def _montos(d: RetencionInput, c: Any) -> Iterator[Violation]:
    for key in _negatives(dict(c)):
        yield _v("RETC0006", f"{key} must not be negative")


_COMPLEMENTOS: dict[str, Callable[[RetencionInput, Any], Iterator[Violation]]] = {
    "ServiciosPlataformasTecnologicas": _plataformas,
    "Pagosaextranjeros": _pagos_extranjeros,
    "Dividendos": _montos,
    "Intereses": _montos,
    "EnajenaciondeAcciones": _montos,
}


def check(d: RetencionInput) -> list[Violation]:
    """Every guide rule `d` breaks (empty when none)."""
    found = list(_document(d))
    for name, complemento in d.complementos.items():
        found.extend(_COMPLEMENTOS[name](d, complemento))
    return found


# SAT's attribute (or element) → the request field that sets it, to name the field of a schema error.
_SCHEMA_FIELDS = {
    "DescRetenc": "description", "RfcR": "client.tax_id", "NomDenRazSocR": "client.legal_name",
    "DomicilioFiscalR": "client.address.zip", "NumRegIdTribR": "client.foreign_tax_id", "CurpR": "client",
    "CveTipDivOUtil": "dividends.dividend_type", "TipoSocDistrDiv": "dividends.company_type",
    "ConceptoPago": "foreign_payments.concept", "DescripcionConcepto": "foreign_payments.description",
    "PaisDeResidParaEfecFisc": "foreign_payments.country", "RFC": "foreign_payments.tax_id",
    "CURP": "foreign_payments.curp", "NomDenRazSocB": "foreign_payments.name",
    "Periodicidad": "platform_services.periodicity", "FormaPagoServ": "platform_services.services[].payment_form",
    "TipoDeServ": "platform_services.services[].service_type",
    "SubTipServ": "platform_services.services[].service_subtype",
    "RFCTerceroAutorizado": "platform_services.services[].third_party_tax_id",
    "EntidadDondePagaLaContribucion": "platform_services.services[].contribution_state",
    "ContratoIntermediacion": "share_sale.contract",
}
_SCHEMA_ERROR = re.compile(r"Element '(?:\{[^}]*\})?(?P<element>[\w.-]+)'(?:, attribute '(?P<attribute>[\w.-]+)')?")


def schema_violations(errors: list[str]) -> list[Violation]:
    """SAT's schema errors (`xsd.validate` of the sealed document) as violations of rule RET20012, each naming
    the request field that set the value where one does."""
    found = []
    for error in errors:
        match = _SCHEMA_ERROR.search(error)
        name = (match["attribute"] or match["element"]) if match else ""
        field = _SCHEMA_FIELDS.get(name, "document")
        found.append(Violation(SCHEMA, field, f"{field}: {error}"))
    return found
