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

from timbre.catalogs import store
from timbre.clients.fiscal_data import ClientFiscalData, FieldStatus, Issue, ValidationReport
from timbre.clients.rfc import GENERICO_EXTRANJERO, validate_rfc
from timbre.clients.validation.address import MEXICO, check_country, check_foreign, check_zip, normalize_country
from timbre.clients.validation.check import Check, given
from timbre.clients.validation.identity import (
    CAPITAL_REGIME,
    REGIMEN_SIN_OBLIGACIONES,
    check_legal_name,
    check_tax_system,
    check_use,
)

__all__ = [
    "CAPITAL_REGIME",
    "FIELDS",
    "ClientFiscalData",
    "FieldStatus",
    "Issue",
    "ValidationReport",
    "normalize_country",
    "validate_client",
]

FIELDS = ("legal_name", "tax_id", "tax_system", "use", "address.zip", "address.country", "foreign_tax_id")


def validate_client(data: ClientFiscalData, *, on: datetime.date | None = None) -> ValidationReport:
    """Validate a client's fiscal fields as a CFDI 4.0 receiver on date ``on`` (default today)."""
    check = Check(on or store.mexico_today())
    tax_id = given(data.tax_id)
    rfc = validate_rfc(tax_id) if tax_id else None
    if rfc is None:
        check.mark("tax_id", "missing")
    for error in rfc.errors if rfc else ():
        check.fail("tax_id", error.rule, error.message)

    country_code = check_country(check, given(data.country), rfc)
    valid_rfc = rfc if rfc is not None and rfc.valid else None
    # A valid Mexican RFC makes a national receiver wherever its address is (SAT then
    # forbids ResidenciaFiscal, CFDI40151); otherwise a country abroad makes it foreign.
    is_foreign = (rfc is not None and rfc.rfc == GENERICO_EXTRANJERO) or (
        country_code not in (None, MEXICO) and valid_rfc is None
    )
    regimen = given(data.tax_system)
    if regimen is None and valid_rfc is not None and valid_rfc.is_generic:
        regimen = REGIMEN_SIN_OBLIGACIONES  # the only one SAT allows them (CFDI40159)
    check_legal_name(check, given(data.legal_name), valid_rfc)
    check_tax_system(check, given(data.tax_system), valid_rfc)
    check_use(check, given(data.use), regimen, valid_rfc)
    check_zip(check, given(data.zip), valid_rfc, is_foreign, country_code)
    check_foreign(check, data, rfc, is_foreign, country_code)
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
