"""ImpuestosP, the summary of each payment's taxes in the payment's currency, and the Totales they require:
CRP20262-CRP20274."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from decimal import Decimal

from ...money import ceil, quantum, truncate
from .._common import TrasladoKey, amount, rounded_equal, traslado_key
from .._doc import Doc, currency_decimals
from .._values import Node, child, fmt, nodes, present, text
from ..context import RuleContext
from ..registry import Finding, rule
from ._pagos import Docto, pago_doctos, pago_location, pagos
from .impuestos import Kind, impuesto_ok, label, rate_ok

ZERO = Decimal(0)

IVA_BASE_TOTALS = (
    "TotalTrasladosBaseIVA16",
    "TotalTrasladosBaseIVA8",
    "TotalTrasladosBaseIVA0",
    "TotalTrasladosBaseIVAExento",
)
IVA_IMPUESTO_TOTALS = ("TotalTrasladosImpuestoIVA16", "TotalTrasladosImpuestoIVA8", "TotalTrasladosImpuestoIVA0")
RETENCION_TOTALS = ("TotalRetencionesIVA", "TotalRetencionesISR", "TotalRetencionesIEPS")


def _p_nodes(pago: Node, kind: str) -> list[Node]:
    impuestos = child(pago, "ImpuestosP")
    return nodes(impuestos.get(kind)) if impuestos else []


def _p_loc(p: int, kind: str, i: int | None, attribute: str) -> str:
    single = "TrasladoP" if kind == "TrasladosP" else "RetencionP"
    return pago_location(p, f"ImpuestosP.{kind}" + (f".{single}[{i}].{attribute}" if i is not None else ""))


def _converted_equal(value: Decimal, parts: list[tuple[Decimal, Decimal]], places: int) -> bool:
    """`value` (payment currency) against the DR amounts `parts` (amount, EquivalenciaDR).

    Same currency: the rounded sum. Converted amounts: each document's share may be rounded
    on its own, so one unit of the last decimal per document is tolerated.
    """
    exact = sum((a / e for a, e in parts), ZERO)
    if all(e == 1 for _, e in parts):
        return rounded_equal(value, exact, places)
    slack = quantum(places) * len(parts)
    return truncate(exact, places) - slack <= value <= ceil(exact, places) + slack


def _dr_parts(docs: list[Docto], kind: Kind, attribute: str) -> dict[TrasladoKey, list[tuple[Decimal, Decimal]]]:
    parts: dict[TrasladoKey, list[tuple[Decimal, Decimal]]] = defaultdict(list)
    for d in docs:
        equivalencia = d.equivalencia
        for node in nodes(d.impuestos.get(kind) if d.impuestos else None):
            key = traslado_key(node, "DR")
            if kind == "RetencionesDR":
                key = (key[0], None, None)  # withholdings are summarised by tax only
            value = amount(node, attribute)
            if value is not None and equivalencia:
                parts[key].append((value, equivalencia))
    return parts


def _sum_rule(code: str, kind_p: str, attribute: str, exento: bool | None) -> None:
    """Register: each ImpuestosP amount equals its documents' amounts converted to MonedaP."""
    kind_dr: Kind = "TrasladosDR" if kind_p == "TrasladosP" else "RetencionesDR"

    @rule(code, scope="pagos")
    def check(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
        for p, pago in enumerate(pagos(doc)):
            parts = _dr_parts(pago_doctos(doc, p), kind_dr, attribute + "DR")
            places = currency_decimals(text(pago.get("MonedaP"))) or 2
            declared: dict[TrasladoKey, tuple[int | None, Decimal | None]] = {}
            for n, node in enumerate(_p_nodes(pago, kind_p)):
                key = traslado_key(node, "P") if kind_p == "TrasladosP" else (text(node.get("ImpuestoP")), None, None)
                declared[key] = (n, amount(node, attribute + "P"))
            for key in parts.keys() | declared.keys():
                if exento is not None and (key[1] == "Exento") != exento:
                    continue
                i, value = declared.get(key, (None, None))
                if value is None or not _converted_equal(value, parts.get(key, []), places):
                    label = " ".join(str(k) for k in key if k is not None)
                    yield Finding(
                        f"{kind_p} {label}: {attribute}P {fmt(value)} differs from the paid invoices' {attribute}DR.",
                        location=_p_loc(p, kind_p, i, attribute + "P"),
                    )

    check.__name__ = f"{kind_p.lower()}_{attribute.lower()}_sum"


_sum_rule("CRP20265", "RetencionesP", "Importe", None)
_sum_rule("CRP20268", "TrasladosP", "Base", exento=False)
_sum_rule("CRP20269", "TrasladosP", "Base", exento=True)
_sum_rule("CRP20274", "TrasladosP", "Importe", exento=False)


def _p_catalog_rules(kind_p: str, impuesto_code: str, duplicate_code: str) -> None:
    @rule(impuesto_code, scope="pagos")
    def impuesto_in_catalog(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
        for p, pago in enumerate(pagos(doc)):
            for i, node in enumerate(_p_nodes(pago, kind_p)):
                code = text(node.get("ImpuestoP"))
                if not impuesto_ok(code, kind_p, doc):
                    yield Finding(
                        f"ImpuestoP {code!r} is not a c_Impuesto key that can be {label(kind_p)}.",
                        location=_p_loc(p, kind_p, i, "ImpuestoP"),
                    )

    @rule(duplicate_code, scope="pagos")
    def one_per_key(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
        for p, pago in enumerate(pagos(doc)):
            keys = [
                traslado_key(n, "P") if kind_p == "TrasladosP" else (text(n.get("ImpuestoP")), None, None)
                for n in _p_nodes(pago, kind_p)
            ]
            for key, count in Counter(keys).items():
                if count > 1:
                    yield Finding(
                        f"{kind_p} {' '.join(str(k) for k in key if k is not None)} appears {count} times.",
                        location=_p_loc(p, kind_p, None, ""),
                    )


_p_catalog_rules("RetencionesP", "CRP20262", "CRP20263")
_p_catalog_rules("TrasladosP", "CRP20270", "CRP20271")


@rule("CRP20266", scope="pagos")
def exento_p_only_base(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    for p, pago in enumerate(pagos(doc)):
        for i, node in enumerate(_p_nodes(pago, "TrasladosP")):
            if text(node.get("TipoFactorP")) == "Exento" and (
                present(node, "TasaOCuotaP") or present(node, "ImporteP")
            ):
                yield Finding(
                    "An Exento TrasladoP may only have BaseP, ImpuestoP and TipoFactorP.",
                    location=_p_loc(p, "TrasladosP", i, "TipoFactorP"),
                )


@rule("CRP20272", scope="pagos")
def traslado_p_rate_allowed(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    for p, pago in enumerate(pagos(doc)):
        for i, node in enumerate(_p_nodes(pago, "TrasladosP")):
            key = traslado_key(node, "P")
            if not rate_ok(key[0], key[1], key[2], True, doc):
                yield Finding(
                    f"TasaOCuotaP {fmt(key[2])} is not in c_TasaOCuota for {key[0]} {key[1]}.",
                    location=_p_loc(p, "TrasladosP", i, "TasaOCuotaP"),
                )


def _totales(doc: Doc) -> Node | None:
    return child(doc.pagos, "Totales") if doc.pagos else None


def _any_p(doc: Doc, kind_p: str, impuesto: str | None = None, exento: bool | None = None) -> bool:
    for pago in pagos(doc):
        for node in _p_nodes(pago, kind_p):
            if impuesto is not None and text(node.get("ImpuestoP")) != impuesto:
                continue
            if exento is not None and (text(node.get("TipoFactorP")) == "Exento") != exento:
                continue
            return True
    return False


@rule("CRP20264", scope="pagos")
def retenciones_need_a_total(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    totales = _totales(doc)
    if _any_p(doc, "RetencionesP") and not any(present(totales, k) for k in RETENCION_TOTALS):
        yield Finding(
            "Payments withhold taxes but Totales has no TotalRetencionesIVA/ISR/IEPS.", location="Pagos.Totales"
        )


@rule("CRP20267", scope="pagos")
def iva_needs_a_base_total(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    totales = _totales(doc)
    if _any_p(doc, "TrasladosP", impuesto="002") and not any(present(totales, k) for k in IVA_BASE_TOTALS):
        yield Finding(
            "Payments transfer IVA but Totales has no TotalTrasladosBaseIVA16/8/0/Exento.", location="Pagos.Totales"
        )


@rule("CRP20273", scope="pagos")
def iva_needs_an_impuesto_total(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    totales = _totales(doc)
    if _any_p(doc, "TrasladosP", impuesto="002", exento=False) and not any(
        present(totales, k) for k in IVA_IMPUESTO_TOTALS
    ):
        yield Finding(
            "Payments transfer non-exempt IVA but Totales has no TotalTrasladosImpuestoIVA16/8/0.",
            location="Pagos.Totales",
        )
