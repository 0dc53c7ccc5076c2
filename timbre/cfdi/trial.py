"""A trial run of what happens to a document after its folio is taken, before it is taken.

SAT's rules (`cfdi.rules`, catalogs included) judge the document's meaning; this runs the mechanical steps
the seal and a PAC perform on it — writing the XML (lxml refuses characters XML cannot hold) and SAT's
schema (lengths, patterns, digits: a `|` in a description, an amount beyond 18 integer digits) — on the
unsealed document with placeholder certificate fields, so that what would fail there is found while
nothing is spent yet. Reading the document back as a PAC's parser does (satcfdi's objectify) is left out:
it costs twice the rest, and what it alone refuses, a tax repeated in one concept (the same
Impuesto|TipoFactor|TasaOCuota), is checked where the request's taxes are resolved, naming the field.

The document written (`Trial.written`) is what the seal signs once the folio is known (`seal.seal_written`): the
document is written once per request, not once to try it and again to seal it.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type stubs
from satcfdi.create.cfd import cfdi40

from . import xsd

_PLACEHOLDERS = {"NoCertificado": "0" * 20, "Certificado": "AA==", "Sello": "AA=="}


@dataclass(frozen=True, slots=True)
class Problem:
    """What a step refused: a PAC's code (301: malformed XML) and its message."""

    code: str
    message: str


@dataclass(frozen=True, slots=True)
class Trial:
    """What the trial found, and the document it wrote (None when it could not be written)."""

    problems: list[Problem]
    written: etree._Element | None


def run(comprobante: cfdi40.Comprobante) -> Trial:
    """Write and schema-check `comprobante` (no problems: the seal and a PAC's schema will accept it). The
    comprobante gets placeholder certificate fields: pass a throwaway one."""
    for key, value in _PLACEHOLDERS.items():
        comprobante[key] = value
    try:
        root = comprobante.to_xml(include_schema_location=True)
    except (ValueError, TypeError) as exc:
        return Trial([Problem("301", f"the document cannot be written as XML: {exc}")], None)
    return Trial([Problem("301", error) for error in xsd.schema_errors(root)], root)


def problems(comprobante: cfdi40.Comprobante) -> list[Problem]:
    """`run`'s problems only."""
    return run(comprobante).problems
