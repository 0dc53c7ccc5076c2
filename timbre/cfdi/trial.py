"""A trial run of what happens to a document after its folio is taken, before it is taken.

SAT's rules (`cfdi.rules`) judge the document's meaning; this runs the mechanical steps the seal and a
PAC perform on it — writing the XML (lxml refuses characters XML cannot hold), SAT's schema (lengths,
patterns, digits: a `|` in a description, an amount beyond 18 integer digits) and reading it back as a
PAC's parser does (a tax repeated in one concept) — on the unsealed document with placeholder
certificate fields. Anything deterministic that would fail there is found while nothing is spent yet.
"""

from __future__ import annotations

from dataclasses import dataclass

from satcfdi.cfdi import CFDI
from satcfdi.create.cfd import cfdi40

from . import xsd

_PLACEHOLDERS = {"NoCertificado": "0" * 20, "Certificado": "AA==", "Sello": "AA=="}


@dataclass(frozen=True, slots=True)
class Problem:
    """What a step refused: a PAC's code (301 malformed XML, or SAT's catalog code) and its message."""

    code: str
    message: str


def problems(comprobante: cfdi40.Comprobante) -> list[Problem]:
    """What writing, schema-checking and re-reading `comprobante` refuses (empty: the seal and a PAC's
    parser will accept it). The comprobante gets placeholder certificate fields: pass a throwaway one."""
    for key, value in _PLACEHOLDERS.items():
        comprobante[key] = value
    try:
        root = comprobante.to_xml(include_schema_location=True)
    except (ValueError, TypeError) as exc:
        return [Problem("301", f"the document cannot be written as XML: {exc}")]
    errors = xsd.schema_errors(root)
    if errors:
        return [Problem("301", error) for error in errors]
    catalog = xsd.catalog_errors(root)
    if catalog:
        return [Problem(error.sat_code, str(error)) for error in catalog]
    try:
        CFDI.from_xml(root)
    except (ValueError, KeyError, TypeError) as exc:
        return [Problem("301", f"the document cannot be read back: {exc}")]
    return []
