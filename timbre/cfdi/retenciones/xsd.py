"""SAT's Retenciones 2.0 schema with the complements Timbre builds and TFD 1.1, compiled once.

The copies under `data/xsd/esquemas/retencionpago/` are SAT's files as shipped by satcfdi (see
`data/xsd/README.md`); they import the same catCFDI.xsd as CFDI 4.0, whose c_CodigoPostal is a
pattern in our copy, so LugarExpRetenc and DomicilioFiscalR are looked up in SAT's catalog here.
"""

from __future__ import annotations

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type stubs

from timbre.catalogs import store

from .. import xmlsafe
from ..xsdset import SchemaSet

RET_NS = "http://www.sat.gob.mx/esquemas/retencionpago/2"
_SCHEMAS = SchemaSet({
    RET_NS: "esquemas/retencionpago/2/retencionpagov2.xsd",
    "http://www.sat.gob.mx/TimbreFiscalDigital": "sitio_internet/cfd/TimbreFiscalDigital/TimbreFiscalDigitalv11.xsd",
    "http://www.sat.gob.mx/esquemas/retencionpago/1/PlataformasTecnologicas10":
        "esquemas/retencionpago/1/PlataformasTecnologicas10/ServiciosPlataformasTecnologicas10.xsd",
    "http://www.sat.gob.mx/esquemas/retencionpago/1/dividendos": "esquemas/retencionpago/1/dividendos/dividendos.xsd",
    "http://www.sat.gob.mx/esquemas/retencionpago/1/intereses": "esquemas/retencionpago/1/intereses/intereses.xsd",
    "http://www.sat.gob.mx/esquemas/retencionpago/1/pagosaextranjeros":
        "esquemas/retencionpago/1/pagosaextranjeros/pagosaextranjeros.xsd",
    "http://www.sat.gob.mx/esquemas/retencionpago/1/enajenaciondeacciones":
        "esquemas/retencionpago/1/enajenaciondeacciones/enajenaciondeacciones.xsd",
}, "retenciones.xsd")
_POSTAL = (("LugarExpRetenc", etree.XPath("self::r:Retenciones", namespaces={"r": RET_NS})),
           ("DomicilioFiscalR", etree.XPath("r:Receptor/r:Nacional", namespaces={"r": RET_NS})))


def schema() -> etree.XMLSchema:
    """The compiled schema (compiled on first use, then shared by every thread)."""
    return _SCHEMAS.schema()


def validate(xml: bytes) -> list[str]:
    """Schema and postal-code catalog errors of a Retenciones document (empty when valid)."""
    try:
        root = xmlsafe.parse(xml)
    except xmlsafe.XmlError as exc:
        return [str(exc)]
    return validate_tree(root)


def validate_tree(root: etree._Element) -> list[str]:
    if root.tag != f"{{{RET_NS}}}Retenciones":
        return [f"the document is {root.tag}, not a Retenciones 2.0"]
    errors = _SCHEMAS.errors(root)
    if errors:
        return errors
    for attribute, xpath in _POSTAL:
        for element in xpath(root):
            code = element.get(attribute)
            if code is not None and not store.exists("c_CodigoPostal", code):
                errors.append(f"line {element.sourceline}: attribute '{attribute}': '{code}' is not a value of "
                              "SAT's catalog c_CodigoPostal.")
    return errors
