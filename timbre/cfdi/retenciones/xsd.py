"""SAT's Retenciones 2.0 schema with the complements Timbre builds and TFD 1.1, compiled once.

The copies under `data/xsd/esquemas/retencionpago/` are SAT's files as shipped by satcfdi (see
`data/xsd/README.md`); they import the same catCFDI.xsd as CFDI 4.0, whose c_CodigoPostal is a
pattern in our copy, so LugarExpRetenc and DomicilioFiscalR are looked up in SAT's catalog here.
"""

from __future__ import annotations

import threading
from pathlib import Path

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type stubs

from timbre.catalogs import store

from .. import xmlsafe

RET_NS = "http://www.sat.gob.mx/esquemas/retencionpago/2"
_DIR = Path(__file__).resolve().parent.parent / "data" / "xsd"
_IMPORTS = {
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
}
_POSTAL = (("LugarExpRetenc", etree.XPath("self::r:Retenciones", namespaces={"r": RET_NS})),
           ("DomicilioFiscalR", etree.XPath("r:Receptor/r:Nacional", namespaces={"r": RET_NS})))
MAX_ERRORS = 50

_schema: etree.XMLSchema | None = None
_lock = threading.Lock()


def schema() -> etree.XMLSchema:
    """The compiled schema (compiled on first use, then shared by every thread)."""
    global _schema
    if _schema is None:
        with _lock:
            if _schema is None:
                imports = "".join(f'<xs:import namespace="{ns}" schemaLocation="{path}"/>'
                                  for ns, path in _IMPORTS.items())
                wrapper = f'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">{imports}</xs:schema>'
                parser = etree.XMLParser(no_network=True, resolve_entities=False)
                document = etree.fromstring(wrapper.encode(), parser=parser, base_url=str(_DIR / "retenciones.xsd"))
                _schema = etree.XMLSchema(document)
    return _schema


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
    compiled = schema()
    if not compiled.validate(root):
        return [f"line {error.line}: {error.message}" for error in list(compiled.error_log)[:MAX_ERRORS]]
    errors = []
    for attribute, xpath in _POSTAL:
        for element in xpath(root):
            code = element.get(attribute)
            if code is not None and not store.exists("c_CodigoPostal", code):
                errors.append(f"line {element.sourceline}: attribute '{attribute}': '{code}' is not a value of "
                              "SAT's catalog c_CodigoPostal.")
    return errors
