"""InformacionGlobal: the global invoice to the general public (periodicity, months, year)."""

from __future__ import annotations

from collections.abc import Iterator

from ._common import in_catalog
from ._doc import Doc
from ._values import PUBLICO_EN_GENERAL, RFC_PUBLICO_GENERAL, Node, child, text
from .context import RuleContext
from .registry import Finding, rule

BIMESTRAL = "05"
MONTHS = frozenset(f"{m:02d}" for m in range(1, 13))
BIMONTHS = frozenset(f"{m:02d}" for m in range(13, 19))
# SAT's CFDI40136 text: "el año en curso o ... hasta 5 ejercicios anteriores".
YEARS_BACK = 5


def _global(doc: Doc) -> Node | None:
    return child(doc.raw, "InformacionGlobal")


def _is_publico_general(doc: Doc) -> bool:
    nombre = (text(doc.receptor.get("Nombre")) or "").strip().upper()
    return text(doc.receptor.get("Rfc")) == RFC_PUBLICO_GENERAL and nombre == PUBLICO_EN_GENERAL


@rule("CFDI40130")
def global_node_iff_publico_general(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    node = _global(doc)
    if doc.tipo == "I" and _is_publico_general(doc) and node is None:
        yield Finding(
            "An income CFDI to XAXX010101000 / PUBLICO EN GENERAL is a global invoice and needs InformacionGlobal."
        )
    elif node is not None and not _is_publico_general(doc):
        yield Finding("InformacionGlobal is only for receiver XAXX010101000 named PUBLICO EN GENERAL.")


@rule("CFDI40131")
def periodicidad_in_catalog(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    node = _global(doc)
    if node is not None and not in_catalog("c_Periodicidad", text(node.get("Periodicidad")), doc.on):
        yield Finding(f"Periodicidad {text(node.get('Periodicidad'))!r} is not in c_Periodicidad.")


@rule("CFDI40132")
def bimestral_only_for_621(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    node = _global(doc)
    regimen = text(doc.emisor.get("RegimenFiscal"))
    if node is not None and text(node.get("Periodicidad")) == BIMESTRAL and regimen != "621":
        yield Finding(
            f"Periodicidad 05 (bimonthly) requires issuer regime 621, not {regimen}.", field="team.tax_system"
        )


@rule("CFDI40133")
def meses_in_catalog(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    node = _global(doc)
    if node is not None and not in_catalog("c_Meses", text(node.get("Meses")), doc.on):
        yield Finding(f"Meses {text(node.get('Meses'))!r} is not in c_Meses.")


@rule("CFDI40134")
def single_month_unless_bimestral(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    node = _global(doc)
    if node is None or text(node.get("Periodicidad")) == BIMESTRAL:
        return
    meses = text(node.get("Meses"))
    if meses not in MONTHS:
        yield Finding(f"Periodicidad {text(node.get('Periodicidad'))} needs a month 01-12 in Meses, not {meses!r}.")


@rule("CFDI40135")
def bimonth_when_bimestral(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    node = _global(doc)
    if node is None or text(node.get("Periodicidad")) != BIMESTRAL:
        return
    meses = text(node.get("Meses"))
    if meses not in BIMONTHS:
        yield Finding(f"Periodicidad 05 needs a two-month period 13-18 in Meses, not {meses!r}.")


@rule("CFDI40136")
def year_current_or_recent(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    node = _global(doc)
    if node is None:
        return
    raw = text(node.get("Año"))
    current = doc.on.year
    year = int(raw) if raw is not None and raw.isdigit() else None
    if year is None or not current - YEARS_BACK <= year <= current:
        yield Finding(f"Año {raw!r} must be {current} or one of the {YEARS_BACK} previous years.")
