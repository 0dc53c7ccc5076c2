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

from ..certs import Credential
from ..retenciones import xsd as ret_xsd
from ..retenciones.build import MEXICO_TZ, zona_horaria
from ..retenciones.seal import RETENCIONES, find_timbre, verify_seal
from .base import PacRejected, StampResult
from .sandbox_common import add_timbre, check_window, unstamped

_CLOCK_SKEW = timedelta(minutes=10)


class RetencionesStamper:
    credential: Credential
    clock: Callable[[], datetime]
    max_age: timedelta

    def _check_certificate(self, root: Any, fecha: datetime, rfc_emisor: str | None = None) -> None:
        raise NotImplementedError

    def stamp_retention(self, xml: bytes) -> StampResult:
        """Stamp a sealed Retenciones 2.0 document (PacRejected with the PAC's codes otherwise)."""
        root = unstamped(xml, RETENCIONES, "2.0", "Retenciones 2.0", find_timbre)
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
        check_window(fecha, now, skew=_CLOCK_SKEW, max_age=self.max_age, field="FechaExp")
        return add_timbre(root, ret_xsd.RET_NS, self.credential,
                          now.astimezone(MEXICO_TZ).replace(tzinfo=None, microsecond=0))
