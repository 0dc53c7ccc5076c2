"""Comprobante attributes: Fecha, certificate validity, FormaPago/MetodoPago, Moneda/TipoCambio,
TipoDeComprobante, Exportacion and LugarExpedicion."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

from ...catalogs import husos, store
from ._common import in_catalog
from ._doc import Doc
from ._values import dec, fmt, show, text
from .context import RuleContext
from .registry import Finding, rule

FECHA_PATTERN = re.compile(
    r"^(20[1-9][0-9])-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T(([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9])$"
)
TIPO_CAMBIO_PATTERN = re.compile(r"^[0-9]{1,18}(\.[0-9]{1,6})?$")

# Fecha is wall-clock time at LugarExpedicion, in the zone c_CodigoPostal gives it. For a postal
# code outside the catalog (CFDI40126 reports it) the zones span UTC-5 (Quintana Roo) to UTC-8
# (Baja California in winter): judging "future" with the easternmost offset and "too old" with the
# most favourable one never rejects a correct Fecha.
EASTERNMOST = timezone(timedelta(hours=-5))
WESTERNMOST = timezone(timedelta(hours=-8))


def _instants(fecha: datetime, lugar: str | None = None) -> tuple[datetime, datetime]:
    """The earliest and latest UTC instants a local Fecha can denote at LugarExpedicion."""
    if fecha.tzinfo is not None:
        return fecha, fecha
    if lugar and store.exists("c_CodigoPostal", lugar):
        exact = fecha.replace(tzinfo=husos.zone(lugar))
        return exact, exact
    return fecha.replace(tzinfo=EASTERNMOST), fecha.replace(tzinfo=WESTERNMOST)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=EASTERNMOST)


@rule("CFDI40101")
def fecha_pattern(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    raw = doc.get("Fecha")
    # satcfdi writes a datetime to whole seconds, without zone: judge what lands in the XML.
    written = raw.replace(tzinfo=None, microsecond=0).isoformat() if isinstance(raw, datetime) else text(raw) or ""
    if not FECHA_PATTERN.match(written):
        yield Finding(f"Fecha {show(written)} is not AAAA-MM-DDThh:mm:ss (whole seconds, years 2010-2099).")


@rule("CFDI40101")
def fecha_in_stamping_window(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    if doc.fecha is None:
        return
    earliest, latest = _instants(doc.fecha, text(doc.get("LugarExpedicion")))
    now = _aware(ctx.now)
    if earliest > now + ctx.clock_skew:
        yield Finding(f"Fecha {doc.fecha.isoformat()} is in the future; it must be the local time of issue.")
    elif latest < now - ctx.max_age:
        hours = int(ctx.max_age.total_seconds() // 3600)
        yield Finding(
            f"Fecha {doc.fecha.isoformat()} is more than {hours} hours old; PACs refuse to stamp it (their code 401)."
        )


@rule("CFDI40106")
def certificate_valid_at_fecha(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    if doc.fecha is None:
        return
    earliest, latest = _instants(doc.fecha, text(doc.get("LugarExpedicion")))
    if ctx.cert_not_after is not None and earliest > _aware(ctx.cert_not_after):
        yield Finding(f"The CSD expired on {ctx.cert_not_after.isoformat()}, before Fecha {doc.fecha.isoformat()}.")
    if ctx.cert_not_before is not None and latest < _aware(ctx.cert_not_before):
        yield Finding(f"The CSD is valid only from {ctx.cert_not_before.isoformat()}, after Fecha.")


@rule("CFDI40106")
def certificate_belongs_to_emisor(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    rfc = text(doc.emisor.get("Rfc"))
    if ctx.cert_rfc is not None and rfc is not None and ctx.cert_rfc.upper() != rfc.upper():
        yield Finding(f"The CSD belongs to RFC {ctx.cert_rfc}, not to the issuer {rfc}.", field="team.tax_id")


@rule("CFDI40103")
def forma_pago_absent_for_t_n_p(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    forma = text(doc.get("FormaPago"))
    if doc.tipo in ("T", "N", "P") and forma is not None:
        yield Finding(f"A type {doc.tipo} CFDI must not have FormaPago (found {forma!r}).")


@rule("CFDI40104")
def forma_pago_in_catalog(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    forma = text(doc.get("FormaPago"))
    if forma is not None and not in_catalog("c_FormaPago", forma, doc.on):
        yield Finding(f"FormaPago {forma!r} is not a c_FormaPago key in force.")


@rule("CFDI40105")
def ppd_requires_99(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    if text(doc.get("MetodoPago")) == "PPD" and doc.tipo in ("I", "E") and text(doc.get("FormaPago")) != "99":
        forma = text(doc.get("FormaPago"))
        yield Finding(f"MetodoPago is PPD, so FormaPago must be 99 (found {forma or 'none'}).")


@rule("CFDI40113")
def moneda_in_catalog(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    if not in_catalog("c_Moneda", doc.moneda, doc.on):
        yield Finding(f"Moneda {show(doc.moneda)} is not in c_Moneda.")


@rule("CFDI40114")
def mxn_tipo_cambio_is_one(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    tipo_cambio = dec(doc.get("TipoCambio"))
    if doc.moneda == "MXN" and doc.get("TipoCambio") is not None and tipo_cambio != 1:
        yield Finding(f"Moneda is MXN, so TipoCambio must be 1 or absent (found {doc.get('TipoCambio')}).")


@rule("CFDI40115")
def foreign_requires_tipo_cambio(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    if doc.moneda not in (None, "MXN", "XXX") and doc.get("TipoCambio") in (None, ""):
        yield Finding(f"Moneda is {doc.moneda}, so TipoCambio (MXN per {doc.moneda}) is required.")


@rule("CFDI40116")
def xxx_without_tipo_cambio(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    if doc.moneda == "XXX" and doc.get("TipoCambio") not in (None, ""):
        yield Finding("Moneda is XXX, so TipoCambio must be absent.")


@rule("CFDI40117")
def tipo_cambio_pattern(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    raw = doc.get("TipoCambio")
    if raw in (None, ""):
        return
    value = dec(raw)
    written = fmt(value) if value is not None else str(raw)
    if value is None or not TIPO_CAMBIO_PATTERN.match(written) or value <= 0:
        yield Finding(f"TipoCambio {written!r} must be a positive number with up to 6 decimals.")


@rule("CFDI40118")
def tipo_cambio_within_limits(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    value = dec(doc.get("TipoCambio"))
    limits = ctx.exchange_rate_limits.get(doc.moneda or "")
    if value is None or limits is None or text(doc.get("Confirmacion")):
        return
    low, high = limits
    if not low <= value <= high:
        yield Finding(
            f"TipoCambio {fmt(value)} is outside the accepted range {fmt(low)}-{fmt(high)} for "
            f"{doc.moneda}; it needs a Confirmacion key."
        )


@rule("CFDI40121")
def tipo_in_catalog(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    if not in_catalog("c_TipoDeComprobante", doc.tipo, doc.on):
        yield Finding(f"TipoDeComprobante {show(doc.tipo)} is not in c_TipoDeComprobante.")


@rule("CFDI40122")
def exportacion_02_requires_cce(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    if text(doc.get("Exportacion")) == "02" and not doc.has_complement("ComercioExterior"):
        yield Finding("Exportacion is 02 but the Comercio Exterior complement is missing.")


@rule("CFDI40123")
def exportacion_in_catalog(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    exportacion = text(doc.get("Exportacion"))
    if not in_catalog("c_Exportacion", exportacion, doc.on):
        yield Finding(f"Exportacion {show(exportacion)} is not a c_Exportacion key in force.")


@rule("CFDI40222")
def no_cce_for_exportacion_01_03(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    exportacion = text(doc.get("Exportacion"))
    if exportacion in ("01", "03") and doc.has_complement("ComercioExterior"):
        yield Finding(f"Exportacion is {exportacion}; the Comercio Exterior complement must not be present.")


@rule("CFDI40124")
def metodo_pago_in_catalog(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    metodo = text(doc.get("MetodoPago"))
    if metodo is not None and not in_catalog("c_MetodoPago", metodo, doc.on):
        yield Finding(f"MetodoPago {metodo!r} is not PUE or PPD.")


@rule("CFDI40125")
def metodo_pago_absent_for_t_p(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    if doc.tipo in ("T", "P") and text(doc.get("MetodoPago")) is not None:
        yield Finding(f"A type {doc.tipo} CFDI must not have MetodoPago.")


@rule("CFDI40126")
def lugar_expedicion_in_catalog(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    lugar = text(doc.get("LugarExpedicion"))
    if not in_catalog("c_CodigoPostal", lugar, doc.on):
        yield Finding(f"LugarExpedicion {show(lugar)} is not a postal code of c_CodigoPostal.")
