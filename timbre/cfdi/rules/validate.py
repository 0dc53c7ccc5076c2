"""Entry points: run the registered rules on a comprobante (or on signed XML)."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

from satcfdi.cfdi import CFDI

from ._doc import Doc
from .context import RuleContext
from .envelope import parse_strict, validate_envelope
from .registry import Violation, run

# Importing a rule module registers its checks.
RULE_MODULES = (
    "comprobante",
    "totales",
    "global_",
    "relacionados",
    "emisor_receptor",
    "conceptos",
    "terceros",
    "concepto_impuestos",
    "impuestos",
    "pagos.base",
    "pagos.pago",
    "pagos.doctos",
    "pagos.impuestos",
    "pagos.impuestos_p",
    "pagos.totales",
)
for _module in RULE_MODULES:
    importlib.import_module(f"{__package__}.{_module}")


def validate_cfdi(comprobante: Mapping[str, Any], ctx: RuleContext) -> list[Violation]:
    """SAT's CFDI 4.0 rules (CFDI40xxx) that the document itself can answer."""
    return run("cfdi", Doc(comprobante, ctx), ctx)


def validate_pagos(comprobante: Mapping[str, Any], ctx: RuleContext) -> list[Violation]:
    """SAT's Pagos 2.0 rules (CRP20xxx) for a CFDI carrying the Pagos complement; [] without it."""
    doc = Doc(comprobante, ctx)
    if doc.pagos is None:
        return []
    return run("pagos", doc, ctx)


def validate(comprobante: Mapping[str, Any], ctx: RuleContext) -> list[Violation]:
    """Both: every CFDI 4.0 rule, plus the Pagos 2.0 rules when the complement is present."""
    return validate_cfdi(comprobante, ctx) + validate_pagos(comprobante, ctx)


def validate_xml(xml: bytes, ctx: RuleContext) -> list[Violation]:
    """Everything Timbre checks on a signed CFDI 4.0: the envelope (seal, certificate), then the
    business rules on the parsed document, e.g. for the sandbox PAC."""
    envelope = validate_envelope(xml)
    if any(v.code == "CFDI40999" for v in envelope):
        return envelope
    return envelope + validate(CFDI.from_xml(parse_strict(xml)), ctx)
