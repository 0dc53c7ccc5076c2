"""A concept's Traslados and Retenciones: catalogs, factor rules, rates, amount tolerance,
ObjetoImp 06/07/08 and the RESICO withholding rules."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from ...catalogs import store
from ..money import tax_bounds
from ._common import amount, in_catalog
from ._doc import Doc
from ._values import Node, child, decimals, fmt, nodes, persona, text
from .context import RuleContext
from .registry import Finding, rule

Kind = Literal["Traslados", "Retenciones"]
SINGULAR = {"Traslados": "Traslado", "Retenciones": "Retencion"}
IMPUESTO_FLAG = {"Traslados": "traslado", "Retenciones": "retencion"}
REQUEST_ATTRIBUTE = {"Impuesto": "type", "TipoFactor": "factor", "TasaOCuota": "rate", "Base": "", "Importe": ""}
RESICO = "626"
ISR, IVA, IEPS = "001", "002", "003"
RESICO_ISR_RATE = Decimal("0.012500")


@dataclass(frozen=True, slots=True)
class Tax:
    concept: int
    kind: Kind
    index: int
    node: Node

    @property
    def impuesto(self) -> str | None:
        return text(self.node.get("Impuesto"))

    @property
    def factor(self) -> str | None:
        return text(self.node.get("TipoFactor"))

    def finding(self, doc: Doc, attribute: str, message: str) -> Finding:
        single = SINGULAR[self.kind]
        return Finding(
            message,
            field=doc.tax_field(self.concept, self.kind, self.index, REQUEST_ATTRIBUTE[attribute]),
            location=f"Conceptos[{self.concept}].Impuestos.{self.kind}.{single}[{self.index}].{attribute}",
        )


def concept_taxes(doc: Doc, kind: Kind) -> list[Tax]:
    """Every concept's transferred or withheld taxes (listed once per document: a dozen rules walk them)."""
    return doc.memo(f"concept_taxes:{kind}", lambda: [
        Tax(i, kind, j, node) for i, concepto in enumerate(doc.conceptos)
        for impuestos in (child(concepto, "Impuestos"),)
        for j, node in enumerate(nodes(impuestos.get(kind) if impuestos else None))])


def _label(kind: Kind) -> str:
    return "transferred" if kind == "Traslados" else "withheld"


def _base_positive(doc: Doc, kind: Kind) -> Iterator[Finding]:
    for tax in concept_taxes(doc, kind):
        base = amount(tax.node, "Base")
        if base is None or base <= 0:
            yield tax.finding(doc, "Base", f"The {_label(kind)} tax's Base {fmt(base)} must be greater than 0.")


def _impuesto_in_catalog(doc: Doc, kind: Kind) -> Iterator[Finding]:
    for tax in concept_taxes(doc, kind):
        row = store.get("c_Impuesto", tax.impuesto) if tax.impuesto else None
        if row is None or row[IMPUESTO_FLAG[kind]] != "Sí" or not in_catalog("c_Impuesto", tax.impuesto, doc.on):
            yield tax.finding(
                doc, "Impuesto", f"Impuesto {tax.impuesto!r} is not a c_Impuesto key that can be {_label(kind)}."
            )


def _factor_in_catalog(doc: Doc, kind: Kind) -> Iterator[Finding]:
    for tax in concept_taxes(doc, kind):
        if not in_catalog("c_TipoFactor", tax.factor, doc.on):
            yield tax.finding(doc, "TipoFactor", f"TipoFactor {tax.factor!r} is not Tasa, Cuota or Exento.")


def _rate_allowed(doc: Doc, kind: Kind) -> Iterator[Finding]:
    for tax in concept_taxes(doc, kind):
        rate = amount(tax.node, "TasaOCuota")
        if rate is None or tax.factor not in ("Tasa", "Cuota") or tax.impuesto not in (ISR, IVA, IEPS):
            continue
        if not store.tasa_o_cuota_allowed(tax.impuesto, tax.factor, rate, kind == "Traslados", doc.on):  # type: ignore[arg-type]
            yield tax.finding(
                doc,
                "TasaOCuota",
                f"TasaOCuota {fmt(rate)} is not in c_TasaOCuota for {tax.impuesto} {tax.factor} ({_label(kind)}).",
            )


def _importe_within_bounds(doc: Doc, kind: Kind) -> Iterator[Finding]:
    for tax in concept_taxes(doc, kind):
        base, rate, importe = (amount(tax.node, k) for k in ("Base", "TasaOCuota", "Importe"))
        if base is None or rate is None or importe is None or tax.factor == "Exento":
            continue
        low, high = tax_bounds(base, rate, max(doc.currency_decimals or 0, decimals(importe)))
        if not low <= importe <= high:
            yield tax.finding(
                doc,
                "Importe",
                f"Importe {fmt(importe)} is not Base x TasaOCuota ({fmt(base)} x {fmt(rate)}): "
                f"accepted {fmt(low)}-{fmt(high)}.",
            )


