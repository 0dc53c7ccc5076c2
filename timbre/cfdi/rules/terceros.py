"""Concepto children: ACuentaTerceros (sales on behalf of a third party), Parte and
InformacionAduanera (import document numbers)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..money import importe_bounds
from ._common import amount, in_catalog
from ._doc import Doc
from ._values import RFC_PATTERN, Node, child, decimals, fmt, nodes, strings, text
from .context import RuleContext
from .registry import Finding, rule

RFC_TERCERO_EXTRANJERO = "EXT990101NI1"
NOMBRE_TERCERO_EXTRANJERO = (
    "EXPEDICIÓN DE CFDI POR RESIDENTES EN MÉXICO QUE PRESTAN SERVICIOS DE INTERMEDIACIÓN ENTRE TERCEROS "
    "A OFERENTES DE BIENES Y SERVICIOS RESIDENTES EN EL EXTRANJERO"
)
# Anexo 20: "AA  AA  PPPP  NNNNNNN" (two spaces between groups); AA = last two digits of the
# validation year, which may be the current year or up to ten years before.
PEDIMENTO_PATTERN = re.compile(r"^([0-9]{2})  [0-9]{2}  [0-9]{4}  [0-9]{7}$")
PEDIMENTO_YEARS_BACK = 10


def _terceros(doc: Doc) -> Iterator[tuple[int, Node]]:
    for i, concepto in enumerate(doc.conceptos):
        tercero = child(concepto, "ACuentaTerceros")
        if tercero is not None:
            yield i, tercero


def _where(i: int, attribute: str, request: str) -> dict[str, str]:
    return {"field": f"items[{i}].third_party.{request}", "location": f"Conceptos[{i}].ACuentaTerceros.{attribute}"}


@rule("CFDI40187")
def tercero_rfc_well_formed(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    for i, tercero in _terceros(doc):
        rfc = text(tercero.get("RfcACuentaTerceros")) or ""
        if rfc != RFC_TERCERO_EXTRANJERO and not RFC_PATTERN.match(rfc):
            yield Finding(
                f"Third-party RFC {rfc!r} is malformed, so it cannot be in SAT's list.",
                **_where(i, "RfcACuentaTerceros", "tax_id"),
            )


@rule("CFDI40188")
def tercero_differs_from_parties(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    parties = {text(doc.emisor.get("Rfc")), text(doc.receptor.get("Rfc"))}
    for i, tercero in _terceros(doc):
        rfc = text(tercero.get("RfcACuentaTerceros"))
        if rfc in parties:
            yield Finding(
                f"Third-party RFC {rfc} is the issuer's or the receiver's RFC.",
                **_where(i, "RfcACuentaTerceros", "tax_id"),
            )


@rule("CFDI40189")
def foreign_tercero_name(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    for i, tercero in _terceros(doc):
        nombre = text(tercero.get("NombreACuentaTerceros"))
        if text(tercero.get("RfcACuentaTerceros")) == RFC_TERCERO_EXTRANJERO and nombre != NOMBRE_TERCERO_EXTRANJERO:
            yield Finding(
                f"With RFC {RFC_TERCERO_EXTRANJERO} the third party's name must be SAT's fixed text, not {nombre!r}.",
                **_where(i, "NombreACuentaTerceros", "legal_name"),
            )


@rule("CFDI40191")
def tercero_regimen_in_catalog(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    for i, tercero in _terceros(doc):
        regimen = text(tercero.get("RegimenFiscalACuentaTerceros"))
        if not in_catalog("c_RegimenFiscal", regimen, doc.on):
            yield Finding(
                f"Third-party regime {regimen!r} is not in c_RegimenFiscal.",
                **_where(i, "RegimenFiscalACuentaTerceros", "tax_system"),
            )


@rule("CFDI40192")
def tercero_domicilio_exists(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    for i, tercero in _terceros(doc):
        codigo = text(tercero.get("DomicilioFiscalACuentaTerceros"))
        if not in_catalog("c_CodigoPostal", codigo, doc.on):
            yield Finding(
                f"Third-party postal code {codigo!r} is not in c_CodigoPostal.",
                **_where(i, "DomicilioFiscalACuentaTerceros", "zip"),
            )


@rule("CFDI40193")
def foreign_tercero_domicilio_is_lugar(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    lugar = text(doc.get("LugarExpedicion"))
    for i, tercero in _terceros(doc):
        codigo = text(tercero.get("DomicilioFiscalACuentaTerceros"))
        if text(tercero.get("RfcACuentaTerceros")) == RFC_TERCERO_EXTRANJERO and codigo != lugar:
            yield Finding(
                f"With RFC {RFC_TERCERO_EXTRANJERO} the third party's postal code must be LugarExpedicion {lugar}.",
                **_where(i, "DomicilioFiscalACuentaTerceros", "zip"),
            )


@rule("CFDI140223")
def foreign_tercero_regimen_616(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    for i, tercero in _terceros(doc):
        regimen = text(tercero.get("RegimenFiscalACuentaTerceros"))
        if text(tercero.get("RfcACuentaTerceros")) == RFC_TERCERO_EXTRANJERO and regimen != "616":
            yield Finding(
                f"With RFC {RFC_TERCERO_EXTRANJERO} the third party's regime must be 616, not {regimen}.",
                **_where(i, "RegimenFiscalACuentaTerceros", "tax_system"),
            )


def _pedimento_problem(numero: str, year: int) -> str | None:
    match = PEDIMENTO_PATTERN.match(numero)
    if match is None:
        return "is not 'AA  AA  PPPP  NNNNNNN' (15 digits in groups separated by two spaces)"
    validated = 2000 + int(match.group(1))
    if not year - PEDIMENTO_YEARS_BACK <= validated <= year:
        return f"starts with year {validated}, outside {year - PEDIMENTO_YEARS_BACK}-{year}"
    return None


def _pedimentos(doc: Doc) -> Iterator[tuple[str, str, str]]:
    """(number, location, field) of every NumeroPedimento, in concepts and in their parts."""
    for i, concepto in enumerate(doc.conceptos):
        for k, numero in enumerate(strings(concepto.get("InformacionAduanera"))):
            yield numero, f"Conceptos[{i}].InformacionAduanera[{k}]", f"items[{i}]"
        for j, parte in enumerate(nodes(concepto.get("Parte"))):
            for k, numero in enumerate(strings(parte.get("InformacionAduanera"))):
                yield numero, f"Conceptos[{i}].Parte[{j}].InformacionAduanera[{k}]", f"items[{i}]"


@rule("CFDI40194")
def pedimento_valid(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    for numero, location, field in _pedimentos(doc):
        if ".Parte[" not in location and (problem := _pedimento_problem(numero, doc.on.year)):
            yield Finding(f"NumeroPedimento {numero!r} {problem}.", field=field, location=location)


@rule("CFDI40199")
def parte_pedimento_valid(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    for numero, location, field in _pedimentos(doc):
        if ".Parte[" in location and (problem := _pedimento_problem(numero, doc.on.year)):
            yield Finding(f"NumeroPedimento {numero!r} {problem}.", field=field, location=location)


@rule("CFDI40195")
def no_pedimento_with_cce(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    if doc.has_complement("ComercioExterior"):
        for numero, location, field in _pedimentos(doc):
            if ".Parte[" not in location:
                yield Finding(
                    f"NumeroPedimento {numero} must not be used with Comercio Exterior.", field=field, location=location
                )


@rule("CFDI40200")
def no_parte_pedimento_with_cce(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    if doc.has_complement("ComercioExterior"):
        for numero, location, field in _pedimentos(doc):
            if ".Parte[" in location:
                yield Finding(
                    f"NumeroPedimento {numero} must not be used with Comercio Exterior.", field=field, location=location
                )


def _partes(doc: Doc) -> Iterator[tuple[int, int, Node]]:
    for i, concepto in enumerate(doc.conceptos):
        for j, parte in enumerate(nodes(concepto.get("Parte"))):
            yield i, j, parte


@rule("CFDI40196")
def parte_clave_in_catalog(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    for i, j, parte in _partes(doc):
        clave = text(parte.get("ClaveProdServ"))
        if not in_catalog("c_ClaveProdServ", clave, doc.on):
            yield Finding(
                f"Parte ClaveProdServ {clave!r} is not in c_ClaveProdServ.",
                field=f"items[{i}]",
                location=f"Conceptos[{i}].Parte[{j}].ClaveProdServ",
            )


@rule("CFDI40197")
def parte_valor_unitario_positive(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    for i, j, parte in _partes(doc):
        valor = amount(parte, "ValorUnitario")
        if parte.get("ValorUnitario") is not None and (valor is None or valor <= 0):
            yield Finding(
                f"Parte ValorUnitario {fmt(valor)} must be greater than 0.",
                field=f"items[{i}]",
                location=f"Conceptos[{i}].Parte[{j}].ValorUnitario",
            )


@rule("CFDI40198")
def parte_importe_within_bounds(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    for i, j, parte in _partes(doc):
        cantidad, valor, importe = (amount(parte, k) for k in ("Cantidad", "ValorUnitario", "Importe"))
        if cantidad is None or valor is None or importe is None:
            continue
        low, high = importe_bounds(cantidad, valor, max(doc.currency_decimals or 0, decimals(importe)))
        if not low <= importe <= high:
            yield Finding(
                f"Parte Importe {fmt(importe)} is not Cantidad x ValorUnitario: accepted {fmt(low)}-{fmt(high)}.",
                field=f"items[{i}]",
                location=f"Conceptos[{i}].Parte[{j}].Importe",
            )
