"""The document's Impuestos summary: totals, decimals, and equality with the concepts' taxes
grouped as SAT says (Retenciones by Impuesto; Traslados by Impuesto + TipoFactor + TasaOCuota)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from decimal import Decimal

from ...catalogs import store
from ._common import TrasladoKey, amount, in_catalog, rounded_equal, too_many_decimals, traslado_key
from ._doc import Doc
from ._values import Node, dec, fmt, nodes, present, text
from .concepto_impuestos import concept_taxes
from .context import RuleContext
from .registry import Finding, rule

ZERO = Decimal(0)


def _retenciones(doc: Doc) -> list[Node]:
    return nodes(doc.impuestos.get("Retenciones")) if doc.impuestos else []


def _traslados(doc: Doc) -> list[Node]:
    return nodes(doc.impuestos.get("Traslados")) if doc.impuestos else []


def _loc(kind: str, i: int, attribute: str) -> str:
    single = "Traslado" if kind == "Traslados" else "Retencion"
    return f"Impuestos.{kind}.{single}[{i}].{attribute}"


def _places(doc: Doc) -> int:
    return doc.currency_decimals if doc.currency_decimals is not None else 6


@rule("CFDI40201")
def no_impuestos_for_t_p(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    if doc.tipo in ("T", "P") and doc.impuestos:
        yield Finding(f"A type {doc.tipo} CFDI must not have the Impuestos node.")


@rule("CFDI40202")
def total_retenidos_decimals(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    total = amount(doc.impuestos, "TotalImpuestosRetenidos")
    if message := too_many_decimals("TotalImpuestosRetenidos", total, doc.currency_decimals, doc.moneda):
        yield Finding(message)


@rule("CFDI40203")
def total_retenidos_is_sum(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    total = amount(doc.impuestos, "TotalImpuestosRetenidos")
    if total is None:
        return
    exact = sum((amount(r, "Importe") or ZERO for r in _retenciones(doc)), ZERO)
    if total != exact:
        yield Finding(f"TotalImpuestosRetenidos {fmt(total)} is not the sum of the Retencion amounts ({fmt(exact)}).")


@rule("CFDI40204")
def total_trasladados_decimals(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    total = amount(doc.impuestos, "TotalImpuestosTrasladados")
    if message := too_many_decimals("TotalImpuestosTrasladados", total, doc.currency_decimals, doc.moneda):
        yield Finding(message)


@rule("CFDI40205")
def total_trasladados_is_sum(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    total = amount(doc.impuestos, "TotalImpuestosTrasladados")
    if total is None:
        return
    exact = sum((amount(t, "Importe") or ZERO for t in _traslados(doc)), ZERO)
    if total != exact:
        yield Finding(f"TotalImpuestosTrasladados {fmt(total)} is not the sum of the Traslado amounts ({fmt(exact)}).")


@rule("CFDI40206")
def retenciones_need_total(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    if _retenciones(doc) and not present(doc.impuestos, "TotalImpuestosRetenidos"):
        yield Finding("The document has Retenciones but no TotalImpuestosRetenidos.")


@rule("CFDI40207")
def retencion_impuesto_in_catalog(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    for i, node in enumerate(_retenciones(doc)):
        impuesto = text(node.get("Impuesto"))
        row = store.get("c_Impuesto", impuesto) if impuesto else None
        if row is None or row["retencion"] != "Sí" or not in_catalog("c_Impuesto", impuesto, doc.on):
            yield Finding(
                f"Impuesto {impuesto!r} is not a c_Impuesto key that can be withheld.",
                location=_loc("Retenciones", i, "Impuesto"),
            )


@rule("CFDI40208")
def one_retencion_per_impuesto(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    counts = Counter(text(n.get("Impuesto")) for n in _retenciones(doc))
    for impuesto, count in counts.items():
        if count > 1:
            yield Finding(f"Impuesto {impuesto} appears {count} times in the document's Retenciones.")


@rule("CFDI40209")
def retencion_importe_needs_total(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    if present(doc.impuestos, "TotalImpuestosRetenidos"):
        return
    for i, node in enumerate(_retenciones(doc)):
        if present(node, "Importe"):
            yield Finding(
                "A Retencion has an Importe but TotalImpuestosRetenidos is missing.",
                location=_loc("Retenciones", i, "Importe"),
            )


@rule("CFDI40210")
def retencion_importe_decimals(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    for i, node in enumerate(_retenciones(doc)):
        importe = amount(node, "Importe")
        if message := too_many_decimals("Retencion Importe", importe, doc.currency_decimals, doc.moneda):
            yield Finding(message, location=_loc("Retenciones", i, "Importe"))


@rule("CFDI40211")
def retencion_importe_is_concept_sum(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    sums: dict[str | None, Decimal] = defaultdict(lambda: ZERO)
    for tax in concept_taxes(doc, "Retenciones"):
        sums[tax.impuesto] += amount(tax.node, "Importe") or ZERO
    declared = {text(n.get("Impuesto")): (i, amount(n, "Importe")) for i, n in enumerate(_retenciones(doc))}
    for impuesto in sums.keys() | declared.keys():
        i, importe = declared.get(impuesto, (None, None))
        exact = sums.get(impuesto, ZERO)
        if importe is None or not rounded_equal(importe, exact, _places(doc)):
            where = _loc("Retenciones", i, "Importe") if i is not None else "Impuestos.Retenciones"
            yield Finding(
                f"Withheld {impuesto}: document Importe {fmt(importe)}, concepts withhold {fmt(exact)}.", location=where
            )


def _concept_traslados(doc: Doc) -> dict[TrasladoKey, tuple[Decimal, Decimal]]:
    """(sum of Base, sum of Importe) of the concepts' Traslados per SAT's grouping key."""
    sums: dict[TrasladoKey, tuple[Decimal, Decimal]] = defaultdict(lambda: (ZERO, ZERO))
    for tax in concept_taxes(doc, "Traslados"):
        base, importe = sums[traslado_key(tax.node)]
        sums[traslado_key(tax.node)] = (
            base + (amount(tax.node, "Base") or ZERO),
            importe + (amount(tax.node, "Importe") or ZERO),
        )
    return sums


@rule("CFDI40212")
def traslados_need_total(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    taxed = any(tax.factor != "Exento" for tax in concept_taxes(doc, "Traslados")) or any(
        text(t.get("TipoFactor")) != "Exento" for t in _traslados(doc)
    )
    if taxed and not present(doc.impuestos, "TotalImpuestosTrasladados"):
        yield Finding("Concepts transfer non-exempt taxes but TotalImpuestosTrasladados is missing.")


@rule("CFDI40213")
def exento_traslado_only_base(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    for i, node in enumerate(_traslados(doc)):
        if text(node.get("TipoFactor")) == "Exento" and (present(node, "TasaOCuota") or present(node, "Importe")):
            yield Finding(
                "An Exento Traslado may only have Base, Impuesto and TipoFactor.",
                location=_loc("Traslados", i, "TipoFactor"),
            )


@rule("CFDI40214")
def traslado_base_decimals(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    for i, node in enumerate(_traslados(doc)):
        base = amount(node, "Base")
        if message := too_many_decimals("Traslado Base", base, doc.currency_decimals, doc.moneda):
            yield Finding(message, location=_loc("Traslados", i, "Base"))


def _traslado_sum_mismatches(doc: Doc, exento: bool, attribute: str, position: int) -> Iterator[Finding]:
    sums = _concept_traslados(doc)
    declared = {traslado_key(n): (i, amount(n, attribute)) for i, n in enumerate(_traslados(doc))}
    for key in sums.keys() | declared.keys():
        if (key[1] == "Exento") != exento:
            continue
        i, value = declared.get(key, (None, None))
        exact = sums[key][position] if key in sums else ZERO
        if value is None or not rounded_equal(value, exact, _places(doc)):
            where = _loc("Traslados", i, attribute) if i is not None else "Impuestos.Traslados"
            label = " ".join(str(k) for k in key if k is not None)
            yield Finding(
                f"Traslado {label}: document {attribute} {fmt(value)}, concepts sum {fmt(exact)}.", location=where
            )


@rule("CFDI40215")
def traslado_base_is_concept_sum(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    return _traslado_sum_mismatches(doc, exento=False, attribute="Base", position=0)


@rule("CFDI40216")
def exento_base_is_concept_sum(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    return _traslado_sum_mismatches(doc, exento=True, attribute="Base", position=0)


@rule("CFDI40217")
def traslado_impuesto_in_catalog(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    for i, node in enumerate(_traslados(doc)):
        impuesto = text(node.get("Impuesto"))
        row = store.get("c_Impuesto", impuesto) if impuesto else None
        if row is None or row["traslado"] != "Sí" or not in_catalog("c_Impuesto", impuesto, doc.on):
            yield Finding(
                f"Impuesto {impuesto!r} is not a c_Impuesto key that can be transferred.",
                location=_loc("Traslados", i, "Impuesto"),
            )


@rule("CFDI40218")
def one_traslado_per_combination(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    counts = Counter(traslado_key(n) for n in _traslados(doc))
    for key, count in counts.items():
        if count > 1:
            yield Finding(f"Traslado {' '.join(str(k) for k in key if k is not None)} appears {count} times.")


@rule("CFDI40219")
def traslado_rate_allowed(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    for i, node in enumerate(_traslados(doc)):
        impuesto, factor, rate = text(node.get("Impuesto")), text(node.get("TipoFactor")), dec(node.get("TasaOCuota"))
        if rate is None or factor not in ("Tasa", "Cuota") or impuesto not in ("001", "002", "003"):
            continue
        if not store.tasa_o_cuota_allowed(impuesto, factor, rate, True, doc.on):  # type: ignore[arg-type]
            yield Finding(
                f"TasaOCuota {fmt(rate)} is not in c_TasaOCuota for {impuesto} {factor}.",
                location=_loc("Traslados", i, "TasaOCuota"),
            )


@rule("CFDI40220")
def traslado_importe_decimals(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    for i, node in enumerate(_traslados(doc)):
        importe = amount(node, "Importe")
        if message := too_many_decimals("Traslado Importe", importe, doc.currency_decimals, doc.moneda):
            yield Finding(message, location=_loc("Traslados", i, "Importe"))


@rule("CFDI40221")
def traslado_importe_is_concept_sum(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    return _traslado_sum_mismatches(doc, exento=False, attribute="Importe", position=1)
