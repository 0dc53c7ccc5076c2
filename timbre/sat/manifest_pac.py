"""Handing the manifest to the live PAC's own contract service, where it has one (issue 11).

Finkok has one (`cfdi.pac.finkok_manifest`): it gives its contract and privacy notice for the taxpayer, Timbre
signs each with the FIEL and sends them back. SW Sapien's API has none: the manifest Timbre signs is the
record, and `mensajeResultado` says so. Test mode's sandbox PAC takes the manifest signed here. A PAC that
refuses is the seed's 400 `Manifest signing failed: …`; one that does not answer a 503: nothing is stored.
"""

from __future__ import annotations

from datetime import datetime

from timbre.cfdi.certs import Credential
from timbre.cfdi.pac import PacRejected, PacUnavailable
from timbre.cfdi.pac.base import ManifestParty, ManifestResult
from timbre.config import Settings
from timbre.errors import BadRequest, ServiceUnavailable
from timbre.invoices.stamping import pac_for
from timbre.models import Team
from timbre.sat import manifest

SIGNED = "Firma exitosa"


def _address(team: Team) -> str:
    address = team.address or {}
    parts = [address.get(k) for k in ("street", "exterior", "interior", "neighborhood", "city", "municipality",
                                      "state")]
    zip_code = address.get("zip")
    return ", ".join(str(p) for p in parts if p) + (f". CP {zip_code}" if zip_code else "")


def hand_off(settings: Settings, team: Team, fiel: Credential, at: datetime, *,
             livemode: bool) -> tuple[str, str | None, ManifestResult | None]:
    """(`mensajeResultado`, the PAC's name, what its service accepted) once the live PAC has the manifest."""
    if not livemode:
        return SIGNED, None, None
    pac = pac_for(settings, True)
    party = ManifestParty(rfc=fiel.rfc, name=team.legal_name or fiel.legal_name, address=_address(team),
                          email=team.support_email or "")
    try:
        result = pac.sign_manifest(party, lambda text: manifest.signed_contract(fiel.rfc, at, text, fiel))
    except PacRejected as exc:
        raise BadRequest(f"Manifest signing failed: {exc.reason}", f"{pac.name} refused the signed manifest: "
                         f"{exc.message}", code="manifest_rejected") from None
    except PacUnavailable as exc:
        raise ServiceUnavailable(f"Manifest signing failed: {exc.message}", f"{pac.name}'s manifest service did "
                                 "not answer; nothing was stored, retry later", code="pac_unavailable") from None
    if result is None:
        return (f"{SIGNED}; {pac.name} no tiene servicio de manifiesto en su API: el manifiesto firmado por "
                "Timbre es el registro"), pac.name, None
    return f"{SIGNED}; aceptado por el servicio de manifiesto de {pac.name}" + (
        f": {result.message}" if result.message else ""), pac.name, result
