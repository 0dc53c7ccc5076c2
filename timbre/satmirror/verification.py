"""The verification a mirrored (or submitted) CFDI carries: SAT's schema, the issuer's seal, the TFD's seal and
the issuer on SAT's 69-B list.

Which stamps can be checked depends on the mode: test mode trusts the sandbox PAC's certificate (the CFDI
stamped on this server); live mode the SAT certificates bundled in `data/` (SAT signs every PAC's stamp
with a handful of certificates it publishes; one is bundled today, `SAT_00001000000504465028.cer`). A stamp
by a certificate this server does not hold is reported `valid: null` with the certificate's number.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type stubs
from sqlalchemy.orm import Session

from timbre.cfdi import verify as cfdi_verify
from timbre.cfdi.certs import Certificate
from timbre.cfdi.pac.sandbox import sandbox_credential
from timbre.clients.efos_list import BLOCKING, efos_situations
from timbre.kit.clock import now_ms


@cache
def tfd_certificates(livemode: bool) -> dict[str, Certificate]:
    if not livemode:
        sandbox = sandbox_credential()
        return {sandbox.no_certificado: sandbox}
    folder = resources.files("timbre.satmirror") / "data"
    found: dict[str, Certificate] = {}
    for entry in folder.iterdir():
        if entry.name.endswith(".cer"):
            certificate = Certificate.from_der(entry.read_bytes())
            found[certificate.no_certificado] = certificate
    return found


def efos_check(session: Session, rfc: str) -> dict[str, Any]:
    situation = efos_situations(session, [rfc]).get(rfc)
    if situation is None:
        return {"valid": True, "status": None, "detail": "the issuer is not on SAT's 69-B list"}
    detail = f"the issuer is on SAT's 69-B list as {situation}"
    return {"valid": situation != BLOCKING, "status": situation, "detail": detail}


def verification(session: Session, root: etree._Element, version: str, *, livemode: bool,
                 issuer_rfc: str) -> dict[str, Any]:
    """The `verification` object: each check `{valid, detail}` and `valid` overall (False if any check failed,
    None if none failed but one could not be decided)."""
    result = cfdi_verify.verify(root, version, tfd_certificates(livemode))
    checks: dict[str, Any] = {
        "xsd": {**result.xsd.to_dict(), "errors": list(result.xsd_errors)},
        "seal": result.seal.to_dict(),
        "tfd": result.tfd.to_dict(),
        "efos": efos_check(session, issuer_rfc),
    }
    outcomes = [check["valid"] for check in checks.values()]
    overall = False if False in outcomes else None if None in outcomes else True
    body: dict[str, Any] = {"valid": overall, **checks, "version": version, "checked_at": now_ms()}
    if result.unchecked_complements:
        body["unchecked_complements"] = list(result.unchecked_complements)
    return body
