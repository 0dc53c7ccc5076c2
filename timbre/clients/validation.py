"""Receiver (client) fiscal-data validation for CFDI 4.0: pure, no I/O beyond the catalogs.

Input: the client's fiscal fields as given (every one optional, as gigstack's API allows).
Output: a report with one issue per broken rule (request field, stable rule id, English
message that says how to fix it, and SAT's CFDI40xxx code when the rule is one of SAT's),
plus a status per field for ``POST /clients/validate/{id}``. A field that was not given is
never an issue; it is reported ``missing`` and the client is then not complete for invoicing.

Rules (SAT's Anexo 20 receiver rules that can be checked without SAT's RFC list):
- tax_id: RFC syntax (timbre.clients.rfc).
- tax_system: in c_RegimenFiscal and in force (CFDI40157), for the kind of person
  (CFDI40158); 616 for the generic RFCs (CFDI40159).
- use: in c_UsoCFDI and in force (CFDI40160), allowed for the kind of person and the
  régimen (CFDI40161).
- address.zip: a c_CodigoPostal code for a national receiver. The generic RFCs carry the
  issuer's zip instead (CFDI40149), so theirs is not required.
- foreign receivers (country other than Mexico, or RFC XEXX010101000): a c_Pais country
  (CFDI40150) that is not MEX (CFDI40152); a foreign tax id (NumRegIdTrib), when given, in the
  country's format when c_Pais has one (CFDI40156). SAT requires it only with Comercio Exterior.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from timbre.catalogs import store
from timbre.clients.fiscal_data import ClientFiscalData, FieldStatus, Issue, ValidationReport
from timbre.clients.rfc import GENERICO_EXTRANJERO, GENERICO_NACIONAL, RfcResult, validate_rfc

__all__ = [
    "FIELDS",
    "ClientFiscalData",
    "FieldStatus",
    "Issue",
    "ValidationReport",
    "normalize_country",
    "validate_client",
]

FIELDS = ("legal_name", "tax_id", "tax_system", "use", "address.zip", "address.country", "foreign_tax_id")
MEXICO = "MEX"
REGIMEN_SIN_OBLIGACIONES = "616"

# CFDI 3.3 codes still seen in client data; SAT rejects them in 4.0.
RETIRED_REGIMENES = {
    "609": "Consolidación",
    "628": "Hidrocarburos",
    "629": "De los Regímenes Fiscales Preferentes y de las Empresas Multinacionales",
    "630": "Enajenación de acciones en bolsa de valores",
}
RETIRED_USOS = {"P01": "Por definir"}

_MEXICO_NAMES = {"mex", "mexico", "méxico", "mx"}
# The régimen de capital is not part of the name SAT registers for a company since CFDI 4.0,
# so a name that keeps it does not match SAT's list (CFDI40145).
_CAPITAL_REGIME = re.compile(
    r"[\s,]+(S\.?\s*A\.?\s*P\.?\s*I\.?|S\.?\s*A\.?\s*B\.?|S\.?\s*A\.?\s*S\.?|S\.?\s*A\.?|S\.?\s*DE\s*R\.?\s*L\.?"
    r"|S\.?\s*C\.?|A\.?\s*C\.?|S\.?\s*C\.?\s*P\.?|S\.?\s*N\.?\s*C\.?)"
    r"(\s*DE\s*C\.?\s*V\.?)?\s*$",
    re.IGNORECASE,
)


def normalize_country(value: str) -> str | None:
    """The c_Pais code for ``value``: a code in any case, or Mexico by name. None if unknown."""
    text = value.strip()
    if text.casefold() in _MEXICO_NAMES:
        return MEXICO
    code = text.upper()
    return code if store.exists("c_Pais", code) else None


def _given(value: str | None) -> str | None:
    return value if value is not None and value.strip() else None


@dataclass
class _Check:
    on: datetime.date
    issues: list[Issue] = field(default_factory=list)
    status: dict[str, FieldStatus] = field(default_factory=dict)

    def fail(self, field_name: str, rule: str, message: str, sat_code: str | None = None) -> None:
        self.issues.append(Issue(field_name, rule, message, sat_code))
        self.status[field_name] = "invalid"

    def mark(self, field_name: str, status: FieldStatus) -> None:
        self.status.setdefault(field_name, status)


def validate_client(data: ClientFiscalData, *, on: datetime.date | None = None) -> ValidationReport:
    """Validate a client's fiscal fields as a CFDI 4.0 receiver on date ``on`` (default today)."""
    check = _Check(on or store.mexico_today())
    tax_id = _given(data.tax_id)
    rfc = validate_rfc(tax_id) if tax_id else None
    if rfc is None:
        check.mark("tax_id", "missing")
    for error in rfc.errors if rfc else ():
        check.fail("tax_id", error.rule, error.message)

    country_code = _check_country(check, _given(data.country), rfc)
    valid_rfc = rfc if rfc is not None and rfc.valid else None
    # A valid Mexican RFC makes a national receiver wherever its address is (SAT then
    # forbids ResidenciaFiscal, CFDI40151); otherwise a country abroad makes it foreign.
    is_foreign = (rfc is not None and rfc.rfc == GENERICO_EXTRANJERO) or (
        country_code not in (None, MEXICO) and valid_rfc is None
    )
    regimen = _given(data.tax_system)
    if regimen is None and valid_rfc is not None and valid_rfc.is_generic:
        regimen = REGIMEN_SIN_OBLIGACIONES  # the only one SAT allows them (CFDI40159)
    _check_legal_name(check, _given(data.legal_name), valid_rfc)
    _check_tax_system(check, _given(data.tax_system), valid_rfc)
    _check_use(check, _given(data.use), regimen, valid_rfc)
    _check_zip(check, _given(data.zip), valid_rfc, is_foreign, country_code)
    _check_foreign(check, data, rfc, is_foreign, country_code)
    check.mark("tax_id", "valid")
    check.mark("address.country", "not_required")
    statuses = {name: check.status.get(name, "valid") for name in FIELDS}
    return ValidationReport(
        issues=tuple(check.issues),
        fields=statuses,
        receiver_kind=valid_rfc.kind if valid_rfc else None,
        is_foreign=is_foreign,
        country=country_code,
    )


