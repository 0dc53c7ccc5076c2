"""The team's FIEL (e.firma): check an upload, keep it encrypted at rest, load it back.

Shared by every use of the FIEL (signing the PAC's manifest, SAT's web services). A FIEL must open with
its password, be a FIEL (SAT's e.firma keyUsage, not a CSD's), be valid at the instant checked, be issued
by a trusted authority (live mode: SAT's production CAs) and carry the team's RFC.

It is kept per mode in the team's `sat` JSON under `fiel` (never shown: `teams.service.sat_status` picks its
fields): the certificate in base64, and the private key as unencrypted DER PKCS#8 inside an AES-GCM envelope
whose key derives from the server secret and whose associated data binds it to the team and mode. The
password is not stored.
"""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

from timbre.cfdi.certs import (
    CertificateError,
    CertificateKind,
    Credential,
    TrustStore,
    trust_store,
)
from timbre.kit.clock import now_ms
from timbre.kit.crypto import decrypt, encrypt
from timbre.models import Team

_PURPOSE = "fiel-key:"


class NotAFiel(CertificateError):
    """The certificate is not a FIEL (e.g. it is a CSD)."""

    reason = "not_fiel"


def _mode(livemode: bool) -> str:
    return "live" if livemode else "test"


def trust_for(livemode: bool) -> TrustStore:
    return trust_store(_mode(livemode))


def check(cer: bytes, key: bytes, password: str, *, rfc: str, at: datetime, livemode: bool) -> Credential:
    """The FIEL's credential, or the first `CertificateError` that applies (password, kind, validity,
    issuer, RFC: the order a user fixes them)."""
    credential = Credential.load(cer, key, password)
    if credential.kind is not CertificateKind.FIEL:
        detail = "a CSD (certificado de sello digital)" if credential.is_csd else "not an e.firma certificate"
        raise NotAFiel(f"the certificate is {detail}, not a FIEL (e.firma)")
    credential.check(rfc=None, at=at, trust=trust_for(livemode), require_csd=False)
    credential.check_rfc(rfc)
    return credential


def _aad(team: Team, livemode: bool) -> str:
    return f"{_PURPOSE}{team.id}:{_mode(livemode)}"


def store(secret: str, team: Team, credential: Credential, *, livemode: bool) -> None:
    """Keep `credential` as the team's FIEL for the mode (the key encrypted); the caller flushes."""
    sat: dict[str, Any] = dict(team.sat or {})
    fiels = dict(sat.get("fiel") or {})
    fiels[_mode(livemode)] = {
        "cer": credential.base64,
        "key": base64.b64encode(encrypt(secret, _aad(team, livemode), credential.export_pkcs8())).decode(),
        "rfc": credential.rfc,
        "serial_number": credential.no_certificado,
        "expires_at": int(credential.not_after.timestamp() * 1000),
        "stored_at": now_ms(),
    }
    sat["fiel"] = fiels
    team.sat = sat


def load(secret: str, team: Team, *, livemode: bool) -> Credential | None:
    """The team's stored FIEL for the mode, or None."""
    stored = ((team.sat or {}).get("fiel") or {}).get(_mode(livemode))
    if not stored:
        return None
    key = decrypt(secret, _aad(team, livemode), base64.b64decode(stored["key"]))
    return Credential.from_pkcs8(base64.b64decode(stored["cer"]), key)
