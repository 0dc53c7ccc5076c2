"""The receiver's name, tax system (régimen) and CFDI use: SAT's catalogs and the rules between them
(CFDI40145-40146, CFDI40157-40161)."""

from __future__ import annotations

import re

from timbre.catalogs import store
from timbre.clients.rfc import GENERICO_NACIONAL, RfcResult
from timbre.clients.validation.check import Check, persona_text

REGIMEN_SIN_OBLIGACIONES = "616"

# CFDI 3.3 codes still seen in client data; SAT rejects them in 4.0.
RETIRED_REGIMENES = {
    "609": "Consolidación",
    "628": "Hidrocarburos",
    "629": "De los Regímenes Fiscales Preferentes y de las Empresas Multinacionales",
    "630": "Enajenación de acciones en bolsa de valores",
}
RETIRED_USOS = {"P01": "Por definir"}

# The régimen de capital is not part of the name SAT registers for a company since CFDI 4.0,
# so a name that keeps it does not match SAT's list (CFDI40145).
CAPITAL_REGIME = re.compile(
    r"[\s,]+(S\.?\s*A\.?\s*P\.?\s*I\.?|S\.?\s*A\.?\s*B\.?|S\.?\s*A\.?\s*S\.?|S\.?\s*A\.?|S\.?\s*DE\s*R\.?\s*L\.?"
    r"|S\.?\s*C\.?|A\.?\s*C\.?|S\.?\s*C\.?\s*P\.?|S\.?\s*N\.?\s*C\.?)"
    r"(\s*DE\s*C\.?\s*V\.?)?\s*$",
    re.IGNORECASE,
)


def check_legal_name(check: Check, name: str | None, rfc: RfcResult | None) -> None:
    if name is None:
        check.mark("legal_name", "missing")
        return
    if name.strip().upper() == "PUBLICO EN GENERAL" and rfc is not None and rfc.rfc != GENERICO_NACIONAL:
        check.fail(
            "legal_name",
            "publico_en_general_needs_generic_rfc",
            f"'PUBLICO EN GENERAL' may only be used with the RFC {GENERICO_NACIONAL}; "
            "use the client's registered name, or that RFC",
            "CFDI40146",
        )
    elif rfc is not None and rfc.kind == "moral" and CAPITAL_REGIME.search(name):
        check.fail(
            "legal_name",
            "legal_name_includes_capital_regime",
            "Since CFDI 4.0 a company's name goes without its régimen de capital (e.g. 'S.A. de C.V.'), "
            "exactly as on its Constancia de Situación Fiscal; remove it",
            "CFDI40145",
        )


def check_tax_system(check: Check, code: str | None, rfc: RfcResult | None) -> None:
    name = "tax_system"
    if code is None:
        check.mark(name, "missing")
    elif code in RETIRED_REGIMENES:
        check.fail(
            name,
            "tax_system_retired",
            f"Tax system {code} ({RETIRED_REGIMENES[code]}) was retired and is not valid in CFDI 4.0; "
            "use the régimen on the client's Constancia de Situación Fiscal",
            "CFDI40157",
        )
    elif not store.exists("c_RegimenFiscal", code):
        check.fail(
            name,
            "tax_system_unknown",
            f"Tax system {code!r} is not in SAT's c_RegimenFiscal catalog; use a 3-digit code such as "
            "601 (companies) or 612/626 (individuals)",
            "CFDI40157",
        )
    elif not store.in_force("c_RegimenFiscal", code, check.on):
        check.fail(name, "tax_system_not_in_force", f"Tax system {code} is not in force", "CFDI40157")
    elif rfc is not None and rfc.is_generic and code != REGIMEN_SIN_OBLIGACIONES:
        check.fail(
            name,
            "tax_system_not_for_generic_rfc",
            f"With the generic RFC {rfc.rfc} the tax system must be 616 (Sin obligaciones fiscales)",
            "CFDI40159",
        )
    elif rfc is not None and rfc.persona is not None and not store.regimen_applies(code, rfc.persona):
        check.fail(
            name,
            "tax_system_not_for_persona",
            f"Tax system {code} does not apply to {persona_text(rfc)}; use one that applies to "
            f"{persona_text(rfc)} as on the client's Constancia de Situación Fiscal",
            "CFDI40158",
        )


def check_use(check: Check, uso: str | None, regimen: str | None, rfc: RfcResult | None) -> None:
    name = "use"
    if uso is None:
        check.mark(name, "missing")
    elif uso in RETIRED_USOS:
        check.fail(
            name,
            "use_retired",
            f"CFDI use {uso} ({RETIRED_USOS[uso]}) does not exist in CFDI 4.0; use S01 (Sin efectos "
            "fiscales) or the use the client deducts the expense under, e.g. G03",
            "CFDI40160",
        )
    elif not store.exists("c_UsoCFDI", uso):
        check.fail(
            name,
            "use_unknown",
            f"CFDI use {uso!r} is not in SAT's c_UsoCFDI catalog; use a code such as G03 or S01",
            "CFDI40160",
        )
    elif not store.in_force("c_UsoCFDI", uso, check.on):
        check.fail(name, "use_not_in_force", f"CFDI use {uso} is not in force", "CFDI40160")
    elif rfc is not None and rfc.persona is not None and not store.uso_applies(uso, rfc.persona):
        check.fail(
            name,
            "use_not_for_persona",
            f"CFDI use {uso} does not apply to {persona_text(rfc)}; G03 (Gastos en general) or S01 "
            "(Sin efectos fiscales) apply to everyone",
            "CFDI40161",
        )
    elif (
        regimen is not None
        and store.exists("c_RegimenFiscal", regimen)
        and not (store.uso_allows_regimen(uso, regimen))
    ):
        allowed = [
            row["code"]
            for row in store.rows("c_UsoCFDI")
            if store.uso_allows_regimen(row["code"], regimen)
            and store.in_force("c_UsoCFDI", row["code"], check.on)
            and (rfc is None or rfc.persona is None or store.uso_applies(row["code"], rfc.persona))
        ]
        check.fail(
            name,
            "use_not_for_tax_system",
            f"CFDI use {uso} is not allowed for tax system {regimen}; allowed: {', '.join(allowed)}",
            "CFDI40161",
        )