def _check_country(check: _Check, country: str | None, rfc: RfcResult | None) -> str | None:
    if country is None:
        return None
    code = normalize_country(country)
    if code is None:
        check.fail(
            "address.country",
            "country_unknown",
            f"Country {country!r} is not in SAT's c_Pais catalog; use its 3-letter ISO code "
            "(e.g. USA, CAN, ESP) or MEX for Mexico",
            "CFDI40150",
        )
    elif code == MEXICO and rfc is not None and rfc.rfc == GENERICO_EXTRANJERO:
        check.fail(
            "address.country",
            "country_mex_for_foreign_rfc",
            f"A receiver with the foreign generic RFC {GENERICO_EXTRANJERO} cannot reside in Mexico; "
            "set the country where the client resides, or use the client's Mexican RFC",
            "CFDI40152",
        )
    else:
        check.mark("address.country", "valid")
    return code


def _check_legal_name(check: _Check, name: str | None, rfc: RfcResult | None) -> None:
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
    elif rfc is not None and rfc.kind == "moral" and _CAPITAL_REGIME.search(name):
        check.fail(
            "legal_name",
            "legal_name_includes_capital_regime",
            "Since CFDI 4.0 a company's name goes without its régimen de capital (e.g. 'S.A. de C.V.'), "
            "exactly as on its Constancia de Situación Fiscal; remove it",
            "CFDI40145",
        )


def _check_tax_system(check: _Check, code: str | None, rfc: RfcResult | None) -> None:
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
            f"Tax system {code} does not apply to {_persona_text(rfc)}; use one that applies to "
            f"{_persona_text(rfc)} as on the client's Constancia de Situación Fiscal",
            "CFDI40158",
        )


def _check_use(check: _Check, uso: str | None, regimen: str | None, rfc: RfcResult | None) -> None:
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
            f"CFDI use {uso} does not apply to {_persona_text(rfc)}; G03 (Gastos en general) or S01 "
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


def _check_zip(
    check: _Check, zip_code: str | None, rfc: RfcResult | None, is_foreign: bool, country: str | None
) -> None:
    name = "address.zip"
    generic = rfc is not None and rfc.is_generic
    if zip_code is None:
        check.mark(name, "not_required" if generic or is_foreign else "missing")
        return
    if is_foreign:
        row = store.get("c_Pais", country) if country else None
        pattern = row["patron_codigo_postal"] if row else ""
        if pattern and not re.fullmatch(pattern, zip_code):
            check.fail(name, "zip_format_for_country", f"Zip {zip_code!r} does not match {country}'s format {pattern}")
        return
    if not re.fullmatch(r"[0-9]{5}", zip_code):
        check.fail(name, "zip_format", "A Mexican zip (código postal) has exactly 5 digits, e.g. '06600'")
    elif not store.exists("c_CodigoPostal", zip_code):
        check.fail(
            name,
            "zip_unknown",
            f"Zip {zip_code} is not in SAT's c_CodigoPostal catalog; use the zip of the client's "
            "fiscal address as on its Constancia de Situación Fiscal",
        )


def _check_foreign(
    check: _Check, data: ClientFiscalData, rfc: RfcResult | None, is_foreign: bool, country: str | None
) -> None:
    name = "foreign_tax_id"
    foreign_id = _given(data.foreign_tax_id)
    if not is_foreign:
        if foreign_id is not None and rfc is not None and rfc.valid and rfc.rfc != GENERICO_EXTRANJERO:
            check.fail(
                name,
                "foreign_tax_id_with_national_rfc",
                "A foreign tax id (NumRegIdTrib) is only for foreign receivers with the RFC "
                f"{GENERICO_EXTRANJERO}; remove it or change the RFC",
                "CFDI40154",
            )
        check.mark(name, "not_required")
        return
    if data.country is None or not data.country.strip():
        check.mark("address.country", "missing")
    if foreign_id is None:
        # SAT asks for NumRegIdTrib only with the Comercio Exterior complement (CFDI40155; Anexo 20's
        # filling guide: "es requerido cuando se incluya el complemento de comercio exterior"), which
        # Timbre does not issue: a foreign receiver without one is complete.
        check.mark(name, "not_required")
        return
    row = store.get("c_Pais", country) if country else None
    pattern = row["patron_identidad_tributaria"] if row and country != MEXICO else ""
    if pattern and not re.fullmatch(pattern, foreign_id):
        check.fail(
            name,
            "foreign_tax_id_format",
            f"Foreign tax id {foreign_id!r} does not match {country}'s format {pattern} in SAT's c_Pais",
            "CFDI40156",
        )


def _persona_text(rfc: RfcResult) -> str:
    return "companies (persona moral)" if rfc.persona == "moral" else "individuals (persona física)"
