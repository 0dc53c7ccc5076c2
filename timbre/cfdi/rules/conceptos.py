"""Concepto attributes: catalog keys, unit price, Importe tolerance, Descuento, ObjetoImp."""

from __future__ import annotations

from collections.abc import Iterator

from ..money import importe_bounds
from ._common import amount, in_catalog
from ._doc import Doc
from ._values import child, decimals, fmt, nodes, text
from .context import RuleContext
from .registry import Finding, rule

OBJETO_CON_IMPUESTOS = "02"
OBJETO_SIN_DESGLOSE = frozenset({"01", "03", "04", "05"})


def _where(i: int, attribute: str, request: str) -> dict[str, str]:
    return {"field": f"items[{i}].{request}", "location": f"Conceptos[{i}].{attribute}"}


@rule("CFDI40162")
def clave_prod_serv_in_catalog(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    for i, concepto in enumerate(doc.conceptos):
        clave = text(concepto.get("ClaveProdServ"))
        if not in_catalog("c_ClaveProdServ", clave, doc.on):
            yield Finding(
                f"ClaveProdServ {clave!r} is not in c_ClaveProdServ.", **_where(i, "ClaveProdServ", "product_key")
            )


@rule("CFDI40165")
def clave_unidad_in_catalog(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    for i, concepto in enumerate(doc.conceptos):
        clave = text(concepto.get("ClaveUnidad"))
        if not in_catalog("c_ClaveUnidad", clave, doc.on):
            yield Finding(f"ClaveUnidad {clave!r} is not in c_ClaveUnidad.", **_where(i, "ClaveUnidad", "unit_key"))


@rule("CFDI40166")
def valor_unitario_positive(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    if doc.tipo not in ("I", "E", "N"):
        return
    for i, concepto in enumerate(doc.conceptos):
        valor = amount(concepto, "ValorUnitario")
        if valor is None or valor <= 0:
            yield Finding(
                f"ValorUnitario {fmt(valor)} must be greater than 0 in a type {doc.tipo} CFDI.",
                **_where(i, "ValorUnitario", "unit_price"),
            )


@rule("CFDI40167")
def importe_within_bounds(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    for i, concepto in enumerate(doc.conceptos):
        cantidad, valor, importe = (amount(concepto, k) for k in ("Cantidad", "ValorUnitario", "Importe"))
        if cantidad is None or valor is None:
            continue
        places = max(doc.currency_decimals or 0, decimals(importe) if importe is not None else 0)
        low, high = importe_bounds(cantidad, valor, places)
        if importe is None or not low <= importe <= high:
            yield Finding(
                f"Importe {fmt(importe)} is not Cantidad x ValorUnitario ({fmt(cantidad)} x {fmt(valor)}): "
                f"accepted {fmt(low)}-{fmt(high)}.",
                **_where(i, "Importe", "unit_price"),
            )


@rule("CFDI40168")
def descuento_decimals_within_importe(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    for i, concepto in enumerate(doc.conceptos):
        descuento, importe = amount(concepto, "Descuento"), amount(concepto, "Importe")
        if descuento is not None and importe is not None and decimals(descuento) > decimals(importe):
            yield Finding(
                f"Descuento {fmt(descuento)} has more decimals than Importe {fmt(importe)}.",
                **_where(i, "Descuento", "discount"),
            )


@rule("CFDI40169")
def descuento_not_above_importe(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    for i, concepto in enumerate(doc.conceptos):
        descuento, importe = amount(concepto, "Descuento"), amount(concepto, "Importe")
        if descuento is not None and importe is not None and descuento > importe:
            yield Finding(
                f"Descuento {fmt(descuento)} is greater than the concept's Importe {fmt(importe)}.",
                **_where(i, "Descuento", "discount"),
            )


@rule("CFDI40170")
def objeto_imp_in_catalog(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    for i, concepto in enumerate(doc.conceptos):
        objeto = text(concepto.get("ObjetoImp"))
        if not in_catalog("c_ObjetoImp", objeto, doc.on):
            yield Finding(
                f"ObjetoImp {objeto!r} is not a c_ObjetoImp key in force.", **_where(i, "ObjetoImp", "taxability")
            )


@rule("CFDI40171")
def objeto_02_has_impuestos(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    for i, concepto in enumerate(doc.conceptos):
        if text(concepto.get("ObjetoImp")) == OBJETO_CON_IMPUESTOS and child(concepto, "Impuestos") is None:
            yield Finding(
                "ObjetoImp is 02 (subject to tax) but the concept has no Impuestos.", **_where(i, "Impuestos", "taxes")
            )


@rule("CFDI40172")
def objeto_without_breakdown_has_no_impuestos(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    for i, concepto in enumerate(doc.conceptos):
        objeto = text(concepto.get("ObjetoImp"))
        if objeto in OBJETO_SIN_DESGLOSE and child(concepto, "Impuestos") is not None:
            yield Finding(
                f"ObjetoImp is {objeto}, so the concept must not have Impuestos.", **_where(i, "Impuestos", "taxes")
            )


@rule("CFDI40173")
def impuestos_not_empty(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    for i, concepto in enumerate(doc.conceptos):
        impuestos = child(concepto, "Impuestos")
        if impuestos is not None and not nodes(impuestos.get("Traslados")) and not nodes(impuestos.get("Retenciones")):
            yield Finding(
                "The concept's Impuestos has neither Traslados nor Retenciones.", **_where(i, "Impuestos", "taxes")
            )
