"""Signing the PAC's service manifest with the team's FIEL (`POST /teams/{id}/manifest/sign`, spec §2.6).

Each failure is the 400 of the spec's table: a missing field; `Certificado FIEL invalido` (the files do
not decode or open with the password, the certificate is not a FIEL, is not valid today or was not
issued by a trusted authority); `El RFC del certificado no coincide con el RFC del equipo`; `SAT
configuration is incomplete` (the team has no tax_id, legal name, tax system or postal code; in live mode,
no live CSD or no PAC configured). Then the manifest is signed (`sat.manifest`), its XML and PDF are
stored, the FIEL is kept encrypted (`sat.fiel`) and `teams.sat.manifest.signed` is emitted.

In live mode the configured PAC's own contract service gets the manifest where it has one (Finkok; SW Sapien's
API has none): `sat.manifest_pac`. Its refusal is the seed's `Manifest signing failed: …` and nothing is stored.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from timbre.cfdi.certs import CertificateError, Credential, RfcMismatch
from timbre.config import Settings
from timbre.errors import BadRequest
from timbre.events.types import EventType
from timbre.kit.clock import now_ms
from timbre.kit.ids import new_id
from timbre.kit.storage import get_storage
from timbre.models import Team
from timbre.sat import fiel, manifest
from timbre.sat.manifest_pac import hand_off
from timbre.teams.service import team as team_service

MAX_FILE_BYTES = 64 * 1024  # SAT's .cer and .key are ~1-2 KB
SANDBOX_PAC = "Timbre Sandbox PAC"
INVALID_FIEL = "Certificado FIEL invalido"
RFC_MISMATCH = "El RFC del certificado no coincide con el RFC del equipo"
INCOMPLETE = "SAT configuration is incomplete"
_MISSING = {
    "key": "key (Base64 encoded .key file) is required",
    "cert": "cert (Base64 encoded .cert file) is required",
    "password": "password is required",
}


@dataclass(frozen=True, slots=True)
class FielUpload:
    """The request's parts as received: base64 text (JSON) or raw bytes (multipart); None when absent."""

    key: str | bytes | None
    cert: str | bytes | None
    password: str | None


def _invalid(detail: str, field: str, code: str) -> BadRequest:
    return BadRequest(INVALID_FIEL, detail, code=code, details=[{"field": field, "message": f"{field}: {detail}"}])


def _decode(value: str | bytes, field: str) -> bytes:
    if isinstance(value, bytes):
        raw = value
    else:
        try:
            raw = base64.b64decode("".join(value.split()), validate=True)
        except (binascii.Error, ValueError):
            raise _invalid(f"{field} is not valid base64", field, "invalid_base64") from None
    if not raw or len(raw) > MAX_FILE_BYTES:
        raise _invalid(f"{field} is not a SAT FIEL file", field, "invalid_file")
    return raw


def _incomplete(detail: str) -> BadRequest:
    return BadRequest(INCOMPLETE, detail, code="sat_configuration_incomplete")


