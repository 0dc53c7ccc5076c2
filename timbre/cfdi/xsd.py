"""SAT's XML schemas (CFDI 4.0, TimbreFiscalDigital 1.1, Pagos 2.0), compiled once per process.

satcfdi recompiles the schema on every validation (~80 ms), and SAT's catCFDI.xsd carries four
enumerations with ~160 000 values that libxml2 scans linearly. Our copy under `data/xsd/`
replaces those four by patterns (see its README) and the codes are looked up in
`timbre.catalogs.store` instead, which brings a validation to a few tens of microseconds.

Complements other than TFD 1.1 and Pagos 2.0 are rejected by the schema (the Complemento's
wildcard is strict), which is what Timbre can produce.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type stubs

from timbre.catalogs import store

from . import xmlsafe
from .xsdset import SchemaSet

CFDI_NS = "http://www.sat.gob.mx/cfd/4"
_SCHEMAS = SchemaSet({
    CFDI_NS: "sitio_internet/cfd/4/cfdv40.xsd",
    "http://www.sat.gob.mx/TimbreFiscalDigital": "sitio_internet/cfd/TimbreFiscalDigital/TimbreFiscalDigitalv11.xsd",
    "http://www.sat.gob.mx/Pagos20": "sitio_internet/cfd/Pagos/Pagos20.xsd",
}, "timbre.xsd")
_NS = {"cfdi": CFDI_NS}
_CONCEPTO = etree.XPath("cfdi:Conceptos/cfdi:Concepto", namespaces=_NS)
# (elements, attribute, catalog, SAT error code): the codes whose XSD enumeration became a pattern.
_LOOKUPS = (
    (etree.XPath("self::cfdi:Comprobante", namespaces=_NS), "LugarExpedicion", "c_CodigoPostal", "CFDI40126"),
    (_CONCEPTO, "ClaveProdServ", "c_ClaveProdServ", "CFDI40162"),
    (_CONCEPTO, "ClaveUnidad", "c_ClaveUnidad", "CFDI40165"),
    (etree.XPath("cfdi:Conceptos/cfdi:Concepto/cfdi:Parte", namespaces=_NS), "ClaveProdServ", "c_ClaveProdServ",
     "CFDI40196"),
)


@dataclass(frozen=True, slots=True)
class CatalogError:
    """A code that matches the schema's pattern but is not in SAT's catalog."""

    sat_code: str
    line: int | None
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


def schema() -> etree.XMLSchema:
    """The compiled schema (compiled on first use, then shared by every thread)."""
    return _SCHEMAS.schema()


def validate(xml: bytes) -> list[str]:
    """Schema and catalog errors of a CFDI document (empty when valid); malformed XML is one error."""
    try:
        root = xmlsafe.parse(xml)
    except xmlsafe.XmlError as exc:
        return [str(exc)]
    return validate_tree(root)


def validate_tree(root: etree._Element) -> list[str]:
    """Like `validate`, for an already (strictly) parsed document."""
    return schema_errors(root) or [str(error) for error in catalog_errors(root)]


def schema_errors(root: etree._Element) -> list[str]:
    """XSD errors only (the four big catalogs are checked by pattern here)."""
    return _SCHEMAS.errors(root)


def catalog_errors(root: etree._Element) -> list[CatalogError]:
    """Codes that match the schema's pattern but are not in SAT's catalog."""
    errors: list[CatalogError] = []
    if root.tag != f"{{{CFDI_NS}}}Comprobante":
        return errors
    for xpath, attribute, catalog, sat_code in _LOOKUPS:
        for element in xpath(root):
            assert isinstance(element, etree._Element)
            code = element.get(attribute)
            if code is not None and not store.exists(catalog, code):
                message = (
                    f"Element '{element.tag}', attribute '{attribute}': "
                    f"'{code}' is not a value of SAT's catalog {catalog}."
                )
                errors.append(CatalogError(sat_code, element.sourceline, message))
    return errors
