"""Emisor and Receptor: regimes vs taxpayer type, generic RFCs, foreign receivers, CFDI use.

Whether an RFC, name or postal code is in SAT's list of registered taxpayers (LCO) needs SAT's
list; we check what the document alone proves: a malformed RFC or a postal code that does not
exist cannot be in that list.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ...catalogs import store
from ._common import in_catalog
from ._doc import Doc
from ._values import (
    GENERIC_RFCS,
    PUBLICO_EN_GENERAL,
    RFC_EXTRANJERO,
    RFC_PATTERN,
    RFC_PUBLICO_GENERAL,
    persona,
    present,
    show,
    text,
)
from .context import RuleContext
from .registry import Finding, rule

REGIMEN_SIN_OBLIGACIONES = "616"


@rule("CFDI40140")
def emisor_regimen_in_catalog(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    regimen = text(doc.emisor.get("RegimenFiscal"))
    if not in_catalog("c_RegimenFiscal", regimen, doc.on):
        yield Finding(f"Issuer RegimenFiscal {regimen!r} is not in c_RegimenFiscal.")


@rule("CFDI40141")
def emisor_regimen_matches_persona(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    regimen, rfc = text(doc.emisor.get("RegimenFiscal")), text(doc.emisor.get("Rfc"))
    kind = persona(rfc)
    if regimen and kind and store.exists("c_RegimenFiscal", regimen) and not store.regimen_applies(regimen, kind):
        yield Finding(f"Regime {regimen} does not apply to the issuer {rfc} (persona {kind}).")


@rule("CFDI40143")
def receptor_rfc_well_formed(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    rfc = text(doc.receptor.get("Rfc")) or ""
    if rfc not in GENERIC_RFCS and not RFC_PATTERN.match(rfc):
        yield Finding(f"Receiver RFC {rfc!r} is malformed, so it cannot be in SAT's list of registered RFCs.")


@rule("CFDI40146")
def publico_general_uses_xaxx(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    nombre = (text(doc.receptor.get("Nombre")) or "").strip().upper()
    rfc = text(doc.receptor.get("Rfc"))
    if nombre == PUBLICO_EN_GENERAL and rfc != RFC_PUBLICO_GENERAL:
        yield Finding(f"Receiver named PUBLICO EN GENERAL must have RFC XAXX010101000, not {rfc}.")


@rule("CFDI40147")
def domicilio_receptor_exists(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    codigo = text(doc.receptor.get("DomicilioFiscalReceptor"))
    if not in_catalog("c_CodigoPostal", codigo, doc.on):
        yield Finding(f"DomicilioFiscalReceptor {show(codigo)} is not a Mexican postal code (c_CodigoPostal).")


@rule("CFDI40149")
def generic_receptor_domicilio_is_lugar(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    rfc = text(doc.receptor.get("Rfc"))
    codigo, lugar = text(doc.receptor.get("DomicilioFiscalReceptor")), text(doc.get("LugarExpedicion"))
    if rfc in GENERIC_RFCS and codigo != lugar:
        yield Finding(f"For RFC {rfc}, DomicilioFiscalReceptor must equal LugarExpedicion {lugar} (found {codigo}).")


@rule("CFDI40150")
def residencia_in_catalog(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    pais = text(doc.receptor.get("ResidenciaFiscal"))
    if pais is not None and not in_catalog("c_Pais", pais, doc.on):
        yield Finding(f"ResidenciaFiscal {pais!r} is not a c_Pais code.")


@rule("CFDI40151")
def residencia_only_for_foreign(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    rfc = text(doc.receptor.get("Rfc"))
    if present(doc.receptor, "ResidenciaFiscal") and rfc != RFC_EXTRANJERO:
        yield Finding(f"ResidenciaFiscal is only for foreign receivers (XEXX010101000), not {rfc}.")


@rule("CFDI40152")
def residencia_not_mex(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    if text(doc.receptor.get("ResidenciaFiscal")) == "MEX":
        yield Finding("ResidenciaFiscal must be a foreign country, not MEX.")


@rule("CFDI40153")
def residencia_required_for_foreign_id(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    rfc = text(doc.receptor.get("Rfc"))
    needs = present(doc.receptor, "NumRegIdTrib") or (rfc == RFC_EXTRANJERO and doc.has_complement("ComercioExterior"))
    if needs and not present(doc.receptor, "ResidenciaFiscal"):
        yield Finding("A foreign receiver with NumRegIdTrib or Comercio Exterior must have ResidenciaFiscal.")


@rule("CFDI40154")
def num_reg_id_trib_only_for_foreign(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    rfc = text(doc.receptor.get("Rfc"))
    if present(doc.receptor, "NumRegIdTrib") and rfc != RFC_EXTRANJERO:
        yield Finding(f"NumRegIdTrib is only for foreign receivers (XEXX010101000), not {rfc}.")


@rule("CFDI40155")
def num_reg_id_trib_required_with_cce(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    rfc = text(doc.receptor.get("Rfc"))
    if rfc == RFC_EXTRANJERO and doc.has_complement("ComercioExterior") and not present(doc.receptor, "NumRegIdTrib"):
        yield Finding("A foreign receiver with the Comercio Exterior complement needs NumRegIdTrib.")


@rule("CFDI40156")
def num_reg_id_trib_pattern(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    numero, pais = text(doc.receptor.get("NumRegIdTrib")), text(doc.receptor.get("ResidenciaFiscal"))
    row = store.get("c_Pais", pais) if numero and pais else None
    pattern = row["patron_identidad_tributaria"] if row is not None else ""
    if numero and pattern and not re.fullmatch(pattern, numero):
        yield Finding(f"NumRegIdTrib {numero!r} does not match the format c_Pais gives for {pais} ({pattern}).")


@rule("CFDI40157")
def receptor_regimen_in_catalog(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    regimen = text(doc.receptor.get("RegimenFiscalReceptor"))
    if not in_catalog("c_RegimenFiscal", regimen, doc.on):
        yield Finding(f"RegimenFiscalReceptor {regimen!r} is not in c_RegimenFiscal.")


@rule("CFDI40158")
def receptor_regimen_matches_persona(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    regimen, rfc = text(doc.receptor.get("RegimenFiscalReceptor")), text(doc.receptor.get("Rfc"))
    kind = persona(rfc)
    if regimen and kind and store.exists("c_RegimenFiscal", regimen) and not store.regimen_applies(regimen, kind):
        yield Finding(f"Regime {regimen} does not apply to the receiver {rfc} (persona {kind}).")


@rule("CFDI40159")
def generic_receptor_regimen_616(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    rfc, regimen = text(doc.receptor.get("Rfc")), text(doc.receptor.get("RegimenFiscalReceptor"))
    if rfc in GENERIC_RFCS and regimen != REGIMEN_SIN_OBLIGACIONES:
        yield Finding(f"RFC {rfc} must use RegimenFiscalReceptor 616, not {regimen}.")


@rule("CFDI40160")
def uso_in_catalog(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    uso = text(doc.receptor.get("UsoCFDI"))
    if not in_catalog("c_UsoCFDI", uso, doc.on):
        yield Finding(f"UsoCFDI {uso!r} is not a c_UsoCFDI key in force.")


@rule("CFDI40161")
def uso_matches_persona_and_regimen(doc: Doc, ctx: RuleContext) -> Iterator[Finding]:
    uso, rfc = text(doc.receptor.get("UsoCFDI")), text(doc.receptor.get("Rfc"))
    regimen, kind = text(doc.receptor.get("RegimenFiscalReceptor")), persona(rfc)
    if not uso or not store.exists("c_UsoCFDI", uso):
        return
    if kind and not store.uso_applies(uso, kind):
        yield Finding(f"UsoCFDI {uso} does not apply to the receiver {rfc} (persona {kind}).")
    elif regimen and not store.uso_allows_regimen(uso, regimen):
        yield Finding(f"UsoCFDI {uso} is not allowed for receiver regime {regimen}.")
