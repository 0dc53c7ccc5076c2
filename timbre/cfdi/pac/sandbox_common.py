"""What the sandbox PAC's stamping of a CFDI 4.0 (`sandbox`) and of a Retenciones 2.0 (`sandbox_retenciones`)
share: the strict intake of the document, the date window, and the TimbreFiscalDigital added to its Complemento."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type stubs

from .. import xmlsafe
from ..certs import Credential
from .base import PacRejected, StampResult
from .tfd import timbre_fiscal


def unstamped(xml: bytes, tag: str, version: str, what: str,
              find_timbre: Callable[[etree._Element], etree._Element | None]) -> Any:
    """The strictly parsed document, which must be a `tag` of `version` (`what` names it) without a timbre."""
    try:
        root = xmlsafe.parse(xml)
    except xmlsafe.XmlError as exc:
        raise PacRejected("301", "XML mal formado", details=[str(exc)]) from None
    if root.tag != tag or root.get("Version") != version:
        raise PacRejected("301", "XML mal formado", details=[f"the document is not a {what}"])
    if find_timbre(root) is not None:
        raise PacRejected("307", "El CFDI contiene un timbre previo")
    return root


def check_window(fecha: datetime, now: datetime, *, skew: timedelta, max_age: timedelta, field: str) -> None:
    """The document's date (`field`) lies within `max_age` before `now` (`skew` ahead at most: clock drift)."""
    if fecha > now + skew or fecha < now - max_age:
        raise PacRejected("401", "Fecha y hora de generación fuera de rango",
                          details=[f"{field} must lie within the {max_age} before stamping"])


def add_timbre(root: Any, namespace: str, credential: Credential, fecha_timbrado: datetime) -> StampResult:
    """Add a TFD 1.1 signed with `credential` to the document's `Complemento` (made, before any Addenda, when
    missing); the stamped document and its timbre's fields."""
    timbre = timbre_fiscal(credential, root.get("Sello"), fecha_timbrado)
    complemento = root.find(f"{{{namespace}}}Complemento")
    if complemento is None:
        complemento = etree.Element(f"{{{namespace}}}Complemento")
        addenda = root.find(f"{{{namespace}}}Addenda")
        if addenda is None:
            root.append(complemento)
        else:
            addenda.addprevious(complemento)
    complemento.append(timbre.to_xml(include_schema_location=True))
    return StampResult(uuid=timbre["UUID"], xml=xmlsafe.tostring(root), fecha_timbrado=fecha_timbrado,
                       no_certificado_sat=timbre["NoCertificadoSAT"], sello_sat=timbre["SelloSAT"],
                       rfc_prov_certif=timbre["RfcProvCertif"])
