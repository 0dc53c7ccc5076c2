"""The receiver's address: its country (c_Pais), zip (c_CodigoPostal, or the country's format abroad) and,
for a foreign receiver, its foreign tax id (CFDI40150-40156)."""

from __future__ import annotations

import re

from timbre.catalogs import store
from timbre.clients.fiscal_data import ClientFiscalData
from timbre.clients.rfc import GENERICO_EXTRANJERO, RfcResult
from timbre.clients.validation.check import Check, given

MEXICO = "MEX"
MEXICO_NAMES = {"mex", "mexico", "méxico", "mx"}


def normalize_country(value: str) -> str | None:
    """The c_Pais code for ``value``: a code in any case, or Mexico by name. None if unknown."""
    text = value.strip()
    if text.casefold() in MEXICO_NAMES:
        return MEXICO
    code = text.upper()
    return code if store.exists("c_Pais", code) else None


def check_country(check: Check, country: str | None, rfc: RfcResult | None) -> str | None:
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


def check_zip(
    check: Check, zip_code: str | None, rfc: RfcResult | None, is_foreign: bool, country: str | None
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


def check_foreign(
    check: Check, data: ClientFiscalData, rfc: RfcResult | None, is_foreign: bool, country: str | None
) -> None:
    name = "foreign_tax_id"
    foreign_id = given(data.foreign_tax_id)
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
