"""The sandbox PAC's stamping of CFDI de Retenciones 2.0 (mixed into `SandboxPAC`).

The same checks as for a CFDI 4.0: strict parse, no previous timbre, SAT's Retenciones schema with the
complements', the CSD (issuer's, valid at FechaExp, trusted), the Sello over SAT's cadena original and
the 72-hour window (FechaExp is the wall clock of LugarExpRetenc); then a TimbreFiscalDigital 1.1 signed
by the sandbox certificate is added to `retenciones:Complemento`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type stubs

from .. import xmlsafe
from ..certs import Credential
from ..retenciones import xsd as ret_xsd
from ..retenciones.build import MEXICO_TZ, zona_horaria
from ..retenciones.seal import RETENCIONES, find_timbre, verify_seal
from .base import PacRejected, StampResult
from .tfd import timbre_fiscal

_CLOCK_SKEW = timedelta(minutes=10)


class RetencionesStamper:
    credential: Credential
    clock: Callable[[], datetime]
    max_age: timedelta

    def _check_certificate(self, root: Any, fecha: datetime, rfc_emisor: str | None = None) -> None:
        raise NotImplementedError

    def stamp_retention(self, xml: bytes) -> StampResult:
        """Stamp a sealed Retenciones 2.0 document (PacRejected with the PAC's codes otherwise)."""
        try:
            root = xmlsafe.parse(xml)
        except xmlsafe.XmlError as exc:
            raise PacRejected("301", "XML mal formado", details=[str(exc)]) from None
        if root.tag != RETENCIONES or root.get("Version") != "2.0":
            raise PacRejected("301", "XML mal formado", details=["the document is not a Retenciones 2.0"])
        if find_timbre(root) is not None:
            raise PacRejected("307", "El CFDI contiene un timbre previo")
        errors = ret_xsd.validate_tree(root)
        if errors:
            raise PacRejected("301", "XML mal formado", details=errors)
        zone = zona_horaria(root.get("LugarExpRetenc") or "")
        fecha = datetime.fromisoformat(root.get("FechaExp")).replace(tzinfo=zone)
        emisor = root.find(f"{{{ret_xsd.RET_NS}}}Emisor")
        self._check_certificate(root, fecha, emisor.get("RfcE"))
        if not verify_seal(root):
            raise PacRejected("302", "Sello mal formado o inválido")
        now = self.clock()
        if fecha > now + _CLOCK_SKEW or fecha < now - self.max_age:
            raise PacRejected("401", "Fecha y hora de generación fuera de rango",
                              details=[f"FechaExp must lie within the {self.max_age} before stamping"])
        fecha_timbrado = now.astimezone(MEXICO_TZ).replace(tzinfo=None, microsecond=0)
        timbre = timbre_fiscal(self.credential, root.get("Sello"), fecha_timbrado)
        complemento = root.find(f"{{{ret_xsd.RET_NS}}}Complemento")
        if complemento is None:
            complemento = etree.Element(f"{{{ret_xsd.RET_NS}}}Complemento")
            addenda = root.find(f"{{{ret_xsd.RET_NS}}}Addenda")
            if addenda is None:
                root.append(complemento)
            else:
                addenda.addprevious(complemento)
        complemento.append(timbre.to_xml(include_schema_location=True))
        return StampResult(uuid=timbre["UUID"], xml=xmlsafe.tostring(root), fecha_timbrado=fecha_timbrado,
                           no_certificado_sat=timbre["NoCertificadoSAT"], sello_sat=timbre["SelloSAT"],
                           rfc_prov_certif=timbre["RfcProvCertif"])