class ManifestService:
    def check(self, team: Team, upload: FielUpload, *, livemode: bool) -> Credential:
        """The FIEL's credential, or the spec's 400 for the first problem."""
        missing = [name for name in ("key", "cert", "password") if not getattr(upload, name)]
        if missing:
            raise BadRequest(_MISSING[missing[0]], f"Send the FIEL's {', '.join(missing)}", code="missing_field",
                             details=[{"field": name, "message": _MISSING[name]} for name in missing])
        assert upload.key is not None and upload.cert is not None and upload.password is not None
        key, cert = _decode(upload.key, "key"), _decode(upload.cert, "cert")
        if not team.tax_id:
            raise _incomplete("Set the team's tax_id (RFC) before signing the manifest")
        try:
            credential = fiel.check(cert, key, upload.password, rfc=team.tax_id, at=manifest_now(),
                                    livemode=livemode)
        except RfcMismatch as exc:
            raise BadRequest(RFC_MISMATCH, exc.message[0].upper() + exc.message[1:], code=exc.reason,
                             details=[{"field": "cert", "message": f"cert: {exc.message}"}]) from None
        except CertificateError as exc:
            field = "password" if exc.reason == "wrong_password" else "key" if "key" in exc.reason else "cert"
            raise _invalid(exc.message[0].upper() + exc.message[1:], field, exc.reason) from None
        return credential

    def _check_configuration(self, settings: Settings, team: Team, livemode: bool) -> str:
        """The PAC's name, once the team's SAT configuration is complete: what its CFDI need (legal name, tax
        system, expedition postal code) and its CSD in the mode (test mode: or the one Timbre generates on
        the first document), and in live mode a configured PAC."""
        lacking = [name for name, value in (("legal_name", team.legal_name), ("tax_system", team.tax_system),
                                            ("address.zip", (team.address or {}).get("zip"))) if not value]
        if lacking:
            raise _incomplete(f"Set the team's {', '.join(lacking)} before signing the manifest")
        if not livemode:
            return SANDBOX_PAC
        if not (((team.sat or {}).get("modes") or {}).get("live") or {}).get("completed"):
            raise _incomplete("Upload the team's live CSD (POST /v2/teams/{id}/sat-connection) first")
        if not settings.pac:
            raise _incomplete("No PAC is configured (TIMBRE_PAC): there is no provider to sign the manifest for")
        return settings.pac.strip().capitalize()

    def sign(self, session: Session, settings: Settings, team: Team, upload: FielUpload, *,
             livemode: bool) -> dict[str, Any]:
        credential = self.check(team, upload, livemode=livemode)
        proveedor = self._check_configuration(settings, team, livemode)
        signed_ms = now_ms()
        at = manifest_now(signed_ms)
        parties = manifest.Parties(rfc=credential.rfc, nombre=team.legal_name or credential.legal_name,
                                   regimen_fiscal=team.tax_system or "", proveedor=proveedor,
                                   no_certificado=credential.no_certificado)
        xml = manifest.sign(parties, at, credential)
        pdf = manifest.render_pdf(parties, at, xml)
        mensaje, pac_name, accepted = hand_off(settings, team, credential, at, livemode=livemode)
        mode = "live" if livemode else "test"
        base = f"teams/{team.id}/{mode}/manifests/{new_id('mnf')}"
        storage = get_storage(settings)
        storage.put(f"{base}.xml", xml, "application/xml")
        storage.put(f"{base}.pdf", pdf, "application/pdf")
        pac_service = None
        if pac_name is not None:  # live mode: what the PAC's own service took (its signed documents)
            documents = {}
            for name, signed in (accepted.documents if accepted else {}).items():
                documents[name] = f"{base}.{pac_name}-{name}.xml"
                storage.put(documents[name], signed, "application/xml")
            pac_service = {"name": pac_name, "message": mensaje, "documents": documents}
        fiel.store(settings.secret(), team, credential, livemode=livemode)
        sat = dict(team.sat or {})
        sat["manifest"] = {**(sat.get("manifest") or {}), mode: {
            "signed_at": signed_ms, "xml": f"{base}.xml", "pdf": f"{base}.pdf",
            "fiel_serial_number": credential.no_certificado, "pac": proveedor, "pac_service": pac_service}}
        team.sat = sat
        session.flush()
        team_service.emit(session, team, livemode, EventType.teams_sat_manifest_signed)
        return {"xmlBase64": base64.b64encode(xml).decode("ascii"),
                "pdfBase64": base64.b64encode(pdf).decode("ascii"),
                "fechaFirma": iso_ms(signed_ms), "mensajeResultado": mensaje}


def manifest_now(ms: int | None = None) -> datetime:
    return datetime.fromtimestamp((ms if ms is not None else now_ms()) / 1000, UTC)


def iso_ms(ms: int) -> str:
    """`2024-01-08T15:30:00.000Z`, as the spec writes `fechaFirma`."""
    return manifest_now(ms).strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


manifest_service = ManifestService()