@rule("CFDI40174")
def traslado_base_positive(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    return _base_positive(doc, "Traslados")


@rule("CFDI40175")
def traslado_impuesto_in_catalog(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    return _impuesto_in_catalog(doc, "Traslados")


@rule("CFDI40176")
def traslado_factor_in_catalog(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    return _factor_in_catalog(doc, "Traslados")


@rule("CFDI40177")
def exento_without_rate_or_importe(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    for tax in concept_taxes(doc, "Traslados"):
        if tax.factor == "Exento" and (tax.node.get("TasaOCuota") is not None or tax.node.get("Importe") is not None):
            yield tax.finding(doc, "TipoFactor", "An Exento tax must not have TasaOCuota or Importe.")


@rule("CFDI40178")
def tasa_cuota_with_rate_and_importe(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    for tax in concept_taxes(doc, "Traslados"):
        if tax.factor in ("Tasa", "Cuota") and (tax.node.get("TasaOCuota") is None or tax.node.get("Importe") is None):
            yield tax.finding(doc, "TipoFactor", f"A {tax.factor} tax needs both TasaOCuota and Importe.")


@rule("CFDI40179")
def traslado_rate_allowed(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    return _rate_allowed(doc, "Traslados")


@rule("CFDI40180")
def traslado_importe_within_bounds(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    return _importe_within_bounds(doc, "Traslados")


@rule("CFDI40181")
def retencion_base_positive(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    return _base_positive(doc, "Retenciones")


@rule("CFDI40182")
def retencion_impuesto_in_catalog(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    return _impuesto_in_catalog(doc, "Retenciones")


@rule("CFDI40183")
def retencion_factor_in_catalog(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    return _factor_in_catalog(doc, "Retenciones")


@rule("CFDI40184")
def retencion_not_exento(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    for tax in concept_taxes(doc, "Retenciones"):
        if tax.factor == "Exento":
            yield tax.finding(doc, "TipoFactor", "A withheld tax cannot be Exento.")


@rule("CFDI40185")
def retencion_rate_allowed(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    return _rate_allowed(doc, "Retenciones")


@rule("CFDI40186")
def retencion_importe_within_bounds(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    return _importe_within_bounds(doc, "Retenciones")


def _resico_to_moral(doc: Doc) -> bool:
    """A RESICO individual invoicing a company: the case of SAT's ISR 1.25% withholding rules."""
    return (
        text(doc.emisor.get("RegimenFiscal")) == RESICO
        and persona(text(doc.emisor.get("Rfc"))) == "fisica"
        and persona(text(doc.receptor.get("Rfc"))) == "moral"
    )


@rule("CFDI140224")
def resico_mark_1_without_isr(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    if ctx.emisor_marca_retencion != 1 or not _resico_to_moral(doc):
        return
    for tax in concept_taxes(doc, "Retenciones"):
        if tax.impuesto == ISR:
            yield tax.finding(
                doc, "Impuesto", "The issuer's SAT retention mark is 1: concepts must not withhold ISR (001)."
            )


@rule("CFDI140225")
def resico_mark_2_with_isr(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    if ctx.emisor_marca_retencion != 2 or not _resico_to_moral(doc):
        return
    for i, concepto in enumerate(doc.conceptos):
        impuestos = child(concepto, "Impuestos")
        retenciones = nodes(impuestos.get("Retenciones") if impuestos else None)
        if not any(text(r.get("Impuesto")) == ISR and amount(r, "TasaOCuota") == RESICO_ISR_RATE for r in retenciones):
            yield Finding(
                "The issuer's SAT retention mark is 2: each concept must withhold ISR (001) at 0.012500.",
                field=f"items[{i}].taxes",
                location=f"Conceptos[{i}].Impuestos.Retenciones",
            )


def _impuestos_of(concepto: Node) -> list[tuple[str, str | None]]:
    impuestos = child(concepto, "Impuestos")
    found: list[tuple[str, str | None]] = []
    for kind in ("Traslados", "Retenciones"):
        found.extend((kind, text(n.get("Impuesto"))) for n in nodes(impuestos.get(kind) if impuestos else None))
    return found


@rule("CFDI140226")
def objeto_06_08_without_iva_ieps(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    for i, concepto in enumerate(doc.conceptos):
        objeto = text(concepto.get("ObjetoImp"))
        if objeto in ("06", "08") and any(imp in (IVA, IEPS) for _, imp in _impuestos_of(concepto)):
            yield Finding(
                f"ObjetoImp {objeto}: the concept must not carry IVA or IEPS.",
                field=f"items[{i}].taxes",
                location=f"Conceptos[{i}].Impuestos",
            )


@rule("CFDI140227")
def objeto_07_ieps_without_iva(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    for i, concepto in enumerate(doc.conceptos):
        if text(concepto.get("ObjetoImp")) != "07":
            continue
        taxes = _impuestos_of(concepto)
        if any(imp == IVA for _, imp in taxes) or ("Traslados", IEPS) not in taxes:
            yield Finding(
                "ObjetoImp 07: the concept must transfer IEPS (003) and carry no IVA.",
                field=f"items[{i}].taxes",
                location=f"Conceptos[{i}].Impuestos",
            )
