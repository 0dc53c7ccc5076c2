"""ImpuestosDR, the taxes of each paid invoice in its currency: CRP20249-CRP20261 (ImpuestosP, their summary per
payment, in `impuestos_p`), and the c_Impuesto / c_TasaOCuota checks both use."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from ....catalogs import store
from ...money import tax_bounds
from .._common import amount, in_catalog, traslado_key
from .._doc import Doc
from .._values import Node, decimals, fmt, nodes, present, text
from ..context import RuleContext
from ..registry import Finding, rule
from ._pagos import Docto, doctos

Kind = Literal["TrasladosDR", "RetencionesDR"]
FLAG = {"TrasladosDR": "traslado", "RetencionesDR": "retencion", "TrasladosP": "traslado", "RetencionesP": "retencion"}


@dataclass(frozen=True, slots=True)
class TaxDR:
    docto: Docto
    kind: Kind
    index: int
    node: Node

    def finding(self, attribute: str, message: str) -> Finding:
        single = "TrasladoDR" if self.kind == "TrasladosDR" else "RetencionDR"
        offset = (
            len(nodes(self.docto.impuestos.get("TrasladosDR")))
            if self.kind == "RetencionesDR" and self.docto.impuestos
            else 0
        )
        return Finding(
            message,
            field=self.docto.field(f"taxes[{offset + self.index}]"),
            location=self.docto.location(f"ImpuestosDR.{self.kind}.{single}[{self.index}].{attribute}"),
        )


def taxes_dr(doc: Doc, kind: Kind) -> Iterator[TaxDR]:
    for d in doctos(doc):
        for j, node in enumerate(nodes(d.impuestos.get(kind) if d.impuestos else None)):
            yield TaxDR(d, kind, j, node)


def label(kind: str) -> str:
    """How a message names a tax of `kind` (TrasladosDR, RetencionesP, ...)."""
    return "transferred" if kind.startswith("Traslados") else "withheld"


def impuesto_ok(impuesto: str | None, kind: str, doc: Doc) -> bool:
    """Whether `impuesto` is a c_Impuesto key in force that can be transferred or withheld as `kind` says."""
    row = store.get("c_Impuesto", impuesto) if impuesto else None
    return row is not None and row[FLAG[kind]] == "Sí" and in_catalog("c_Impuesto", impuesto, doc.on)


def rate_ok(impuesto: str | None, factor: str | None, rate: Decimal | None, traslado: bool, doc: Doc) -> bool:
    """Whether c_TasaOCuota allows `rate` for the tax and factor (True when another rule reports the parts)."""
    if rate is None or factor not in ("Tasa", "Cuota") or impuesto not in ("001", "002", "003"):
        return True  # other codes report missing/invalid parts
    return store.tasa_o_cuota_allowed(impuesto, factor, rate, traslado, doc.on)  # type: ignore[arg-type]


def _dr_rules(kind: Kind, base: str, impuesto: str, factor: str, rate: str, importe: str) -> None:
    """Register the five per-tax rules SAT repeats for RetencionDR and TrasladoDR."""

    @rule(base, scope="pagos")
    def base_positive(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
        for tax in taxes_dr(doc, kind):
            value = amount(tax.node, "BaseDR")
            if value is None or value <= 0:
                yield tax.finding("BaseDR", f"The {label(kind)} tax's BaseDR {fmt(value)} must be greater than 0.")

    @rule(impuesto, scope="pagos")
    def impuesto_in_catalog(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
        for tax in taxes_dr(doc, kind):
            code = text(tax.node.get("ImpuestoDR"))
            if not impuesto_ok(code, kind, doc):
                yield tax.finding(
                    "ImpuestoDR", f"ImpuestoDR {code!r} is not a c_Impuesto key that can be {label(kind)}."
                )

    @rule(factor, scope="pagos")
    def factor_in_catalog(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
        for tax in taxes_dr(doc, kind):
            value = text(tax.node.get("TipoFactorDR"))
            if not in_catalog("c_TipoFactor", value, doc.on):
                yield tax.finding("TipoFactorDR", f"TipoFactorDR {value!r} is not Tasa, Cuota or Exento.")

    @rule(rate, scope="pagos")
    def rate_allowed(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
        for tax in taxes_dr(doc, kind):
            key = traslado_key(tax.node, "DR")
            if not rate_ok(key[0], key[1], key[2], kind == "TrasladosDR", doc):
                yield tax.finding(
                    "TasaOCuotaDR", f"TasaOCuotaDR {fmt(key[2])} is not in c_TasaOCuota for {key[0]} {key[1]}."
                )

    @rule(importe, scope="pagos")
    def importe_within_bounds(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
        for tax in taxes_dr(doc, kind):
            base_dr, rate_dr, importe_dr = (amount(tax.node, k) for k in ("BaseDR", "TasaOCuotaDR", "ImporteDR"))
            if base_dr is None or rate_dr is None or importe_dr is None:
                continue
            low, high = tax_bounds(base_dr, rate_dr, max(tax.docto.decimals or 0, decimals(importe_dr)))
            if not low <= importe_dr <= high:
                yield tax.finding(
                    "ImporteDR",
                    f"ImporteDR {fmt(importe_dr)} is not BaseDR x TasaOCuotaDR: accepted {fmt(low)}-{fmt(high)}.",
                )


_dr_rules("RetencionesDR", "CRP20249", "CRP20250", "CRP20251", "CRP20253", "CRP20254")
_dr_rules("TrasladosDR", "CRP20255", "CRP20256", "CRP20257", "CRP20260", "CRP20261")


@rule("CRP20252", scope="pagos")
def retencion_dr_not_exento(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    for tax in taxes_dr(doc, "RetencionesDR"):
        if text(tax.node.get("TipoFactorDR")) == "Exento":
            yield tax.finding("TipoFactorDR", "A withheld tax cannot be Exento.")


@rule("CRP20258", scope="pagos")
def exento_dr_without_rate(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    for tax in taxes_dr(doc, "TrasladosDR"):
        if text(tax.node.get("TipoFactorDR")) == "Exento" and (
            present(tax.node, "TasaOCuotaDR") or present(tax.node, "ImporteDR")
        ):
            yield tax.finding("TipoFactorDR", "An Exento TrasladoDR must not have TasaOCuotaDR or ImporteDR.")


@rule("CRP20259", scope="pagos")
def tasa_dr_with_rate(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    for tax in taxes_dr(doc, "TrasladosDR"):
        factor = text(tax.node.get("TipoFactorDR"))
        if factor in ("Tasa", "Cuota") and not (present(tax.node, "TasaOCuotaDR") and present(tax.node, "ImporteDR")):
            yield tax.finding("TipoFactorDR", f"A {factor} TrasladoDR needs both TasaOCuotaDR and ImporteDR.")
